"""Error codes of the orgs app."""

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Conflict, Invalid, PermissionDenied

CYCLE = "orgs.cycle"
BAD_PARENT = "orgs.bad_parent"
CODE_TAKEN = "orgs.code_taken"
USERNAME_TAKEN = "orgs.username_taken"
ROLE_SCOPE = "orgs.role_scope"
ROLE_EXISTS = "orgs.role_exists"
FORBIDDEN = "orgs.forbidden"
UNIT_IN_USE = "orgs.unit_in_use"


def cycle() -> Invalid:
    return Invalid(
        _("A unit cannot be moved under itself or one of its own descendants."), code=CYCLE
    )


def bad_parent(kind: str, parent_kind: str | None) -> Invalid:
    from tongke.orgs.enums import UnitKind

    label = UnitKind(kind).label if kind in UnitKind.values else kind
    if parent_kind is None:
        return Invalid(
            _("A %(kind)s cannot stand at the top of the tree.") % {"kind": label}, code=BAD_PARENT
        )
    return Invalid(
        _("A %(kind)s cannot be placed under a %(parent)s.")
        % {"kind": label, "parent": UnitKind(parent_kind).label},
        code=BAD_PARENT,
    )


def code_taken(code: str) -> Conflict:
    return Conflict(_("The code %(code)s is already used.") % {"code": code}, code=CODE_TAKEN)


def username_taken(username: str) -> Conflict:
    return Conflict(
        _("The username %(username)s is already taken.") % {"username": username},
        code=USERNAME_TAKEN,
    )


def role_scope(role: str) -> Invalid:
    from tongke.orgs.enums import Role

    label = Role(role).label if role in Role.values else role
    return Invalid(
        _("The role %(role)s cannot be given at that place.") % {"role": label}, code=ROLE_SCOPE
    )


def role_exists() -> Conflict:
    return Conflict(_("This person already holds that role there."), code=ROLE_EXISTS)


def forbidden() -> PermissionDenied:
    return PermissionDenied(_("You may not change this."), code=FORBIDDEN)


def placement_required() -> Invalid:
    return Invalid(
        _(
            "A new person needs a first role and a place "
            "(role with unit_id, or subject_id for a parent)."
        ),
        code="orgs.placement_required",
    )
