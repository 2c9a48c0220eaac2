"""Writes of course selection, split by entity: ``rounds``, ``offerings`` (sections and home
timetables), ``selections`` (picks, drops, approval), ``lottery`` and ``results``; ``seats`` is
the seat ledger of decision 0002. The rules they apply are ``courses.rules``.

The names below are the public API: ``from tongke.courses import services;
services.selection_create(...)``."""

from tongke.courses.services.lottery import DrawResult, lottery_draw, preferences_set
from tongke.courses.services.offerings import (
    SlotIn,
    home_slots_set,
    offering_create,
    offering_update,
)
from tongke.courses.services.results import result_record
from tongke.courses.services.rounds import (
    round_create,
    round_drop_open,
    round_is_open,
    round_update,
)
from tongke.courses.services.selections import (
    Picked,
    selection_create,
    selection_decide,
    selection_drop,
    selections_decide_bulk,
    selections_sweep,
)

__all__ = [
    "DrawResult",
    "Picked",
    "SlotIn",
    "home_slots_set",
    "lottery_draw",
    "offering_create",
    "offering_update",
    "preferences_set",
    "result_record",
    "round_create",
    "round_drop_open",
    "round_is_open",
    "round_update",
    "selection_create",
    "selection_decide",
    "selection_drop",
    "selections_decide_bulk",
    "selections_sweep",
]
