"""Identity and authentication: the person, and the API tokens they hold.

Where a person sits in the org tree, and what they may do there, is ``orgs.RoleAssignment``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongke.accounts.enums import TokenScope
from tongke.core.text import validate_plain_line


class User(AbstractUser):
    """One account per person; many roles (see orgs.RoleAssignment).

    Chinese names are not split into given and family names: ``full_name`` is what the
    person is called. We keep no birth date, ID-card number or address (data minimization
    for minors): a school that needs them keeps them in its own records."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[validate_plain_line]
    )
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, validators=[validate_plain_line]
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=16,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    external_id = models.CharField(
        _("roster id"), max_length=128, null=True, blank=True, unique=True
    )

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username


def read_only_scopes() -> list[str]:
    """The scopes of a token created without any: least privilege."""
    return [TokenScope.READ.value]


class ApiToken(models.Model):
    """A bearer token for API clients. Only a SHA-256 digest of the secret is stored; the
    secret is shown once, when the token is created.

    A token always expires (``expires_at``), carries ``scopes`` (see ``enums.TokenScope``) and
    is bound to its holder's password: ``password_fingerprint`` is a digest of the password
    hash at creation, and a token whose fingerprint no longer matches is refused (any change
    of the password, by any path, ends every token; see ``services.api_token_authenticate``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    scopes = models.JSONField(_("scopes"), default=read_only_scopes)
    password_fingerprint = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """Failed sign-ins counted per key (``user:<digest of the normalised username>`` or
    ``ip:<address>``) inside a sliding window.

    These rows live in the database, not in the cache, in every deployment: the count must
    survive a restart and be shared by every app-server process, and the cache is never the
    source of truth (conventions, rule 12); a Redis flush or eviction must not unlock an
    account. The database is there in both modes and gives atomic conditional updates on
    SQLite and PostgreSQL alike, so there is one code path to test. Only failed sign-ins
    write (a successful one deletes its username row), and rows whose window has passed are
    deleted on the next write, so the table stays small."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
