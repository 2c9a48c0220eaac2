from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongke.notifications"
    label = "notifications"
