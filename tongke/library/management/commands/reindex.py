"""``tongke reindex``: rebuild the lesson library's search index.

Re-segments every resource's words into its ``SearchEntry`` and rebuilds the engine's
full-text index from them (see tongke/library/search.py). Run it after changing the search
vocabulary, after a migration that remade the search entry table, or to repair the index;
day-to-day changes are indexed by the services that make them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongke.library.search import INDEX_BATCH, reindex_all


class Command(BaseCommand):
    help = "Rebuild the lesson library's search index; prints how many resources and how long."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=INDEX_BATCH, help="resources per transaction"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total}")

        count = reindex_all(
            batch=max(1, opts["batch"]), progress=progress if opts["verbosity"] > 1 else None
        )
        seconds = time.perf_counter() - started
        self.stdout.write(f"indexed {count} resource(s) in {seconds:.1f} s")
