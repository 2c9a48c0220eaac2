from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid, Throttled

LOGIN_THROTTLED = "accounts.login_throttled"
TOKEN_NAME = "accounts.token_name"  # noqa: S105 (an error code)


def login_throttled(wait_s: int) -> Throttled:
    minutes = max(1, (wait_s + 59) // 60)
    return Throttled(
        _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
        % {"minutes": minutes},
        code=LOGIN_THROTTLED,
        detail={"retry_after_s": wait_s},
    )


def bad_token_name() -> Invalid:
    return Invalid(_("A token needs a name of 1 to 100 characters."), code=TOKEN_NAME)
