"""What a room connection is (``Joined``) and the events a room action sends (``Out``).
Shared by the room's services, its reads (``room.py``) and the consumer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tongke.live.enums import SeatRole


@dataclass
class Joined:
    """One connection's seat in a room, fixed when it joins."""

    session_id: int
    user_id: int
    role: SeatRole
    peer: str
    label: str
    classroom_id: int | None = None
    presence_id: int = 0
    host_path: str = ""  # the host school's path: the scope of the room's audit events
    replaced: list[str] = field(default_factory=list)  # channels of an earlier connection


@dataclass
class Out:
    """Events to send: ``to`` is "all", "staff" (master and observers) or a peer id."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, to: str, event: dict[str, Any]) -> Out:
        self.events.append((to, event))
        return self
