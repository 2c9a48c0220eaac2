"""``tongke import-roster FILE``: import a OneRoster bundle (zip or folder) or a plain CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongke.core.errors import TongkeError
from tongke.roster import selectors, services
from tongke.roster.enums import ENTITIES, ImportStatus
from tongke.roster.models import RosterImport
from tongke.roster.report import report_csv


class Command(BaseCommand):
    help = (
        "Import a roster into a region or school: a OneRoster 1.1/1.2 CSV bundle (a .zip or a "
        "folder) or a plain CSV file. The whole file is checked first; if any row is rejected "
        "nothing is written, the report is printed and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .zip bundle, a folder of OneRoster CSVs, or a .csv")
        parser.add_argument(
            "--region",
            required=True,
            metavar="CODE",
            help="the code of the region (or school) to import into, e.g. BJ-HD",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="USERNAME",
            help="the administrator the import acts as (default: the first superuser)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, change nothing"
        )
        parser.add_argument("--report", metavar="PATH", help="also write the report as CSV to PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No such file or folder: {path}")
        actor = self._actor(options.get("actor"))
        target = selectors.import_target_get(code=options["region"])
        if target is None:
            raise CommandError(f"No region or school with code {options['region']}")
        try:
            record = services.roster_import(
                actor=actor,
                path=path,
                file_name=path.name,
                target=target,
                dry_run=options["dry_run"],
            )
        except TongkeError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self._print(record)
        if options.get("report"):
            Path(options["report"]).write_text(
                "\ufeff" + report_csv(record.problems), encoding="utf-8"
            )
        if record.status != ImportStatus.OK:
            raise CommandError(
                f"Roster import rejected with {record.error_count} problem(s); nothing was changed."
            )

    def _actor(self, username: str | None) -> Any:
        actor = selectors.import_actor_get(username=username)
        if actor is None and username:
            raise CommandError(f"No active user named {username}")
        if actor is None:
            raise CommandError("No superuser to act as; pass --as USERNAME")
        return actor

    def _print(self, record: RosterImport) -> None:
        out = self.stdout
        mode = " (dry run)" if record.dry_run else ""
        out.write(
            f"Roster import #{record.pk}: {record.file_name} ({record.kind}) into "
            f"{record.target_label} as {record.actor_label}: {record.status}{mode}"
        )
        counts = record.counts or {}
        for key, _label in ENTITIES:
            if key in counts:
                c = counts[key]
                out.write(
                    f"  {key:<12} created {c['created']:>5}  updated {c['updated']:>5}  "
                    f"unchanged {c['unchanged']:>5}  removed {c['removed']:>5}"
                )
        for p in record.problems:
            place = p["file"] + (f":{p['line']}" if p.get("line") else "")
            column = f" [{p['column']}]" if p.get("column") else ""
            value = f" {p['value']!r}" if p.get("value") else ""
            line = f"{p['severity'].upper():<7} {place}{column} {p['code']}: {p['message']}{value}"
            (self.stderr if p["severity"] == "error" else out).write(line)
        dropped = (record.report or {}).get("dropped")
        if dropped:
            out.write(f"... and {dropped} more problems")
