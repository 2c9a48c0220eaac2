"""``tongke createadmin``: the installation's first administrator (a superuser)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser


class Command(createsuperuser.Command):
    help = "Create a superuser: an administrator of the whole installation."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
