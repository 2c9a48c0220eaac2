from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongke.audit"
    label = "audit"
