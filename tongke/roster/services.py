"""The roster import (ORG-5): read, check, then write all of it or nothing.

``roster_import`` reads the file (source.py), parses it (oneroster.py / plaincsv.py), matches
it against the database and the actor's scope (resolve.py) and, only when no problem was
found, writes it inside one transaction through tongke.orgs.services, which check the org
policies again and leave an audit event per change. The import itself is recorded as a
RosterImport, whether it was accepted, rejected or a dry run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tongke.accounts.types import Actor
from tongke.audit.services import audit_record
from tongke.core.errors import TongkeError
from tongke.orgs import services as org_services
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.roster import errors, policies
from tongke.roster.enums import ImportKind, ImportStatus
from tongke.roster.models import RosterImport
from tongke.roster.oneroster import parse_oneroster
from tongke.roster.plaincsv import parse_plain
from tongke.roster.plan import Plan
from tongke.roster.report import Report
from tongke.roster.resolve import Resolution, RoleOp, RUnit, RUser, UnitOp, UserOp, resolve
from tongke.roster.source import read_source, sniff_kind


class _Rejected(Exception):
    """Raised inside the transaction to roll back when the check found problems."""


def _sha256(path: Path) -> str:
    if path.is_dir():
        return ""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file() and not p.is_symlink())
    return path.stat().st_size


def roster_import(
    *,
    actor: Actor,
    path: Path,
    file_name: str,
    target: OrgUnit,
    dry_run: bool = False,
    max_bytes: int | None = None,
) -> RosterImport:
    """Import the roster at ``path`` into ``target`` (a region or school the actor manages).

    Raises PermissionDenied when the actor may not import there; every problem with the file
    itself ends up in the returned record's report (status ``rejected``)."""
    if not policies.can_import_into(actor, target):
        raise errors.forbidden()
    limit = max_bytes if max_bytes is not None else settings.TONGKE_ROSTER_MAX_BYTES
    report = Report()
    kind = sniff_kind(path)
    record = RosterImport(
        actor=actor,
        actor_label=getattr(actor, "username", "") or str(actor),
        target=target,
        target_label=target.name,
        scope_path=target.path,
        file_name=file_name[:255],
        file_size=_size(path),
        file_sha256=_sha256(path),
        kind=kind,
        dry_run=dry_run,
    )
    plan = _parse(path, file_name=file_name, kind=kind, report=report, max_bytes=limit)
    if plan is None:
        return _finish(record, report, counts={})
    if dry_run:
        resolution = resolve(plan, actor=actor, target=target, report=report)
        return _finish(record, report, counts=resolution.counts_json() if report.ok else {})
    try:
        with transaction.atomic():
            target = OrgUnit.objects.select_for_update().get(pk=target.pk)
            resolution = resolve(plan, actor=actor, target=target, report=report)
            if not report.ok:
                raise _Rejected
            _apply(resolution, actor=actor)
            record = _finish(record, report, counts=resolution.counts_json())
            if resolution.changes:
                audit_record(
                    actor=actor,
                    action="roster.import",
                    target=record,
                    target_label=record.file_name,
                    scope_path=target.path,
                    changes={
                        f"{entity}.{action}": [None, n]
                        for entity, counts in record.counts.items()
                        for action, n in counts.items()
                        if n and action != "unchanged"
                    },
                )
            return record
    except _Rejected:
        pass
    except (TongkeError, IntegrityError, ValidationError) as exc:
        reason = exc.code if isinstance(exc, TongkeError) else exc.__class__.__name__
        report.error(errors.APPLY_FAILED, file=file_name, reason=f"{reason}: {exc}"[:300])
    return _finish(record, report, counts={})


def roster_import_too_large(
    *, actor: Actor, file_name: str, target: OrgUnit, dry_run: bool, max_bytes: int
) -> RosterImport:
    """Record an upload that was dropped while it arrived because it passed the limit."""
    if not policies.can_import_into(actor, target):
        raise errors.forbidden()
    report = Report()
    report.error(errors.TOO_LARGE, file=file_name, limit=max_bytes)
    record = RosterImport(
        actor=actor,
        actor_label=getattr(actor, "username", "") or str(actor),
        target=target,
        target_label=target.name,
        scope_path=target.path,
        file_name=file_name[:255] or "-",
        file_size=max_bytes + 1,
        kind=ImportKind.ONEROSTER_ZIP
        if file_name.lower().endswith(".zip")
        else ImportKind.PLAIN_CSV,
        dry_run=dry_run,
    )
    return _finish(record, report, counts={})


def _parse(path: Path, *, file_name: str, kind: str, report: Report, max_bytes: int) -> Plan | None:
    source = read_source(path, name=file_name, kind=kind, report=report, max_bytes=max_bytes)
    if source is None:
        return None
    if kind == ImportKind.PLAIN_CSV:
        return parse_plain(source, report)
    return parse_oneroster(source, report)


def _finish(record: RosterImport, report: Report, *, counts: dict[str, Any]) -> RosterImport:
    record.status = ImportStatus.OK if report.ok else ImportStatus.REJECTED
    record.counts = counts
    record.report = report.as_json()
    record.error_count = report.errors
    record.warning_count = report.warnings
    record.full_clean()
    record.save()
    return record


# --- Writing ---------------------------------------------------------------------------------


class _Writer:
    """Carries out a Resolution, in the order that keeps every policy check true."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.unit_pks: dict[str, int] = {}
        self.user_pks: dict[str, int] = {}
        self.User = get_user_model()
        self.units_done = False
        self.unit_cache: dict[int, OrgUnit] = {}

    def unit(self, ref: RUnit) -> OrgUnit:
        """The unit, read fresh while units are written (a move changes paths below it),
        then kept: the role phase changes no unit."""
        pk = ref.pk if ref.pk is not None else self.unit_pks[ref.key or ""]
        if not self.units_done:
            return OrgUnit.objects.get(pk=pk)
        if pk not in self.unit_cache:
            self.unit_cache[pk] = OrgUnit.objects.get(pk=pk)
        return self.unit_cache[pk]

    def person(self, ref: RUser) -> Any:
        pk = ref.pk if ref.pk is not None else self.user_pks[ref.key or ""]
        return self.User.objects.get(pk=pk)

    def place_under(self, op: UnitOp) -> OrgUnit:
        parent = self.unit(op.parent)
        if op.spec.kind == UnitKind.CLASS:
            return org_services.grade_for(
                actor=self.actor, school=parent, grade_level=op.spec.grade_level or 0
            )
        return parent

    def apply_unit(self, op: UnitOp) -> None:
        if op.action == "create":
            unit = org_services.unit_create(
                actor=self.actor, parent=self.place_under(op), **op.fields
            )
            self.unit_pks[op.spec.key] = unit.pk
            return
        assert op.pk is not None
        unit = OrgUnit.objects.get(pk=op.pk)
        if op.changes:
            unit = org_services.unit_update(actor=self.actor, unit=unit, **op.changes)
        if op.move:
            org_services.unit_move(actor=self.actor, unit=unit, new_parent=self.place_under(op))
        self.unit_pks[op.spec.key] = unit.pk

    def create_person(self, op: UserOp) -> None:
        """A new person, created with their first role (their place in the tree)."""
        fields: dict[str, Any] = {"username": op.spec.username, **op.spec.fields}
        if op.spec.external_id:
            fields["external_id"] = op.spec.external_id
        first = op.first
        if first is not None:
            fields["role"] = first.role
            fields["unit"] = self.unit(first.unit) if first.unit is not None else None
            fields["subject"] = self.person(first.subject) if first.subject is not None else None
        person = org_services.person_create(actor=self.actor, **fields)
        self.user_pks[op.spec.key] = person.pk
        if first is not None and first.external_id:
            assignment = RoleAssignment.objects.select_related("unit", "subject").get(
                user=person, role=first.role, unit=fields["unit"], subject=fields["subject"]
            )
            self.set_roster_id(assignment, first.external_id)

    def set_roster_id(self, assignment: RoleAssignment, external_id: str | None) -> None:
        """Record a role's roster id (resolve.py made sure no other role has it)."""
        before = assignment.external_id
        assignment.external_id = external_id
        RoleAssignment.objects.filter(pk=assignment.pk).update(external_id=external_id)
        audit_record(
            actor=self.actor,
            action="role.update",
            target=assignment,
            scope_path=assignment.unit.path if assignment.unit else "",
            changes={"external_id": [before, external_id]},
        )

    def apply_role(self, op: RoleOp) -> None:
        pk = op.pk or 0
        if op.action == "revoke":
            assignment = RoleAssignment.objects.select_related("user", "unit", "subject").get(pk=pk)
            org_services.role_revoke(actor=self.actor, assignment=assignment)
        elif op.action == "adopt":
            assignment = RoleAssignment.objects.select_related("unit", "subject").get(pk=pk)
            self.set_roster_id(assignment, op.external_id)
        elif not op.first:  # first roles were given with the person
            assert op.user is not None
            org_services.role_grant(
                actor=self.actor,
                person=self.person(op.user),
                role=op.role,
                unit=self.unit(op.unit) if op.unit is not None else None,
                subject=self.person(op.subject) if op.subject is not None else None,
                external_id=op.external_id,
            )


def _apply(resolution: Resolution, *, actor: Actor) -> None:
    """Write in an order that keeps every policy check of tongke.orgs.services true: units,
    changes to existing people, roles taken away (guardian links before the enrollments
    they depend on), then new people with a unit role and the other unit roles, then new
    guardians and guardian links (their children are enrolled by then)."""
    writer = _Writer(actor)
    for unit_op in resolution.units:
        writer.apply_unit(unit_op)
    writer.units_done = True
    created = [op for op in resolution.users if op.action == "create"]
    for user_op in resolution.users:
        if user_op.action != "create":
            assert user_op.pk is not None
            org_services.person_update(
                actor=actor, person=writer.User.objects.get(pk=user_op.pk), **user_op.changes
            )
    for role_op in (
        *resolution.revoke_guardians,
        *resolution.revoke_roles,
        *resolution.adopt_roles,
    ):
        writer.apply_role(role_op)
    for user_op in created:
        if user_op.first is None or user_op.first.role != Role.PARENT:
            writer.create_person(user_op)
    for role_op in resolution.grant_roles:
        writer.apply_role(role_op)
    for user_op in created:
        if user_op.first is not None and user_op.first.role == Role.PARENT:
            writer.create_person(user_op)
    for role_op in resolution.grant_guardians:
        writer.apply_role(role_op)
