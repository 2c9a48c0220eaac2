from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongke.core"
    label = "core"
