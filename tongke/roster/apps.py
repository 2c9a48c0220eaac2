from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "tongke.roster"
    label = "roster"
