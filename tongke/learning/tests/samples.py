"""Where the shared sample data lives (``shared/data`` beside the repository, as in the
workplace; ``TONGKE_SHARED_DATA`` overrides). The samples are not part of the repository:
their licences keep them in tests and benchmarks only."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def shared_data() -> Path:
    candidates = [
        os.environ.get("TONGKE_SHARED_DATA", ""),
        str(REPO.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate, "items").is_dir():
            return Path(candidate)
    return REPO.parent / "shared" / "data"


SHARED = shared_data()
