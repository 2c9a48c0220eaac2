"""Rules for text that people type into one-line fields (names of people, schools, classes)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates: invisible, and they can make a name read
# as another one (a "Trojan Source" spoof).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_chars(value: str) -> list[str]:
    """The characters of ``value`` that no one-line name may hold: control characters (NUL,
    tab, newline, DEL...), lone surrogates (not text at all: they cannot be stored as UTF-8)
    and bidirectional controls."""
    return [ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS]


def validate_plain_line(value: str) -> None:
    """A model field validator: refuse a one-line text holding forbidden characters."""
    bad = forbidden_chars(value)
    if bad:
        raise ValidationError(
            _("Remove the control characters (%(chars)s) from this text."),
            code="control_chars",
            params={"chars": ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))},
        )
