"""Writes of the question bank (LRN-2): items with versions and knowledge-point tags, import
and export of GIFT, Moodle XML and QTI through ``interchange``.

An import either refuses the whole file (bomb, entity, malformed, wrong encoding, a lone
surrogate: one clear error, nothing stored) or stores, in one transaction, every question that
passed ``validate_item`` and whose knowledge-point tags exist, and reports every other one with
its position, a code and the reason. Every item is stored with its HTML sanitised
(``interchange.sanitize``: an allow-list), the texts as they came kept aside in
``Item.html_source`` (never served); an import warns of each question whose markup was cut
(``items.html_sanitised``). Editing an item makes a new version; answers already given keep
pointing at the version they answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record
from tongke.core.errors import Invalid, PermissionDenied
from tongke.learning import policies
from tongke.learning.errors import LearningError
from tongke.learning.interchange import export_items, import_file, validate_item
from tongke.learning.interchange import model as im
from tongke.learning.interchange.sanitize import sanitize_item
from tongke.learning.models import Item, ItemPoint, KnowledgePoint
from tongke.learning.specs import item_to_spec, spec_to_item
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ITEMS = 5000
HTML_SANITISED = "items.html_sanitised"


def _forbidden() -> PermissionDenied:
    return PermissionDenied(
        _("Only teachers and administrators write to the question bank."),
        code=LearningError.BANK_FORBIDDEN,
    )


def _home(actor: Any) -> tuple[OrgUnit | None, str]:
    """The author's school (if any) and the region their items are shared in by default."""
    paths = policies.staff_paths(actor)
    if not paths:
        return None, ""
    candidates = {p[:n] for p in paths for n in range(OrgUnit.steplen, len(p) + 1, OrgUnit.steplen)}
    school = (
        OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__in=candidates).order_by("path").first()
    )
    regions = OrgUnit.objects.filter(kind=UnitKind.REGION, path__in=candidates).order_by("-path")
    region = regions.first()
    return school, region.path if region else ""


def _points(codes: Iterable[str], subject: str) -> tuple[list[KnowledgePoint], list[str]]:
    codes = list(dict.fromkeys(codes))
    found = {p.code: p for p in KnowledgePoint.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def _refuse_invalid(item: im.Item) -> None:
    problems = [e for e in validate_item(item) if e.severity in ("error", "fatal")]
    if problems:
        first = problems[0]
        raise Invalid(first.text, code=first.code, detail=[p.as_dict() for p in problems])


def _store(
    *,
    actor: Any,
    item: im.Item,
    points: list[KnowledgePoint],
    subject: str,
    source: str,
    family: str | None = None,
    version: int = 1,
    shared: bool = False,
    minutes: float = 2.0,
) -> Item:
    school, region_path = _home(actor)
    item, html_source = sanitize_item(item)
    row = Item(
        family=family or f"it-{uuid.uuid4().hex[:16]}",
        version=version,
        is_current=True,
        kind=item.kind,
        subject=subject,
        stem=item.stem,
        stem_format=item.stem_format,
        spec=item_to_spec(item),
        explanation=item.explanation,
        html_source=html_source,
        difficulty=item.difficulty,
        minutes=minutes,
        source=source,
        owner=actor,
        school=school,
        scope_path="" if shared else region_path,
    )
    row.full_clean()
    row.save()
    ItemPoint.objects.bulk_create([ItemPoint(item=row, point=p) for p in points])
    return row


@transaction.atomic
def item_create(
    *,
    actor: Any,
    item: im.Item,
    subject: str,
    point_codes: Iterable[str] = (),
    shared: bool = False,
    minutes: float = 2.0,
) -> Item:
    if not policies.can_author_items(actor):
        raise _forbidden()
    if shared and not policies.can_share_items_everywhere(actor):
        raise PermissionDenied(
            _("Only regional administrators share items with every region."),
            code=LearningError.BANK_FORBIDDEN,
        )
    _refuse_invalid(item)
    points, unknown = _points([*point_codes, *item.knowledge_points], subject)
    if unknown:
        raise Invalid(
            _("Unknown knowledge points."),
            code=LearningError.UNKNOWN_POINTS,
            detail={"codes": unknown},
        )
    row = _store(
        actor=actor,
        item=item,
        points=points,
        subject=subject,
        source="form",
        shared=shared,
        minutes=minutes,
    )
    audit_record(
        actor=actor, action="learning.item_create", target=row, changes={"kind": [None, row.kind]}
    )
    return row


@transaction.atomic
def item_revise(*, actor: Any, item_row: Item, item: im.Item, point_codes: Iterable[str]) -> Item:
    """A new version of an item; the old one stays for the answers that point at it."""
    if not policies.can_edit_item(actor, item_row):
        raise _forbidden()
    if not item_row.is_current:
        raise Invalid(
            _("Only the current version can be revised."), code=LearningError.ITEM_SUPERSEDED
        )
    _refuse_invalid(item)
    points, unknown = _points([*point_codes, *item.knowledge_points], item_row.subject)
    if unknown:
        raise Invalid(
            _("Unknown knowledge points."),
            code=LearningError.UNKNOWN_POINTS,
            detail={"codes": unknown},
        )
    Item.objects.filter(pk=item_row.pk).update(is_current=False)
    row = _store(
        actor=actor,
        item=item,
        points=points,
        subject=item_row.subject,
        source=item_row.source,
        family=item_row.family,
        version=item_row.version + 1,
        shared=item_row.scope_path == "",
        minutes=item_row.minutes,
    )
    row.owner_id = item_row.owner_id
    row.scope_path = item_row.scope_path
    row.save(update_fields=["owner", "scope_path"])
    audit_record(
        actor=actor,
        action="learning.item_revise",
        target=row,
        changes={"version": [item_row.version, row.version]},
    )
    return row


@dataclass
class BankImport:
    format: str | None
    created: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "created": self.created,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "item_ids": self.item_ids,
        }


@transaction.atomic
def bank_import(
    *,
    actor: Any,
    name: str,
    data: bytes,
    subject: str,
    fmt: str | None = None,
    point_codes: Iterable[str] = (),
    dry_run: bool = False,
) -> BankImport:
    if not policies.can_author_items(actor):
        raise _forbidden()
    if len(data) > MAX_IMPORT_BYTES:
        from tongke.core.errors import TooLarge

        raise TooLarge(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // 2**20},
            code=LearningError.IMPORT_TOO_LARGE,
        )
    result = import_file(name, data, fmt)
    result.raise_for_error()
    report = BankImport(format=result.format)
    report.warnings = [e.as_dict() for e in result.report if e.severity in ("warning", "info")]
    report.skipped = [e.as_dict() for e in result.skipped]
    if len(result.items) > MAX_IMPORT_ITEMS:
        raise Invalid(
            _("A file may hold at most %(n)d questions.") % {"n": MAX_IMPORT_ITEMS},
            code=LearningError.IMPORT_TOO_MANY,
        )
    extra = list(point_codes)
    for position, item in enumerate(result.items, start=1):
        points, unknown = _points([*extra, *item.knowledge_points], subject)
        if unknown:
            report.skipped.append(
                {
                    "code": "learning.unknown_points",
                    "severity": "error",
                    "message": _("Unknown knowledge points: %(codes)s")
                    % {"codes": ", ".join(unknown)},
                    "line": None,
                    "position": f"question {position}",
                    "identifier": item.source_id,
                }
            )
            continue
        _clean, changed = sanitize_item(item)
        if changed:
            report.warnings.append(
                {
                    "code": HTML_SANITISED,
                    "severity": "warning",
                    "message": _(
                        "Markup a question may not hold (scripts, styles, event handlers, "
                        "links, frames, images from other sites) was removed from: %(places)s."
                    )
                    % {"places": ", ".join(changed)},
                    "line": None,
                    "position": f"question {position}",
                    "identifier": item.source_id,
                }
            )
        if dry_run:
            report.created += 1
            continue
        row = _store(
            actor=actor, item=item, points=points, subject=subject, source=result.format or "import"
        )
        report.created += 1
        report.item_ids.append(row.pk)
    if not dry_run and report.created:
        audit_record(
            actor=actor,
            action="learning.bank_import",
            target_type="learning.item",
            target_label=name[:100],
            changes={"created": [None, report.created], "skipped": [None, len(report.skipped)]},
        )
    return report


def bank_export(items: Iterable[Item], fmt: str) -> bytes:
    """The items (with their key and tags) in an interchange format."""
    out: list[im.Item] = []
    for row in items:
        item = spec_to_item(row.spec)
        tags = [t for t in item.tags if not t.startswith(im.KP_PREFIX)]
        item.tags = tags + [f"{im.KP_PREFIX}{p.code}" for p in row.points.all()]
        item.source_id = item.source_id or f"{row.family}-v{row.version}"
        item.difficulty = row.difficulty
        out.append(item)
    try:
        return export_items(out, fmt)
    except ValueError as exc:
        raise Invalid(str(exc), code=LearningError.BAD_FORMAT) from exc
