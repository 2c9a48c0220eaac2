"""Reads of course selection; every list starts from a policies ``*_visible_to`` filter.

Split by entity: ``rounds``, ``offerings``, ``selections``, ``results``; ``catalogue`` is the
student's catalogue page (each section judged by ``courses.rules``) and ``snapshots`` reads what
the rules judge. The names below are the public API (``selectors.selection_list(...)``)."""

from tongke.courses.selectors.catalogue import (
    RoundLoad,
    SectionChoice,
    Standing,
    catalogue_offerings,
    open_rounds,
    section_choices,
    standing_of,
    subjects_of,
)
from tongke.courses.selectors.offerings import (
    home_slots,
    offering_list,
    round_offerings,
    taught_offerings,
)
from tongke.courses.selectors.results import current_results, result_list
from tongke.courses.selectors.rounds import (
    FillRow,
    fill_view,
    host_choices,
    round_fill,
    round_list,
    scope_choices,
    teacher_choices,
)
from tongke.courses.selectors.selections import (
    WeekCell,
    class_names,
    home_selection_list,
    home_status_counts,
    preferences_of,
    roster,
    selection_list,
    waitlist_length,
    waitlist_position,
    waitlist_positions,
    week_timetable,
)

__all__ = [
    "FillRow",
    "RoundLoad",
    "SectionChoice",
    "Standing",
    "WeekCell",
    "catalogue_offerings",
    "class_names",
    "current_results",
    "fill_view",
    "home_selection_list",
    "home_slots",
    "home_status_counts",
    "host_choices",
    "offering_list",
    "open_rounds",
    "preferences_of",
    "result_list",
    "roster",
    "round_fill",
    "round_list",
    "round_offerings",
    "scope_choices",
    "section_choices",
    "selection_list",
    "standing_of",
    "subjects_of",
    "taught_offerings",
    "teacher_choices",
    "waitlist_length",
    "waitlist_position",
    "waitlist_positions",
    "week_timetable",
]
