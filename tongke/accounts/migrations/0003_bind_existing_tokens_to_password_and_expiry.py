"""Tokens made before scopes, expiry and the password binding existed.

They keep what they could do (read and write), are bound to their holder's current
password, and those that never expired now expire 90 days from this migration. The
fingerprint is computed as ``services.api_token_password_fingerprint`` does (copied here, as a
migration must not depend on code that may change)."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def _fingerprint(password_hash):
    return hashlib.sha256(b"tongke.api_token.password\x00" + password_hash.encode()).hexdigest()


def bind(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires = timezone.now() + timedelta(days=90)
    for token in ApiToken.objects.select_related("user").iterator():
        token.password_fingerprint = _fingerprint(token.user.password)
        token.scopes = ["read", "write"]
        if token.expires_at is None:
            token.expires_at = expires
        token.save(update_fields=["password_fingerprint", "scopes", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_throttle_token_scopes_and_password_binding"),
    ]

    operations = [
        migrations.RunPython(bind, migrations.RunPython.noop),
    ]
