"""``tongke demo``: everything a first look needs, in one command."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tongke.demo.management.commands.seed_demo import print_accounts
from tongke.demo.seed import seed_demo
from tongke.demo.seed_live import demo_lesson_now


class Command(BaseCommand):
    help = "Create the data home, migrate, seed the demo region when empty, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up and seed, then stop")

    def handle(self, *args: Any, **opts: Any) -> None:
        settings.HOME.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data home: {settings.HOME}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            "Database ready. Seeding the demo region (first run takes a few seconds)..."
        )
        result = seed_demo()
        self.stdout.write("Seeded." if result.created else "Demo region already present.")
        print_accounts(self.stdout, result.accounts)
        lesson = demo_lesson_now()
        if lesson is not None:
            self.stdout.write(
                f"\nLive lesson to try: {lesson.title} at "
                f"{timezone.localtime(lesson.starts_at):%H:%M} (master t0001; classrooms "
                "t0043, t0046, t0054; open /live/)"
            )
        if opts["no_serve"]:
            return
        self.stdout.write(f"\nServing on http://{opts['host']}:{opts['port']}/  (Ctrl+C stops)")
        call_command("serve", host=opts["host"], port=opts["port"], with_worker=True)
