from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongke.accounts"
    label = "accounts"
