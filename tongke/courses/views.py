"""Pages of cross-school course selection (CLS-5): the student's catalogue and selections, and
the home school's approvals (``roundviews``: round administration and the host teacher).

Each view gets its objects through the ``access_*`` policies, reads through selectors and
writes through one service. A refused action re-renders its page with the service's message
and status (a timetable conflict answers 409 with the reason); a done one redirects.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongke.accounts.auth import actor_of
from tongke.core.errors import Invalid, TongkeError
from tongke.courses import errors, policies, selectors, services
from tongke.courses import forms as f
from tongke.courses.enums import ACTIVE, RoundMode, SelectionStatus, Weekday
from tongke.courses.policies import StudentPlace

PAGE_SECTIONS = 30
PAGE_ROWS = 100


class Refusal:
    """A refused action shown on the page it came from."""

    def __init__(self, exc: TongkeError, target: int | None = None):
        self.message = str(exc.message)
        self.code = exc.code
        self.status = exc.status
        self.target = target


def tabs(request: HttpRequest, place: StudentPlace | None = None) -> list[dict[str, Any]]:
    user = actor_of(request)
    items = [(reverse("courses:catalogue"), _("Catalogue"))]
    if place is not None or policies.student_place(user) is not None:
        items.append((reverse("courses:mine"), _("My selections")))
    if policies.can_see_home_side(user):
        items.append((reverse("courses:home"), _("Home school")))
    if policies.can_administer_rounds(user):
        items.append((reverse("courses:rounds"), _("Rounds")))
    matches = [url for url, _label in items if request.path.startswith(url)]
    current = max(matches, key=len, default=None)  # one current tab: the longest match
    return [{"url": url, "label": label, "active": url == current} for url, label in items]


def _week(place: StudentPlace) -> list[dict[str, Any]]:
    """The student's week, Monday to Friday (and a weekend day that has something)."""
    cells = selectors.week_timetable(student_id=place.student_id, klass_id=place.klass.pk)
    days = []
    for day in Weekday:
        mine = [c for c in cells if c.weekday == day.value]
        if day.value <= 5 or mine:
            days.append({"label": day.label, "cells": mine})
    return days


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


# --- The student's catalogue -------------------------------------------------------------


def _catalogue_page(
    request: HttpRequest, place: StudentPlace | None, refusal: Refusal | None = None
) -> HttpResponse:
    user = actor_of(request)
    rounds = selectors.open_rounds(viewer=user)
    filters = f.CatalogueFilter(
        request.GET or None, rounds=rounds, subjects=selectors.subjects_of(rounds)
    )
    round_id = filters.value("round")
    shown = [r for r in rounds if r.pk == round_id] if round_id else rounds
    qs = selectors.catalogue_offerings(
        viewer=user,
        rounds=shown,
        subject=filters.value("subject") or None,
        mode=filters.value("mode") or None,
        q=filters.value("q") or None,
        with_seats=bool(filters.value("seats")),
    )
    page = Paginator(qs, PAGE_SECTIONS).get_page(request.GET.get("page"))
    offerings = list(page)
    standing = selectors.standing_of(place) if place is not None else None
    verdicts = selectors.section_choices(standing, offerings) if standing is not None else {}
    items = [
        {
            "o": o,
            "v": verdicts.get(o.pk),
            "key": uuid.uuid4().hex,  # a fresh Idempotency-Key per section and render
            "refused": refusal if refusal is not None and refusal.target == o.pk else None,
        }
        for o in offerings
    ]
    summaries = []
    for r in rounds:
        load = standing.load_of(r) if standing is not None else None
        ranking = None
        if place is not None and r.mode == RoundMode.LOTTERY and not r.drawn_at:
            ranking = f.PreferencesForm(
                offerings=selectors.round_offerings(viewer=user, rnd=r),
                n=min(r.max_choices, 10),
                initial={
                    f"choice{i}": pk
                    for i, pk in enumerate(selectors.preferences_of(student=user, rnd=r), 1)
                },
            )
        summaries.append(
            {"round": r, "load": load, "open": services.round_is_open(r), "ranking": ranking}
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tabs": tabs(request, place),
        "place": place,
        "rounds": summaries,
        "filters": filters,
        "items": items,
        "page": page,
        "query": query.urlencode(),
        "week": _week(place) if place is not None else None,
        "taught": list(selectors.taught_offerings(viewer=user)[:50]),
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "courses/catalogue.html", context, status=status)


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    place = policies.student_place(request.user)
    if request.method != "POST":
        return _catalogue_page(request, place)
    if place is None:
        raise errors.not_a_student()
    form = f.ChooseForm(request.POST)
    if not form.is_valid():
        return _catalogue_page(request, place, Refusal(Invalid(code="courses.bad_form")))
    offering = policies.access_offering(request.user, form.cleaned_data["offering"])
    try:
        picked = services.selection_create(
            actor=actor_of(request),
            offering=offering,
            idempotency_key=form.cleaned_data["key"] or None,
            waitlist=form.cleaned_data["waitlist"],
        )
    except TongkeError as exc:
        return _catalogue_page(request, place, Refusal(exc, offering.pk))
    s = picked.selection
    if s.status == SelectionStatus.WAITLISTED:
        text = _("You are on the waitlist of %(title)s, number %(n)d.") % {
            "title": offering.title,
            "n": selectors.waitlist_position(s) or 0,
        }
    elif s.status == SelectionStatus.PENDING:
        text = _("You chose %(title)s. Your school still has to approve it.") % {
            "title": offering.title
        }
    else:
        text = _("You chose %(title)s.") % {"title": offering.title}
    messages.success(request, text)
    return redirect(request.get_full_path())


@login_required
@require_POST
def preferences(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = policies.access_round(request.user, round_id)
    place = policies.student_place(request.user)
    if place is None:
        raise errors.not_a_student()
    offerings = selectors.round_offerings(viewer=request.user, rnd=rnd)
    form = f.PreferencesForm(request.POST, offerings=offerings, n=min(rnd.max_choices, 10))
    by_id = {o.pk: o for o in offerings}
    try:
        if not form.is_valid() or any(pk not in by_id for pk in form.ranked()):
            raise Invalid(_("Choose sections of this round."), code=errors.BAD_PREFERENCES)
        services.preferences_set(
            actor=actor_of(request), rnd=rnd, offerings=[by_id[pk] for pk in form.ranked()]
        )
    except TongkeError as exc:
        return _catalogue_page(request, place, Refusal(exc))
    messages.success(request, _("Your ranking is saved."))
    return redirect(reverse("courses:catalogue"))


# --- My selections -------------------------------------------------------------------------


def _mine_page(
    request: HttpRequest, place: StudentPlace, refusal: Refusal | None = None
) -> HttpResponse:
    user = actor_of(request)
    rows = list(selectors.selection_list(viewer=user, student_id=user.pk).select_related("round"))
    positions = selectors.waitlist_positions(rows)
    live = [
        {
            "s": s,
            "position": positions.get(s.pk),
            "can_drop": services.round_drop_open(s.round),
            "refused": refusal if refusal is not None and refusal.target == s.pk else None,
        }
        for s in rows
        if s.status in ACTIVE
    ]
    context = {
        "tabs": tabs(request, place),
        "live": live,
        "past": [s for s in rows if s.status not in ACTIVE],
        "results": list(selectors.current_results(viewer=user, student_id=user.pk)[:200]),
        "week": _week(place),
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "courses/mine.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    place = policies.student_place(request.user)
    if place is None:
        raise errors.not_a_student()
    return _mine_page(request, place)


@login_required
@require_POST
def drop(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = policies.access_selection(request.user, selection_id)
    try:
        services.selection_drop(actor=actor_of(request), selection=selection)
    except TongkeError as exc:
        place = policies.student_place(request.user)
        if place is None:
            raise
        return _mine_page(request, place, Refusal(exc, selection.pk))
    messages.success(request, _("You dropped %(title)s.") % {"title": selection.offering.title})
    return redirect(_back(request, reverse("courses:mine")))


# --- Home school ---------------------------------------------------------------------------


def _home_page(request: HttpRequest, refusal: Refusal | None = None) -> HttpResponse:
    user = actor_of(request)
    if not policies.can_see_home_side(user):
        raise errors.forbidden()
    status_filter = request.GET.get("status", "")
    if status_filter not in SelectionStatus.values:
        status_filter = ""
    rows = selectors.home_selection_list(viewer=user, status=status_filter or None)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    pending = list(selectors.home_selection_list(viewer=user, status=SelectionStatus.PENDING)[:200])
    ids = [s.student_id for s in page] + [s.student_id for s in pending]
    counts = selectors.home_status_counts(viewer=user)
    context = {
        "tabs": tabs(request),
        "page": page,
        "pending": pending,
        "classes": selectors.class_names(ids),
        "counts": [
            (value, label, counts.get(value, 0)) for value, label in SelectionStatus.choices
        ],
        "status": status_filter,
        "results": list(selectors.current_results(viewer=user, home_side=True)[:100]),
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "courses/home.html", context, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _home_page(request)


@login_required
@require_POST
def decide(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = policies.access_selection(request.user, selection_id)
    approve = request.POST.get("approve") == "1"
    try:
        services.selection_decide(actor=actor_of(request), selection=selection, approve=approve)
    except TongkeError as exc:
        return _home_page(request, Refusal(exc, selection.pk))
    text = _("Approved: %(title)s") if approve else _("Not approved: %(title)s")
    messages.success(
        request,
        f"{selection.student.full_name} · " + text % {"title": selection.offering.title},
    )
    return redirect(reverse("courses:home"))


@login_required
@require_POST
def approve_all(request: HttpRequest) -> HttpResponse:
    form = f.IdsForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose between 1 and 500 picks."), code="courses.bad_ids")
        chosen = [policies.access_selection(request.user, pk) for pk in form.ids]
        done = services.selections_decide_bulk(
            actor=actor_of(request), selections=chosen, approve=True
        )
    except TongkeError as exc:
        return _home_page(request, Refusal(exc))
    messages.success(request, _("Approved %(n)d picks.") % {"n": done})
    return redirect(reverse("courses:home"))
