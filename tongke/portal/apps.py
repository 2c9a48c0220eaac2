from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tongke.portal"
    label = "portal"
