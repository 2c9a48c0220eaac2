"""The ``tongke`` command: a front door to Tongke's management commands.

``tongke demo`` and ``tongke serve`` are what people run; everything Django's manage.py
knows works too (``tongke check --deploy``, ``tongke shell``...)."""

from __future__ import annotations

import os
import sys

COMMANDS = [
    ("demo", "set up the data home, seed the demo region and serve it on 127.0.0.1:8000"),
    ("serve", "serve site and API (uvicorn; --host, --port, --workers)"),
    ("migrate", "create or update the database tables"),
    ("seed-demo", "seed the demo region (Beijing-Tianjin-Hebei) when the database is empty"),
    ("createadmin", "create a superuser (the installation's first administrator)"),
    ("import-roster", "import a OneRoster 1.2 CSV bundle (zip or folder) or a plain CSV"),
    ("courses-sweep", "decide course picks whose home-school approval deadline passed"),
    ("worker", "run background tasks (media processing, imports); tongke demo runs one itself"),
    ("reindex", "rebuild the lesson library's search index"),
    ("kt-eval", "fit and evaluate a knowledge-tracing model on train/test answer files"),
    ("check", "Django's system checks; --deploy for a production configuration"),
]

HELP = (
    "usage: tongke <command> [options]\n\ncommands:\n"
    + "\n".join(f"  {name:<15} {text}" for name, text in COMMANDS)
    + (
        "\n\nAny other Django management command works as well (tongke shell, tongke "
        "makemigrations...).\nRun 'tongke <command> --help' for a command's options.\n"
    )
)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(HELP)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tongke", args[0].replace("-", "_"), *args[1:]])


if __name__ == "__main__":
    main()
