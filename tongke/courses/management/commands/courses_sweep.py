"""``tongke courses-sweep``: decide course picks whose home-school approval deadline passed.

Idempotent; run it every few minutes (cron, a systemd timer) in a regional deployment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongke.courses.services import selections_sweep


class Command(BaseCommand):
    help = "Decide course picks whose approval deadline passed, as each school's rule says."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"decided {selections_sweep()} late pick(s)")
