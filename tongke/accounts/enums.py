from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What an API token may do. ``read``: safe methods only (GET, HEAD, OPTIONS). ``write``:
    every method; it includes ``read`` (a client that may change things may also read them).
    A token never grants more than its holder may do: scopes narrow, roles decide."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


# Every token expires. Without a lifetime it lives TOKEN_DEFAULT_DAYS; at most TOKEN_MAX_DAYS.
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
