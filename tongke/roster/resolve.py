"""Matching a Plan against what is already there and against the actor's scope.

The result is a list of operations (create, update, move, remove, grant, revoke) that
services.py carries out through tongke.orgs.services, and the counts per entity. Everything
that would fail is reported here first, with the row it came from, so that an import is
either written whole or not at all.

Matching: org units and people by roster id (``external_id``); when none has it yet, an
existing unit inside the target with the same code (a region or school ``identifier``) or a
person with the same username and no roster id is taken over, when the actor may change it.
Plain CSV people are matched by username and classes by school, grade and name. Roles are
matched by roster id, then by person, role and place.

Policies are the ones of tongke.orgs.policies. For a unit that does not exist yet the check
is made at the place it will be created under: every rule there is a prefix test on the
unit's path, and a new unit's path starts with its parent's.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from tongke.accounts.types import Actor
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import (
    ADMIN_ROLES,
    ROLE_SCOPE_KINDS,
    LocationClass,
    Role,
    SchoolType,
    UnitKind,
)
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.roster import errors
from tongke.roster import policies as roster_policies
from tongke.roster.enums import ACTIONS
from tongke.roster.oneroster import ADMIN
from tongke.roster.plan import TARGET, Plan, RoleSpec, UnitSpec, UserSpec, spec_ref
from tongke.roster.report import Report, Where

DEFAULT_SCHOOL_TYPE = SchoolType.NINE_YEAR
DEFAULT_LOCATION_CLASS = LocationClass.URBAN
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    UnitKind.REGION: (UnitKind.REGION,),
    UnitKind.SCHOOL: (UnitKind.REGION,),
    UnitKind.CLASS: (UnitKind.SCHOOL,),
}
CHUNK = 500


@dataclass
class RUnit:
    """An org unit as the plan sees it: one that exists (pk) or one the import creates."""

    kind: str
    code: str
    path: str  # the unit's path, or for a new unit the path of the place it goes under
    pk: int | None = None
    key: str | None = None
    removed: bool = False

    @property
    def new(self) -> bool:
        return self.pk is None

    @property
    def ident(self) -> str:
        return f"pk:{self.pk}" if self.pk is not None else f"key:{self.key}"

    def standin(self) -> OrgUnit:
        """An unsaved unit at this place, for the path-based policies."""
        return OrgUnit(kind=self.kind, code=self.code, path=self.path)


@dataclass
class RUser:
    username: str
    pk: int | None = None
    key: str | None = None
    removed: bool = False

    @property
    def ident(self) -> str:
        return f"pk:{self.pk}" if self.pk is not None else f"key:{self.key}"


@dataclass
class UnitOp:
    action: str  # create | update | remove
    spec: UnitSpec
    parent: RUnit
    code: str = ""
    pk: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    move: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class RoleOp:
    action: str  # grant | revoke | adopt
    entity: str
    role: str
    user: RUser | None = None
    unit: RUnit | None = None
    subject: RUser | None = None
    external_id: str | None = None
    pk: int | None = None  # the assignment revoked or adopted
    first: bool = False  # given when the person is created (orgs.services.person_create)


@dataclass
class UserOp:
    action: str  # create | update | remove
    spec: UserSpec
    pk: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    first: RoleOp | None = None  # a new person's first role: their place in the tree


@dataclass
class Resolution:
    units: list[UnitOp] = field(default_factory=list)
    users: list[UserOp] = field(default_factory=list)
    revoke_guardians: list[RoleOp] = field(default_factory=list)
    revoke_roles: list[RoleOp] = field(default_factory=list)
    adopt_roles: list[RoleOp] = field(default_factory=list)
    grant_roles: list[RoleOp] = field(default_factory=list)
    grant_guardians: list[RoleOp] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def changes(self) -> int:
        return sum(
            n for c in self.counts.values() for action, n in c.items() if action != "unchanged"
        )

    def counts_json(self) -> dict[str, dict[str, int]]:
        return {
            entity: {a: counter.get(a, 0) for a in ACTIONS}
            for entity, counter in self.counts.items()
        }


def _chunks(items: Iterable[Any]) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _slug(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]{1,20}", name):
        return name
    return "K" + hashlib.sha256(name.encode()).hexdigest()[:8]


class Resolver:
    def __init__(self, plan: Plan, *, actor: Actor, target: OrgUnit, report: Report) -> None:
        self.plan = plan
        self.actor = actor
        self.target = target
        self.report = report
        self.out = Resolution()
        self.school_mode = target.kind == UnitKind.SCHOOL
        self.target_unit = RUnit(kind=target.kind, code=target.code, path=target.path, pk=target.pk)
        self.units: dict[str, RUnit] = {TARGET: self.target_unit}
        self.users: dict[str, RUser] = {}
        self.failed: set[str] = set(plan.broken)
        self.claimed_units: dict[int, Where] = {}
        self.claimed_users: dict[int, Where] = {}
        self.new_codes: dict[str, Where] = {}
        self.new_usernames: dict[str, Where] = {}
        self.created: dict[str, UserOp] = {}  # new people by RUser.ident
        self.incomplete: set[str] = set()  # people with a role row that was rejected
        self.new_grades: set[tuple[str, int]] = set()
        self.seen_roles: dict[tuple[str, ...], RoleSpec] = {}
        self.role_ids: dict[str, RoleSpec] = {}  # roster ids of roles, across files
        self.student_paths: dict[str, set[str]] = defaultdict(set)
        self.revoked_student: dict[str, set[str]] = defaultdict(set)
        self._load()

    # --- Loading what exists -----------------------------------------------------------------

    def _load(self) -> None:
        plan = self.plan
        unit_refs = [s.parent for s in plan.units] + [r.unit for r in plan.roles if r.unit]
        user_refs = [r.user for r in plan.roles] + [r.subject for r in plan.roles if r.subject]
        ext_units = {s.external_id for s in plan.units if s.external_id}
        ext_units |= {r[4:] for r in unit_refs if r.startswith("ext:")}
        codes = {s.code for s in plan.units if s.code}
        codes |= {r[5:] for r in unit_refs if r.startswith("code:")}
        self.by_ext: dict[str, OrgUnit] = {}
        self.by_code: dict[str, OrgUnit | None] = {}
        for batch in _chunks(ext_units):
            for u in OrgUnit.objects.filter(external_id__in=batch):
                self.by_ext[u.external_id or ""] = u
        for batch in _chunks(codes):
            found = {u.code: u for u in OrgUnit.objects.filter(code__in=batch)}
            for code in batch:
                self.by_code[code] = found.get(code)
        User = get_user_model()
        ext_users = {s.external_id for s in plan.users if s.external_id}
        ext_users |= {r[4:] for r in user_refs if r.startswith("ext:")}
        names = {s.username for s in plan.users if s.username}
        names |= {r[5:] for r in user_refs if r.startswith("user:")}
        self.users_by_ext: dict[str, Any] = {}
        self.users_by_name: dict[str, Any] = {}
        for batch in _chunks(ext_users):
            for p in User.objects.filter(external_id__in=batch):
                self.users_by_ext[p.external_id or ""] = p
        for batch in _chunks(names):
            for p in User.objects.filter(username__in=batch):
                self.users_by_name[p.username] = p
        role_ids = {r.external_id for r in plan.roles if r.external_id}
        self.roles_by_ext: dict[str, RoleAssignment] = {}
        for batch in _chunks(role_ids):
            for a in RoleAssignment.objects.filter(external_id__in=batch).select_related("unit"):
                self.roles_by_ext[a.external_id or ""] = a
        person_ids = {p.pk for p in self.users_by_ext.values()}
        person_ids |= {p.pk for p in self.users_by_name.values()}
        self.roles_by_key: dict[tuple[int, str, int | None, int | None], RoleAssignment] = {}
        for batch in _chunks(person_ids):
            for a in RoleAssignment.objects.filter(user_id__in=batch).select_related("unit"):
                self.roles_by_key[(a.user_id, a.role, a.unit_id, a.subject_id)] = a
                if a.role == Role.STUDENT and a.unit is not None:
                    self.student_paths[f"pk:{a.user_id}"].add(a.unit.path)
        self.schools: dict[int, tuple[dict[int, OrgUnit], dict[tuple[int, str], OrgUnit]]] = {}

    def _unit_by_code(self, code: str) -> OrgUnit | None:
        if code not in self.by_code:
            self.by_code[code] = OrgUnit.objects.filter(code=code).first()
        return self.by_code[code]

    def _school_index(
        self, school_pk: int
    ) -> tuple[dict[int, OrgUnit], dict[tuple[int, str], OrgUnit]]:
        """The grades of a school by level, and its classes by (level, name)."""
        if school_pk not in self.schools:
            school = OrgUnit.objects.get(pk=school_pk)
            below = OrgUnit.objects.filter(
                path__startswith=school.path, depth__in=(school.depth + 1, school.depth + 2)
            )
            grades: dict[int, OrgUnit] = {}
            by_path: dict[str, OrgUnit] = {}
            classes: dict[tuple[int, str], OrgUnit] = {}
            rows = list(below.order_by("path"))
            for u in rows:
                if u.kind == UnitKind.GRADE and u.grade_level is not None:
                    grades.setdefault(u.grade_level, u)
                    by_path[u.path] = u
            for u in rows:
                grade = by_path.get(u.path[: -OrgUnit.steplen])
                if u.kind == UnitKind.CLASS and grade is not None and grade.grade_level:
                    classes.setdefault((grade.grade_level, u.name), u)
            self.schools[school_pk] = (grades, classes)
        return self.schools[school_pk]

    def _inside(self, unit: OrgUnit) -> bool:
        return unit.path.startswith(self.target.path) and unit.pk != self.target.pk

    # --- References --------------------------------------------------------------------------

    def _unit_ref(self, ref: str, where: Where, column: str, what: str) -> RUnit | None:
        if ref in self.failed:
            return None
        if ref in self.units:
            return self.units[ref]
        if ref.startswith("spec:"):
            return None
        unit: OrgUnit | None = None
        if ref.startswith("ext:"):
            unit = self.by_ext.get(ref[4:])
            if unit is None:
                self.report.error(
                    errors.UNKNOWN_REFERENCE, where=where, column=column, value=ref[4:], what=what
                )
            elif not (self._inside(unit) or unit.pk == self.target.pk):
                self.report.error(
                    errors.OUTSIDE_TARGET,
                    where=where,
                    column=column,
                    value=ref[4:],
                    target=self.target.name,
                )
                unit = None
        elif ref.startswith("code:"):
            unit = self._unit_by_code(ref[5:])
            if (
                unit is None
                or unit.kind != UnitKind.SCHOOL
                or not unit.path.startswith(self.target.path)
            ):
                self.report.error(errors.UNKNOWN_SCHOOL, where=where, column=column, value=ref[5:])
                unit = None
        if unit is None:
            self.failed.add(ref)
            return None
        resolved = RUnit(kind=unit.kind, code=unit.code, path=unit.path, pk=unit.pk)
        self.units[ref] = resolved
        return resolved

    def _user_ref(self, ref: str, where: Where, column: str) -> RUser | None:
        if ref in self.failed:
            return None
        if ref in self.users:
            return self.users[ref]
        if ref.startswith("spec:"):
            return None
        person = None
        value = ref.split(":", 1)[1]
        if ref.startswith("ext:"):
            person = self.users_by_ext.get(value)
        elif ref.startswith("user:"):
            person = self.users_by_name.get(value)
        if person is None:
            self.report.error(
                errors.UNKNOWN_REFERENCE, where=where, column=column, value=value, what=_("person")
            )
            self.failed.add(ref)
            return None
        resolved = RUser(username=person.username, pk=person.pk, removed=False)
        self.users[ref] = resolved
        return resolved

    # --- Units -------------------------------------------------------------------------------

    def resolve(self) -> Resolution:
        for unit_spec in self.plan.units:
            ref = spec_ref(unit_spec.key)
            resolved = self._unit(unit_spec)
            if resolved is None:
                self.failed.add(ref)
            else:
                self.units[ref] = resolved
        for user_spec in self.plan.users:
            ref = spec_ref(user_spec.key)
            person = self._user(user_spec)
            if person is None:
                self.failed.add(ref)
            else:
                self.users[ref] = person
        for role_spec in self.plan.roles:
            self._role(role_spec)
        self._place_new_people()
        return self.out

    def _place_new_people(self) -> None:
        """orgs.services creates a person together with a first role (only a superuser may
        create someone with no place): pick it among the grants, a unit role before a
        guardian link so that the guardian's child exists first."""
        for op in self.out.grant_roles + self.out.grant_guardians:
            created = self.created.get(op.user.ident) if op.user is not None else None
            if created is not None and created.first is None:
                created.first = op
                op.first = True
        superuser = org_policies.can_create_unplaced_user(self.actor)
        for ident, created in self.created.items():
            if created.first is None and not superuser and ident not in self.incomplete:
                self.report.error(
                    errors.NO_PLACE,
                    where=created.spec.where,
                    column="username",
                    value=created.spec.username,
                )

    def _count(self, entity: str, action: str) -> None:
        self.out.counts[entity][action] += 1

    def _forbidden(self, where: Where, column: str = "", value: str = "") -> None:
        self.report.error(errors.FORBIDDEN, where=where, column=column, value=value)

    def _is_anchor(self, spec: UnitSpec) -> bool:
        if spec.kind != self.target.kind:
            return False
        if spec.external_id and spec.external_id == self.target.external_id:
            return True
        return bool(spec.code) and spec.code == self.target.code

    def _anchor(self, spec: UnitSpec) -> RUnit | None:
        where = spec.where
        if spec.remove:
            self._forbidden(where, "status", "tobedeleted")
            return None
        holder = self.by_ext.get(spec.external_id or "")
        taken = holder is not None and holder.pk != self.target.pk
        if taken or (spec.external_id and self.target.external_id not in (None, spec.external_id)):
            self.report.error(errors.CODE_TAKEN, where=where, column="identifier", value=spec.code)
            return None
        if spec.external_id and self.target.external_id is None:
            self.out.units.append(
                UnitOp(
                    action="update",
                    spec=spec,
                    parent=self.target_unit,
                    pk=self.target.pk,
                    changes={"external_id": spec.external_id},
                )
            )
            self._count(spec.entity, "updated")
        else:
            self._count(spec.entity, "unchanged")
        self.claimed_units[self.target.pk] = where
        return self.target_unit

    def _unit(self, spec: UnitSpec) -> RUnit | None:
        where = spec.where
        if self._is_anchor(spec):
            return self._anchor(spec)
        if self.school_mode:
            if spec.kind == UnitKind.REGION:
                self.report.warning(errors.IGNORED_ORG, where=where, column="type", value=spec.kind)
                return None
            if spec.kind == UnitKind.SCHOOL:
                self.report.error(
                    errors.OUTSIDE_TARGET,
                    where=where,
                    column="sourcedId",
                    value=spec.name,
                    target=self.target.name,
                )
                return None
        what = _("school") if spec.kind == UnitKind.CLASS else _("org")
        parent = self._unit_ref(spec.parent, where, spec.parent_column, what)
        if parent is None:
            return None
        if parent.kind not in PARENT_KINDS[spec.kind]:
            self.report.error(
                errors.BAD_PARENT,
                where=where,
                column=spec.parent_column,
                kind=spec.kind,
                parent=parent.kind,
            )
            return None
        if parent.removed and not spec.remove:
            self.report.error(
                errors.REFERENCE_DELETED, where=where, column=spec.parent_column, value=parent.code
            )
            return None
        code = self._code_for(spec, parent)
        found = self._find_unit(spec, parent, code)
        if found is None:
            return None
        existing, adopted = found
        if existing is not None:
            return self._existing_unit(spec, parent, existing, adopted)
        return self._new_unit(spec, parent, code)

    def _code_for(self, spec: UnitSpec, parent: RUnit) -> str:
        if spec.kind != UnitKind.CLASS:
            return spec.code
        if spec.natural:
            code = f"{parent.code}-G{spec.grade_level or 0:02d}-{_slug(spec.name)}"
        else:
            code = f"{parent.code}-{spec.code_suffix}"
        if len(code) > 64:
            code = f"{parent.code[:40]}-{hashlib.sha256(code.encode()).hexdigest()[:16]}"
        return code

    def _find_unit(
        self, spec: UnitSpec, parent: RUnit, code: str
    ) -> tuple[OrgUnit | None, bool] | None:
        """(the existing unit or None, taken over by code); None when an error was reported."""
        where = spec.where
        existing: OrgUnit | None = None
        adopted = False
        if spec.external_id:
            existing = self.by_ext.get(spec.external_id)
        if existing is None and spec.natural and not parent.new and spec.grade_level:
            existing = self._school_index(parent.pk or 0)[1].get((spec.grade_level, spec.name))
        if existing is None and not spec.natural and not spec.remove:
            by_code = self._unit_by_code(code)
            if by_code is not None:
                if (
                    by_code.external_id is None
                    and by_code.kind == spec.kind
                    and self._inside(by_code)
                    and by_code.pk not in self.claimed_units
                ):
                    existing, adopted = by_code, True
                else:
                    column = "identifier" if spec.kind != UnitKind.CLASS else "classCode"
                    # Regions and schools are public directory facts; classes are not.
                    public = by_code.kind in (UnitKind.REGION, UnitKind.SCHOOL)
                    if public and not by_code.path.startswith(self.target.path):
                        self.report.error(
                            errors.OUTSIDE_TARGET,
                            where=where,
                            column=column,
                            value=code,
                            target=self.target.name,
                        )
                    else:
                        self.report.error(errors.CODE_TAKEN, where=where, column=column, value=code)
                    return None
        if existing is None:
            return None, False
        if existing.kind != spec.kind:
            self.report.error(
                errors.KIND_MISMATCH,
                where=where,
                column="sourcedId",
                value=spec.external_id or code,
                kind=existing.kind,
                expected=spec.kind,
            )
            return None
        if not self._inside(existing):
            self.report.error(
                errors.OUTSIDE_TARGET,
                where=where,
                column="sourcedId",
                value=spec.external_id or code,
                target=self.target.name,
            )
            return None
        if existing.pk in self.claimed_units:
            first = self.claimed_units[existing.pk]
            self.report.error(
                errors.DUPLICATE_VALUE,
                where=where,
                column="identifier",
                value=existing.code,
                first=first.line,
            )
            return None
        self.claimed_units[existing.pk] = where
        return existing, adopted

    def _grade_needed(self, spec: UnitSpec, parent: RUnit) -> bool:
        """Count (and check the code of) a grade node the import will create; False on error."""
        level = spec.grade_level or 0
        if not parent.new and level in self._school_index(parent.pk or 0)[0]:
            return True
        key = (parent.ident, level)
        if key in self.new_grades:
            return True
        code = f"{parent.code}-G{level:02d}"
        if self._unit_by_code(code) is not None or code in self.new_codes:
            self.report.error(errors.CODE_TAKEN, where=spec.where, column="grades", value=code)
            return False
        self.new_grades.add(key)
        self.new_codes[code] = spec.where
        self._count("grades", "created")
        return True

    def _existing_unit(
        self, spec: UnitSpec, parent: RUnit, unit: OrgUnit, adopted: bool
    ) -> RUnit | None:
        where = spec.where
        changes: dict[str, Any] = {}
        move = False
        if spec.remove:
            if unit.is_active:
                changes["is_active"] = False
        else:
            if adopted and spec.external_id:
                changes["external_id"] = spec.external_id
            if spec.name and unit.name != spec.name:
                changes["name"] = spec.name
            if spec.name_en is not None and unit.name_en != spec.name_en:
                changes["name_en"] = spec.name_en
            if spec.kind == UnitKind.SCHOOL:
                if spec.school_type and unit.school_type != spec.school_type:
                    changes["school_type"] = spec.school_type
                if spec.location_class and unit.location_class != spec.location_class:
                    changes["location_class"] = spec.location_class
            if spec.kind == UnitKind.CLASS and unit.grade_level != spec.grade_level:
                changes["grade_level"] = spec.grade_level
            if not unit.is_active:
                changes["is_active"] = True
            current_parent = unit.path[: -OrgUnit.steplen]
            if spec.kind == UnitKind.CLASS:
                grade = (
                    None
                    if parent.new
                    else self._school_index(parent.pk or 0)[0].get(spec.grade_level or 0)
                )
                move = grade is None or grade.path != current_parent
                if move and not self._grade_needed(spec, parent):
                    return None
            elif spec.parent != TARGET:
                # An empty parentSourcedId says nothing about where an existing unit sits.
                move = parent.new or parent.path != current_parent
        if changes or move:
            allowed = org_policies.can_manage_unit(self.actor, unit)
            if move:
                allowed = allowed and org_policies.can_create_unit(
                    self.actor, parent.standin(), unit.kind
                )
            if not allowed:
                self._forbidden(where, "sourcedId", spec.external_id or unit.code)
                return None
            self.out.units.append(
                UnitOp(
                    action="remove" if spec.remove else "update",
                    spec=spec,
                    parent=parent,
                    pk=unit.pk,
                    changes=changes,
                    move=move,
                )
            )
        action = "unchanged"
        if changes or move:
            action = "removed" if spec.remove else "updated"
        self._count(spec.entity, action)
        return RUnit(
            kind=unit.kind,
            code=unit.code,
            path=unit.path,
            pk=unit.pk,
            key=spec.key,
            removed=spec.remove,
        )

    def _new_unit(self, spec: UnitSpec, parent: RUnit, code: str) -> RUnit | None:
        where = spec.where
        resolved = RUnit(
            kind=spec.kind, code=code, path=parent.path, key=spec.key, removed=spec.remove
        )
        if spec.remove:  # nothing to remove
            self._count(spec.entity, "unchanged")
            return resolved
        column = "identifier" if spec.kind != UnitKind.CLASS else "classCode"
        if code in self.new_codes or self._unit_by_code(code) is not None:
            self.report.error(errors.CODE_TAKEN, where=where, column=column, value=code)
            return None
        if not org_policies.can_create_unit(self.actor, parent.standin(), spec.kind):
            self._forbidden(where, spec.parent_column, spec.name)
            return None
        if spec.kind == UnitKind.CLASS and not self._grade_needed(spec, parent):
            return None
        self.new_codes[code] = where
        fields: dict[str, Any] = {"kind": spec.kind, "code": code, "name": spec.name}
        if spec.external_id:
            fields["external_id"] = spec.external_id
        if spec.name_en:
            fields["name_en"] = spec.name_en
        if spec.kind == UnitKind.REGION:
            fields["region_level"] = spec.region_level
        elif spec.kind == UnitKind.SCHOOL:
            if not spec.school_type or not spec.location_class:
                self.report.warning(
                    errors.DEFAULT_SCHOOL_TYPE,
                    where=where,
                    column="tongke_school_type",
                    value=spec.name,
                    school_type=spec.school_type or DEFAULT_SCHOOL_TYPE,
                    location_class=spec.location_class or DEFAULT_LOCATION_CLASS,
                )
            fields["school_type"] = spec.school_type or DEFAULT_SCHOOL_TYPE
            fields["location_class"] = spec.location_class or DEFAULT_LOCATION_CLASS
        else:
            fields["grade_level"] = spec.grade_level
        self.out.units.append(
            UnitOp(action="create", spec=spec, parent=parent, code=code, fields=fields)
        )
        self._count(spec.entity, "created")
        return resolved

    # --- People ------------------------------------------------------------------------------

    def _user(self, spec: UserSpec) -> RUser | None:
        where = spec.where
        existing = self.users_by_ext.get(spec.external_id) if spec.external_id else None
        adopted = False
        if existing is None and spec.username:
            other = self.users_by_name.get(spec.username)
            if other is not None and not spec.remove:
                if spec.external_id is None:
                    existing = other
                elif other.external_id is None:
                    existing, adopted = other, True
                else:
                    self.report.error(
                        errors.USERNAME_TAKEN, where=where, column="username", value=spec.username
                    )
                    return None
        if existing is None:
            return self._new_user(spec)
        if existing.pk in self.claimed_users:
            self.report.error(
                errors.DUPLICATE_VALUE,
                where=where,
                column="username",
                value=existing.username,
                first=self.claimed_users[existing.pk].line,
            )
            return None
        self.claimed_users[existing.pk] = where
        changes: dict[str, Any] = {}
        if spec.remove:
            if existing.is_active:
                changes["is_active"] = False
        else:
            if adopted:
                changes["external_id"] = spec.external_id
            if spec.username and spec.username != existing.username:
                clash = (
                    self.users_by_name.get(spec.username)
                    or get_user_model().objects.filter(username=spec.username).first()
                )
                if (clash is not None and clash.pk != existing.pk) or (
                    spec.username in self.new_usernames
                ):
                    self.report.error(
                        errors.USERNAME_TAKEN, where=where, column="username", value=spec.username
                    )
                    return None
                changes["username"] = spec.username
                self.new_usernames[spec.username] = where
            for name, value in spec.fields.items():
                if getattr(existing, name) != value:
                    changes[name] = value
        if changes and not org_policies.can_edit_user(self.actor, existing):
            if adopted:  # do not tell whether someone outside the scope has this username
                self.report.error(
                    errors.USERNAME_TAKEN, where=where, column="username", value=spec.username
                )
            else:
                self._forbidden(where, "username", existing.username)
            return None
        if changes:
            self.out.users.append(
                UserOp(
                    action="remove" if spec.remove else "update",
                    spec=spec,
                    pk=existing.pk,
                    changes=changes,
                )
            )
        self._count("users", ("removed" if spec.remove else "updated") if changes else "unchanged")
        return RUser(username=existing.username, pk=existing.pk, key=spec.key, removed=spec.remove)

    def _new_user(self, spec: UserSpec) -> RUser | None:
        where = spec.where
        resolved = RUser(username=spec.username, key=spec.key, removed=spec.remove)
        if spec.remove:
            self._count("users", "unchanged")
            return resolved
        if spec.username in self.new_usernames:
            self.report.error(
                errors.USERNAME_TAKEN, where=where, column="username", value=spec.username
            )
            return None
        if not org_policies.can_create_user(self.actor):
            self._forbidden(where, "username", spec.username)
            return None
        self.new_usernames[spec.username] = where
        op = UserOp(action="create", spec=spec)
        self.created[resolved.ident] = op
        self.out.users.append(op)
        self._count("users", "created")
        return resolved

    # --- Roles -------------------------------------------------------------------------------

    def _role(self, spec: RoleSpec) -> None:
        errors_before = self.report.errors
        self._role_spec(spec)
        refs = [r for r in (spec.user, spec.unit, spec.subject) if r]
        if self.report.errors > errors_before or any(r in self.failed for r in refs):
            # The person's place is unknown: do not also report them as having none.
            user = self.users.get(spec.user)
            if user is not None:
                self.incomplete.add(user.ident)

    def _role_spec(self, spec: RoleSpec) -> None:
        where = spec.where
        user = self._user_ref(spec.user, where, spec.user_column)
        what = _("class") if spec.entity == "enrollments" else _("org")
        unit = self._unit_ref(spec.unit, where, spec.unit_column, what) if spec.unit else None
        subject = self._user_ref(spec.subject, where, spec.subject_column) if spec.subject else None
        if user is None or (spec.unit and unit is None) or (spec.subject and subject is None):
            return
        role = spec.role
        if role == ADMIN and unit is not None:
            role = Role.SCHOOL_ADMIN if unit.kind == UnitKind.SCHOOL else Role.REGION_ADMIN
        kinds = ROLE_SCOPE_KINDS.get(role, ())
        bad_scope = (kinds and (unit is None or unit.kind not in kinds)) or (
            role == Role.PARENT and (subject is None or subject.ident == user.ident)
        )
        if bad_scope:
            self.report.error(
                errors.ROLE_SCOPE,
                where=where,
                column=spec.unit_column or spec.subject_column,
                value=role,
                kind=unit.kind if unit else "-",
            )
            return
        if not spec.remove:
            for ref, column in ((user, spec.user_column), (subject, spec.subject_column)):
                if ref is not None and ref.removed:
                    self.report.error(
                        errors.REFERENCE_DELETED, where=where, column=column, value=ref.username
                    )
                    return
            if unit is not None and unit.removed:
                self.report.error(
                    errors.REFERENCE_DELETED, where=where, column=spec.unit_column, value=unit.code
                )
                return
        key = (
            user.ident,
            role,
            unit.ident if unit else "",
            subject.ident if subject else "",
            "x" if spec.remove else "",
        )
        if key in self.seen_roles:
            first = self.seen_roles[key]
            if not (spec.implied or first.external_id == spec.external_id):
                self.report.error(
                    errors.DUPLICATE_ROLE,
                    where=where,
                    column=spec.user_column,
                    value=spec.external_id or "",
                    first=first.where.line,
                )
            return
        self.seen_roles[key] = spec
        if spec.external_id:
            other = self.role_ids.get(spec.external_id)
            if other is not None:
                self.report.error(
                    errors.DUPLICATE_ID,
                    where=where,
                    column="sourcedId",
                    value=spec.external_id,
                    first=f"{other.where.file}:{other.where.line}",
                )
                return
            self.role_ids[spec.external_id] = spec
        by_ext = self.roles_by_ext.get(spec.external_id) if spec.external_id else None
        natural: RoleAssignment | None = None
        if (
            user.pk is not None
            and (unit is None or unit.pk is not None)
            and (subject is None or subject.pk is not None)
        ):
            natural = self.roles_by_key.get(
                (user.pk, role, unit.pk if unit else None, subject.pk if subject else None)
            )
        op = RoleOp(
            action="grant",
            entity=spec.entity,
            role=role,
            user=user,
            unit=unit,
            subject=subject,
            external_id=spec.external_id,
        )
        if spec.remove:
            gone = by_ext or (natural if spec.external_id is None else None)
            if gone is None:
                self._count(spec.entity, "unchanged")
                return
            if self._may_revoke(gone, where, spec):
                self._revoke(gone, spec.entity)
                self._count(spec.entity, "removed")
            return
        if natural is not None:
            if natural.external_id not in (None, spec.external_id):
                self.report.error(
                    errors.ROLE_CONFLICT,
                    where=where,
                    column=spec.user_column,
                    value=natural.external_id or "",
                )
                return
            changed = False
            if by_ext is not None and by_ext.pk != natural.pk:
                if not self._may_revoke(by_ext, where, spec):
                    return
                self._revoke(by_ext, spec.entity)
                changed = True
            if spec.external_id and natural.external_id != spec.external_id:
                if not self._may_revoke(natural, where, spec, revoking=False):
                    return
                op.action, op.pk = "adopt", natural.pk
                self.out.adopt_roles.append(op)
                changed = True
            self._count(spec.entity, "updated" if changed else "unchanged")
            return
        if not self._may_grant(op, where, spec):
            return
        if by_ext is not None:
            if not self._may_revoke(by_ext, where, spec):
                return
            self._revoke(by_ext, spec.entity)
        if role == Role.STUDENT and unit is not None:
            self.student_paths[user.ident].add(unit.path)
        (self.out.grant_guardians if role == Role.PARENT else self.out.grant_roles).append(op)
        self._count(spec.entity, "updated" if by_ext is not None else "created")

    def _revoke(self, assignment: RoleAssignment, entity: str) -> None:
        op = RoleOp(action="revoke", entity=entity, role=assignment.role, pk=assignment.pk)
        if assignment.role == Role.PARENT:
            self.out.revoke_guardians.append(op)
        else:
            self.out.revoke_roles.append(op)
        if assignment.role == Role.STUDENT and assignment.unit is not None:
            self.revoked_student[f"pk:{assignment.user_id}"].add(assignment.unit.path)

    def _may_revoke(
        self, assignment: RoleAssignment, where: Where, spec: RoleSpec, *, revoking: bool = True
    ) -> bool:
        """May the actor take ``assignment`` away (or, not revoking, change its roster id)?"""
        own = assignment.user_id == getattr(self.actor, "pk", None)
        if revoking and own and assignment.role in ADMIN_ROLES:
            self.report.error(errors.SELF_REVOKE, where=where, column=spec.user_column)
            return False
        if not org_policies.can_grant_role(
            self.actor, assignment.role, assignment.unit, assignment.subject
        ):
            self._forbidden(where, spec.user_column, assignment.external_id or "")
            return False
        return True

    def _may_grant(self, op: RoleOp, where: Where, spec: RoleSpec) -> bool:
        if op.role == Role.PARENT:
            assert op.subject is not None
            ident = op.subject.ident
            paths = self.student_paths[ident] - self.revoked_student[ident]
            if not paths:
                self.report.error(
                    errors.GUARDIAN_NOT_STUDENT,
                    where=where,
                    column=spec.subject_column,
                    value=op.subject.username,
                )
                return False
            if not roster_policies.can_place_in(self.actor, paths):
                self._forbidden(where, spec.subject_column, op.subject.username)
                return False
            return True
        unit = op.unit.standin() if op.unit is not None else None
        if not org_policies.can_grant_role(self.actor, op.role, unit, None):
            self._forbidden(where, spec.unit_column, op.role)
            return False
        return True


def resolve(plan: Plan, *, actor: Actor, target: OrgUnit, report: Report) -> Resolution:
    return Resolver(plan, actor=actor, target=target, report=report).resolve()
