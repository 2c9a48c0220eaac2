"""``tongke serve``: one ASGI app (uvicorn) serving pages, API and static files."""

from __future__ import annotations

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

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        if not settings.WHITENOISE_USE_FINDERS:
            call_command("collectstatic", interactive=False, verbosity=0)
        uvicorn.run(
            "config.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            log_level=opts["log_level"],
            proxy_headers=True,
            lifespan="off",
        )
