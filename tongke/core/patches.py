"""Reading PATCH bodies: fields sent as null are refused unless the field may be empty."""

from __future__ import annotations

from typing import Any

from tongke.core.errors import Invalid


def patch_changes(payload: Any, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client sent; a null for a field that may not be empty is a 400."""
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in nullable]
    if nulls:
        raise Invalid(code="invalid", detail={k: "may not be null" for k in nulls})
    return changes
