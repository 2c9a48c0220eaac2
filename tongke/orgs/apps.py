from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tongke.orgs"
    label = "orgs"
