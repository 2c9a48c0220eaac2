from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongke.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed the Beijing-Tianjin-Hebei demo region (does nothing when it is there already)."

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings
        from django.core.management import call_command

        settings.HOME.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)  # a fresh data home works too
        result = seed_demo()
        if result.created:
            self.stdout.write(
                f"Seeded {result.regions} regions, {result.schools} schools, {result.classes} "
                f"classes, {result.teachers} teachers, {result.students} students, "
                f"{result.parents} parents."
            )
        else:
            self.stdout.write("The demo region is already there; nothing changed.")
        print_accounts(self.stdout, result.accounts)


def print_accounts(out: Any, accounts: list[Any]) -> None:
    out.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        out.write(f"  {account.username:<16} {account.role:<15} {account.note}")
