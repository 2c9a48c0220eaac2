"""``tongke worker``: run background tasks (media processing, imports, model fitting).

Tasks are queued in the database (django-tasks with its database backend), so any number of
workers on any machine that reaches the database can share the work. ``tongke demo`` and
``tongke serve --with-worker`` start one beside the web server."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background tasks from the database queue until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls when idle"
        )
        parser.add_argument(
            "--batch", action="store_true", help="stop when the queue is empty (scripts, tests)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command(
            "db_worker",
            interval=opts["interval"],
            batch=opts["batch"],
            startup_delay=False,
            verbosity=opts.get("verbosity", 1),
        )
