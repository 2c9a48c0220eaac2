from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "tongke.live"
    label = "live"
