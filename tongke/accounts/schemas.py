from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from tongke.accounts.enums import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TokenScope
from tongke.accounts.services import is_clean_text


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(
        min_length=1,
        max_length=100,
        description="1 to 100 characters; control, format (zero-width, bidirectional) and "
        "surrogate characters are refused.",
    )
    expires_in_days: int = Field(
        TOKEN_DEFAULT_DAYS,
        ge=1,
        le=TOKEN_MAX_DAYS,
        description=f"Lifetime in days, 1 to {TOKEN_MAX_DAYS} (default {TOKEN_DEFAULT_DAYS}). "
        "Every token expires; make a new one from the browser when it does.",
    )
    scopes: list[TokenScope] = Field(
        default_factory=lambda: [TokenScope.READ],
        min_length=1,
        max_length=len(TokenScope),
        description="What the token may do: `read` allows GET, HEAD and OPTIONS only; "
        '`write` allows every method and includes `read`. Default `["read"]` (least '
        "privilege). A token never does more than its holder may, and never creates tokens.",
    )

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not is_clean_text(value):
            raise ValueError("control characters are not allowed")
        return value


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once. Send it as 'Authorization: Bearer <secret>'.")
