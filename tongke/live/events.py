"""What a room connection is (``Joined``), the events a room action sends (``Out``), and the
text cleaning every message goes through. Shared by ``room.py`` and ``quiz.py``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tongke.live import errors
from tongke.live.enums import ROOM_CLASSROOM, ROOM_MASTER

TEXT_MAX = 500


@dataclass
class Joined:
    """One connection's place in a room, fixed when it joins."""

    session_id: int
    user_id: int
    role: str
    peer: str
    label: str
    classroom_id: int | None = None
    presence_id: int = 0
    replaced: list[str] = field(default_factory=list)  # channels of an earlier connection

    @property
    def is_master(self) -> bool:
        return self.role == ROOM_MASTER

    @property
    def is_classroom(self) -> bool:
        return self.role == ROOM_CLASSROOM


@dataclass
class Out:
    """Events to send: ``to`` is "all", "staff" (master and observers) or a peer id."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, to: str, event: dict[str, Any]) -> Out:
        self.events.append((to, event))
        return self


def clean_text(value: Any, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    if not isinstance(value, str):
        raise errors.invalid(errors.BAD_MESSAGE, _("Text is expected."))
    text = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    ).strip()
    if required and not text:
        raise errors.invalid(errors.BAD_MESSAGE, _("The message is empty."))
    if len(text) > limit:
        raise errors.invalid(
            errors.TOO_LARGE, _("At most %(n)d characters.") % {"n": limit}, limit=limit
        )
    return text


def need_master(joined: Joined) -> None:
    if not joined.is_master:
        raise errors.forbidden(_("Only the master teacher does this."))
