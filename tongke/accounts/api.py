"""API tokens: a signed-in person creates, lists and revokes their own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tongke.accounts import errors, policies, selectors, services
from tongke.accounts.auth import SIGNED_IN, actor_of
from tongke.accounts.schemas import TokenCreatedOut, TokenIn, TokenOut
from tongke.core.pagination import PageParams, page_schema, paginate

router = Router(tags=["accounts"])


@router.get("/tokens", response=page_schema(TokenOut), auth=SIGNED_IN, summary="My API tokens")
def list_tokens(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, frame = paginate(selectors.api_token_list(viewer=actor_of(request)), page)
    return frame | {"items": rows}


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    auth=SIGNED_IN,
    summary="Create an API token",
    description="Only from a signed-in browser session: a request authenticated by a token "
    "is refused (403 `accounts.token_session_required`), so a token cannot outlive or "
    "outgrow itself.",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    if getattr(request, "_tongke_token_auth", False):
        raise errors.token_session_required()
    token, secret = services.api_token_create(
        actor=actor_of(request),
        name=payload.name,
        scopes=payload.scopes,
        expires_in_days=payload.expires_in_days,
    )
    return Status(201, TokenOut.from_orm(token).model_dump() | {"secret": secret})


@router.delete(
    "/tokens/{int:token_id}", response={204: None}, auth=SIGNED_IN, summary="Revoke an API token"
)
def revoke_token(request: HttpRequest, token_id: int) -> Status[Any]:
    token = policies.access_api_token(actor_of(request), token_id)
    services.api_token_revoke(actor=actor_of(request), token=token)
    return Status(204, None)
