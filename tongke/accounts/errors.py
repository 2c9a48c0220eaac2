from django.utils.translation import gettext_lazy as _

from tongke.accounts.enums import TOKEN_MAX_DAYS
from tongke.core.errors import Invalid, PermissionDenied, Throttled

LOGIN_THROTTLED = "accounts.login_throttled"
TOKEN_NAME = "accounts.token_name"  # noqa: S105 (an error code)
TOKEN_EXPIRY = "accounts.token_expiry"  # noqa: S105 (an error code)
TOKEN_SCOPES = "accounts.token_scopes"  # noqa: S105 (an error code)
TOKEN_SCOPE = "accounts.token_scope"  # noqa: S105 (an error code)
TOKEN_SESSION_REQUIRED = "accounts.token_session_required"  # noqa: S105 (an error code)


def login_throttled(wait_s: int) -> Throttled:
    minutes = max(1, (wait_s + 59) // 60)
    return Throttled(
        _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
        % {"minutes": minutes},
        code=LOGIN_THROTTLED,
        detail={"retry_after_s": wait_s},
    )


def bad_token_name() -> Invalid:
    return Invalid(
        _("A token needs a name of 1 to 100 characters, without control characters."),
        code=TOKEN_NAME,
    )


def bad_token_expiry() -> Invalid:
    return Invalid(
        _("A token lives 1 to %(days)d days.") % {"days": TOKEN_MAX_DAYS},
        code=TOKEN_EXPIRY,
        detail={"max_days": TOKEN_MAX_DAYS},
    )


def bad_token_scopes() -> Invalid:
    return Invalid(
        _("A token needs one or more of the scopes “read” and “write”."), code=TOKEN_SCOPES
    )


def token_scope_missing() -> PermissionDenied:
    return PermissionDenied(
        _("This token is read-only: changes need a token with the “write” scope."),
        code=TOKEN_SCOPE,
        detail={"needs": "write"},
    )


def token_session_required() -> PermissionDenied:
    return PermissionDenied(
        _("API tokens are created from a signed-in browser session, not with a token."),
        code=TOKEN_SESSION_REQUIRED,
    )
