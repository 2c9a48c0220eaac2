"""Paginated lists: every list operation takes ``limit``/``offset`` and answers
``{count, limit, offset, items}``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

MAX_LIMIT = 200


class PageParams(Schema):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


def page_schema(item: type[Schema]) -> type[Schema]:
    model: type[Schema] = create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),  # type: ignore[valid-type]
    )
    return model


def paginate(qs: QuerySet[Any], params: PageParams) -> tuple[list[Any], dict[str, int]]:
    """The page's rows and the page's frame (count, limit, offset)."""
    count = qs.count()
    rows = list(qs[params.offset : params.offset + params.limit])
    return rows, {"count": count, "limit": params.limit, "offset": params.offset}
