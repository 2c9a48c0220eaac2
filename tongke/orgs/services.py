"""Writes on the org tree, people and roles. Each runs in one transaction, checks its
policy, validates with full_clean() and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.accounts.types import Actor
from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Invalid, NotFound
from tongke.orgs import errors, policies
from tongke.orgs.enums import ROLE_SCOPE_KINDS, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

UNIT_FIELDS = (
    "kind",
    "code",
    "name",
    "name_en",
    "is_active",
    "region_level",
    "school_type",
    "location_class",
    "bandwidth_mbps",
    "grade_level",
    "external_id",
)
PERSON_FIELDS = ("username", "full_name", "email", "phone", "is_active", "external_id")

# What may sit under what.
ALLOWED_PARENT: dict[str, tuple[str | None, ...]] = {
    UnitKind.REGION: (None, UnitKind.REGION),
    UnitKind.SCHOOL: (UnitKind.REGION,),
    UnitKind.GRADE: (UnitKind.SCHOOL,),
    UnitKind.CLASS: (UnitKind.GRADE,),
}


def validation_error(exc: ValidationError) -> Invalid:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(detail.values()))[0] if detail else str(exc)
    return Invalid(first, code="invalid", detail=detail)


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    if (parent.kind if parent else None) not in ALLOWED_PARENT[kind]:
        raise errors.bad_parent(kind, parent.kind if parent else None)


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as exc:
        if "code" in getattr(exc, "error_dict", {}) and isinstance(obj, OrgUnit):
            raise errors.code_taken(obj.code) from exc
        if "username" in getattr(exc, "error_dict", {}) and hasattr(obj, "username"):
            raise errors.username_taken(obj.username) from exc
        raise validation_error(exc) from exc


# --- Org units -----------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, actor: Actor, parent: OrgUnit | None, **fields: Any) -> OrgUnit:
    kind = fields.get("kind", "")
    if kind not in UnitKind.values:
        raise Invalid(code="orgs.bad_kind", detail={"kind": kind})
    if not policies.can_create_unit(actor, parent, kind):
        raise errors.forbidden()
    _check_parent(kind, parent)
    unit = OrgUnit(**fields)
    _clean(unit, exclude=["path", "depth", "numchild"])
    # Re-read the parent under the transaction: treebeard derives the child's path from it.
    if parent is None:
        unit = OrgUnit.objects.add_root(instance=unit)
    else:
        parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
        unit = OrgUnit.objects.add_child(parent, instance=unit)
    audit_record(
        actor=actor,
        action="org_unit.create",
        target=unit,
        scope_path=unit.path,
        changes=diff({}, snapshot(unit, UNIT_FIELDS)),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Actor, unit: OrgUnit, **changes: Any) -> OrgUnit:
    if not policies.can_manage_unit(actor, unit):
        raise errors.forbidden()
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    for key, value in changes.items():
        if key not in UNIT_FIELDS or key == "kind":
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(unit, key, value)
    _clean(unit, exclude=["path", "depth", "numchild"])
    unit.save()
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="org_unit.update",
            target=unit,
            scope_path=unit.path,
            changes=diff(before, after),
        )
    return unit


@transaction.atomic
def unit_move(*, actor: Actor, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move ``unit`` (and its subtree) under ``new_parent``; refuses cycles."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.select_for_update().get(pk=new_parent.pk)
    if not policies.can_manage_unit(actor, unit) or not policies.can_create_unit(
        actor, new_parent, unit.kind
    ):
        raise errors.forbidden()
    if new_parent.path.startswith(unit.path):
        raise errors.cycle()
    _check_parent(unit.kind, new_parent)
    old_parent = OrgUnit.objects.get_parent(unit)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return unit
    OrgUnit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="org_unit.move",
        target=unit,
        scope_path=unit.path,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return unit


def grade_for(*, actor: Actor, school: OrgUnit, grade_level: int) -> OrgUnit:
    """The grade node of ``school`` at ``grade_level``, created when missing."""
    found = (
        OrgUnit.objects.get_children(school)
        .filter(kind=UnitKind.GRADE, grade_level=grade_level)
        .first()
    )
    if found is not None:
        return found
    return unit_create(
        actor=actor,
        parent=school,
        kind=UnitKind.GRADE,
        code=f"{school.code}-G{grade_level:02d}",
        name=grade_name(grade_level),
        name_en=f"Grade {grade_level}",
        grade_level=grade_level,
    )


CN_NUMERALS = "零一二三四五六七八九十"


def grade_name(level: int) -> str:
    if 1 <= level <= 6:
        return f"{CN_NUMERALS[level]}年级"
    if 7 <= level <= 9:
        return f"初{CN_NUMERALS[level - 6]}"
    if 10 <= level <= 12:
        return f"高{CN_NUMERALS[level - 9]}"
    return f"大{CN_NUMERALS[level - 12]}"


# --- People --------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    password: str | None = None,
    role: str | None = None,
    unit: OrgUnit | None = None,
    subject: Any | None = None,
    **fields: Any,
) -> Any:
    """Create a person, placed in the tree with a first role in the same transaction.

    Only a superuser may create a person with no place: anyone else would lose sight of
    them at once (people are visible through their roles)."""
    if not policies.can_create_user(actor):
        raise errors.forbidden()
    if role is None and not policies.can_create_unplaced_user(actor):
        raise errors.placement_required()
    if role is not None and not policies.can_grant_role(actor, role, unit, subject):
        raise errors.forbidden()
    User = get_user_model()
    person = User(**fields)
    _clean(person, exclude=["password"])
    if password:
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise Invalid(
                exc.messages[0], code="accounts.weak_password", detail={"password": exc.messages}
            ) from exc
        person.set_password(password)
    else:
        person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise errors.username_taken(person.username) from exc
    audit_record(
        actor=actor,
        action="person.create",
        target=person,
        scope_path=unit.path if unit is not None else "",
        changes=diff({}, snapshot(person, PERSON_FIELDS)),
    )
    if role is not None:
        role_grant(actor=actor, person=person, role=role, unit=unit, subject=subject)
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: User, **changes: Any) -> Any:
    is_self = actor.pk == person.pk
    self_editable = {"email", "phone"}
    if not (policies.can_edit_user(actor, person) or (is_self and set(changes) <= self_editable)):
        raise errors.forbidden()
    User = get_user_model()
    person = User.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    for key, value in changes.items():
        if key not in PERSON_FIELDS:
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(person, key, value)
    _clean(person, exclude=["password"])
    person.save()
    after = snapshot(person, PERSON_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="person.update",
            target=person,
            scope_path=_person_scope(person),
            changes=diff(before, after),
        )
    return person


def _person_scope(person: User) -> str:
    paths = policies.person_scope_paths(person)
    return min(paths, key=len) if paths else ""


# --- Roles ---------------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    actor: Actor,
    person: User,
    role: str,
    unit: OrgUnit | None = None,
    subject: Any | None = None,
    external_id: str | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise Invalid(code="orgs.bad_role", detail={"role": role})
    kinds = ROLE_SCOPE_KINDS[role]
    if kinds:
        if unit is None or subject is not None or unit.kind not in kinds:
            raise errors.role_scope(role)
    elif role == Role.PARENT:
        if subject is None or unit is not None or subject.pk == person.pk:
            raise errors.role_scope(role)
    elif unit is not None or subject is not None:
        raise errors.role_scope(role)
    if not policies.can_grant_role(actor, role, unit, subject):
        raise errors.forbidden()
    assignment = RoleAssignment(
        user=person, role=role, unit=unit, subject=subject, external_id=external_id
    )
    try:
        assignment.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise errors.role_exists() from exc
    except ValidationError as exc:
        raise validation_error(exc) from exc
    policies.forget_grants(person)
    audit_record(
        actor=actor,
        action="role.grant",
        target=assignment,
        scope_path=_role_scope(assignment),
        changes={
            "user": [None, person.pk],
            "role": [None, role],
            "unit": [None, unit.pk if unit else None],
            "subject": [None, subject.pk if subject else None],
        },
    )
    return assignment


def _role_scope(assignment: RoleAssignment) -> str:
    if assignment.unit is not None:
        return assignment.unit.path
    if assignment.subject is not None:
        return _person_scope(assignment.subject)
    return ""


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    if not policies.can_grant_role(actor, assignment.role, assignment.unit, assignment.subject):
        raise errors.forbidden()
    if assignment.user_id == actor.pk and assignment.role in (Role.REGION_ADMIN, Role.SCHOOL_ADMIN):
        raise Invalid(_("You cannot take away your own admin role."), code="orgs.self_revoke")
    scope = _role_scope(assignment)
    pk = assignment.pk
    label = str(assignment)
    deleted, _rows = RoleAssignment.objects.filter(pk=pk).delete()
    if not deleted:
        raise NotFound(code="orgs.role_not_found")
    policies.forget_grants(assignment.user)
    audit_record(
        actor=actor,
        action="role.revoke",
        target_type="orgs.roleassignment",
        target_id=str(pk),
        target_label=label,
        scope_path=scope,
        changes={"role": [assignment.role, None], "user": [assignment.user_id, None]},
    )


@transaction.atomic
def person_set_password(*, actor: Actor, person: User, password: str) -> Any:
    """An admin sets a new password for a person in their scope (the value is never logged)."""
    if not policies.can_edit_user(actor, person):
        raise errors.forbidden()
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise Invalid(
            exc.messages[0], code="accounts.weak_password", detail={"password": exc.messages}
        ) from exc
    person.set_password(password)
    person.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="person.set_password",
        target=person,
        scope_path=_person_scope(person),
    )
    return person
