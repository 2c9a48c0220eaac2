from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tongke.demo"
    label = "demo"
