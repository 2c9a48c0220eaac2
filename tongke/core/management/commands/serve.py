"""``tongke serve``: one ASGI app (uvicorn) serving pages, API and static files."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Tongke (site, API and static files) with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="server processes (use several on PostgreSQL)"
        )
        parser.add_argument("--log-level", default="warning")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run one background worker (media processing) as a child process",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        if not settings.WHITENOISE_USE_FINDERS:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if opts["with_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tongke.cli", "worker", "--verbosity", "0"]
            )
        try:
            uvicorn.run(
                "config.asgi:application",
                host=opts["host"],
                port=opts["port"],
                workers=opts["workers"],
                log_level=opts["log_level"],
                proxy_headers=True,
                lifespan="off",
            )
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
