"""Question-bank interchange: import and export of GIFT, Moodle XML and QTI.

The public API is two functions over the neutral model in ``model``:

- ``import_file(name, data, fmt=None) -> ImportResult``: the items that could be parsed plus
  a report entry for each question that could not (position or line, identifier, a stable
  code, an English message). A file-level failure (XML bomb or external entity, malformed
  XML, not UTF-8, empty, too large, unsafe or oversized package) gives one ``fatal`` entry
  and no items. The format is detected from the content when ``fmt`` is None.
- ``export_items(items, fmt) -> bytes`` for ``"gift"``, ``"moodlexml"``, ``"qti"`` (a QTI
  2.2 content package, zip with ``imsmanifest.xml``), ``"qti-item"`` (one item's XML), and
  ``"qti3"`` / ``"qti3-item"`` for the same in QTI 3.0.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from . import gift, moodlexml, qti
from .model import (
    BLANK,
    KINDS,
    UNKNOWN_FORMAT,
    Choice,
    ImportResult,
    InterchangeError,
    Item,
    MatchPair,
    NumericAnswer,
    ReportEntry,
    TextAnswer,
    match_fill_in,
    normalize_answer,
    validate_item,
)
from .safexml import check_size, looks_like_xml, parse_xml

__all__ = [
    "BLANK",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "KINDS",
    "Choice",
    "ImportResult",
    "Item",
    "MatchPair",
    "NumericAnswer",
    "ReportEntry",
    "TextAnswer",
    "detect_format",
    "export_items",
    "import_file",
    "match_fill_in",
    "normalize_answer",
    "validate_item",
]

IMPORT_FORMATS = ("gift", "moodlexml", "qti")
EXPORT_FORMATS = ("gift", "moodlexml", "qti", "qti-item", "qti3", "qti3-item")
_ALIASES = {"moodle": "moodlexml", "xml": "moodlexml", "qti-item": "qti", "qti-package": "qti"}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def detect_format(name: str, data: bytes) -> str:
    """Guess the format from the content: a zip is a QTI package, XML is read by its root
    element (``xml``), other text is GIFT. The file name only breaks a tie: text that starts
    with ``<`` but has no XML declaration stays GIFT when the file is named .gift or .txt."""
    lower = name.lower()
    if data.startswith(_ZIP_MAGIC):
        return "qti"
    if looks_like_xml(data):
        declared = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")
        return "gift" if not declared and lower.endswith((".gift", ".txt")) else "xml"
    if lower.endswith((".zip", ".imscc")):
        return "qti"
    return "gift"


def import_file(name: str, data: bytes, fmt: str | None = None) -> ImportResult:
    """Import a question file; never raises for bad input (see the module docstring)."""
    chosen = _ALIASES.get(fmt, fmt) if fmt else None
    detected = chosen or detect_format(name, data)
    try:
        if chosen is not None and chosen not in IMPORT_FORMATS:
            raise InterchangeError(
                UNKNOWN_FORMAT,
                _("Unknown import format %(format)r; use gift, moodlexml or qti."),
                format=fmt,
            )
        check_size(data, qti.MAX_PACKAGE_BYTES if data.startswith(_ZIP_MAGIC) else None)
        if detected == "gift":
            return gift.parse_gift(data)
        if detected == "qti" and (data.startswith(_ZIP_MAGIC) or name.lower().endswith(".zip")):
            return qti.parse_package(data)
        return _import_xml(name, data, chosen)
    except InterchangeError as exc:
        known = detected if detected in IMPORT_FORMATS else None
        return ImportResult(known, report=[exc.entry.where(position=name or None)])


def _import_xml(name: str, data: bytes, chosen: str | None) -> ImportResult:
    doc = parse_xml(data)
    root = doc.root.tag
    if chosen == "moodlexml" or (chosen is None and root == "quiz"):
        return moodlexml.parse_document(doc)
    if chosen == "qti" or root in ("assessmentItem", "qti-assessment-item", "assessmentTest"):
        return qti.parse_item(doc, position=name or None)
    if root == "manifest":
        raise InterchangeError(
            UNKNOWN_FORMAT,
            _("This is a package manifest; upload the whole package (zip) instead."),
        )
    if root == "questestinterop":
        raise InterchangeError(UNKNOWN_FORMAT, _("QTI 1.2 (questestinterop) is not supported."))
    raise InterchangeError(
        UNKNOWN_FORMAT,
        _("The XML root <%(root)s> is neither a Moodle <quiz> nor a QTI item."),
        root=root,
    )


def export_items(items: Iterable[Item], fmt: str) -> bytes:
    """Write items in ``fmt`` (gift, moodlexml, qti/qti3 = content package, qti-item/qti3-item
    = one item's XML). An unknown format is a programming error (ValueError)."""
    items = list(items)
    if fmt == "gift":
        return gift.export_gift(items)
    if fmt in ("moodlexml", "moodle"):
        return moodlexml.export_moodlexml(items)
    version = "3.0" if fmt.startswith("qti3") else "2.2"
    if fmt in ("qti", "qti3"):
        return qti.export_package(items, version=version)
    if fmt in ("qti-item", "qti3-item"):
        if len(items) != 1:
            raise ValueError(f"{fmt} exports exactly one item; use a package for several")
        return qti.export_item_xml(items[0], version=version)
    raise ValueError(f"unknown export format {fmt!r}; use one of {EXPORT_FORMATS}")
