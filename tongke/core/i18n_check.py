"""Check that the Chinese catalogue is complete and compiled (run by .ci/run and a test).

Source strings are English, so English is complete by construction; zh-Hans, the default
language, must translate every message, with no fuzzy entries, and the compiled .mo must
hold exactly what the .po says."""

from __future__ import annotations

import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def problems() -> list[str]:
    if not PO.exists():
        return [f"{PO} is missing"]
    po = polib.pofile(str(PO))
    found = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    if not MO.exists():
        return [*found, f"{MO} is missing: run 'uv run python manage.py compilemessages'"]
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(e.msgstr_plural.items()))
        for e in polib.mofile(str(MO))
    }
    for e in po.translated_entries():
        key = (e.msgctxt, e.msgid)
        if mo.get(key) != (e.msgstr, tuple(e.msgstr_plural.items())):
            found.append(f"stale .mo for {e.msgid!r}: run compilemessages")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"i18n: {len(found)} problem(s) in {PO.relative_to(ROOT)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
