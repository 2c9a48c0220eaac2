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
    return Invalid(
        _("A %(kind)s cannot be placed under a %(parent)s.")
        % {"kind": kind, "parent": parent_kind or _("nothing")},
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
    return Invalid(
        _("The role %(role)s cannot be given at that place.") % {"role": role}, code=ROLE_SCOPE
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
