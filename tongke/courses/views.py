"""Pages of cross-school course selection (CLS-5).

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

from tongke.core.errors import Invalid, TongkeError
from tongke.courses import catalogue, errors, policies, selectors, services
from tongke.courses import forms as f
from tongke.courses.enums import ACTIVE, RoundMode, RoundStatus, SelectionStatus, Weekday
from tongke.courses.models import Offering, SelectionRound
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

PAGE_SECTIONS = 30
PAGE_ROWS = 100


class Refusal:
    """A refused action shown on the page it came from."""

    def __init__(self, exc: TongkeError, target: int | None = None):
        self.message = str(exc.message)
        self.code = exc.code
        self.status = exc.status
        self.target = target


def _tabs(request: HttpRequest, place: Any = None) -> list[dict[str, Any]]:
    user = request.user
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


def _week(place: Any) -> list[dict[str, Any]]:
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
    request: HttpRequest, place: Any, refusal: Refusal | None = None
) -> HttpResponse:
    user = request.user
    rounds = catalogue.open_rounds(viewer=user)
    filters = f.CatalogueFilter(
        request.GET or None, rounds=rounds, subjects=catalogue.subjects_of(rounds)
    )
    round_id = filters.value("round")
    shown = [r for r in rounds if r.pk == round_id] if round_id else rounds
    qs = catalogue.catalogue_offerings(
        viewer=user,
        rounds=shown,
        subject=filters.value("subject") or None,
        mode=filters.value("mode") or None,
        q=filters.value("q") or None,
        with_seats=bool(filters.value("seats")),
    )
    page = Paginator(qs, PAGE_SECTIONS).get_page(request.GET.get("page"))
    offerings = list(page)
    standing = catalogue.standing_of(place) if place is not None else None
    verdicts = catalogue.verdicts(standing, offerings) if standing is not None else {}
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
                offerings=catalogue.round_offerings(viewer=user, rnd=r),
                n=min(r.max_choices, 10),
                initial={
                    f"choice{i}": pk
                    for i, pk in enumerate(catalogue.preferences_of(student=user, rnd=r), 1)
                },
            )
        summaries.append(
            {"round": r, "load": load, "open": services.round_is_open(r), "ranking": ranking}
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tabs": _tabs(request, place),
        "place": place,
        "rounds": summaries,
        "filters": filters,
        "items": items,
        "page": page,
        "query": query.urlencode(),
        "week": _week(place) if place is not None else None,
        "taught": list(catalogue.taught_offerings(viewer=user)[:50]),
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
            actor=request.user,
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
            "n": services.waitlist_position(s) or 0,
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
    offerings = catalogue.round_offerings(viewer=request.user, rnd=rnd)
    form = f.PreferencesForm(request.POST, offerings=offerings, n=min(rnd.max_choices, 10))
    by_id = {o.pk: o for o in offerings}
    try:
        if not form.is_valid() or any(pk not in by_id for pk in form.ranked()):
            raise Invalid(_("Choose sections of this round."), code=errors.BAD_PREFERENCES)
        services.preferences_set(
            actor=request.user, rnd=rnd, offerings=[by_id[pk] for pk in form.ranked()]
        )
    except TongkeError as exc:
        return _catalogue_page(request, place, Refusal(exc))
    messages.success(request, _("Your ranking is saved."))
    return redirect(reverse("courses:catalogue"))


# --- My selections -------------------------------------------------------------------------


def _mine_page(request: HttpRequest, place: Any, refusal: Refusal | None = None) -> HttpResponse:
    user = request.user
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
        "tabs": _tabs(request, place),
        "live": live,
        "past": [s for s in rows if s.status not in ACTIVE],
        "results": list(catalogue.current_results(viewer=user, student_id=user.pk)[:200]),
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
        services.selection_drop(actor=request.user, selection=selection)
    except TongkeError as exc:
        place = policies.student_place(request.user)
        if place is None:
            raise
        return _mine_page(request, place, Refusal(exc, selection.pk))
    messages.success(request, _("You dropped %(title)s.") % {"title": selection.offering.title})
    return redirect(_back(request, reverse("courses:mine")))


# --- Home school ---------------------------------------------------------------------------


def _home_page(request: HttpRequest, refusal: Refusal | None = None) -> HttpResponse:
    user = request.user
    if not policies.can_see_home_side(user):
        raise errors.forbidden()
    status_filter = request.GET.get("status", "")
    if status_filter not in SelectionStatus.values:
        status_filter = ""
    rows = catalogue.home_selection_list(viewer=user, status=status_filter or None)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    pending = list(catalogue.home_selection_list(viewer=user, status=SelectionStatus.PENDING)[:200])
    ids = [s.student_id for s in page] + [s.student_id for s in pending]
    counts = catalogue.home_status_counts(viewer=user)
    context = {
        "tabs": _tabs(request),
        "page": page,
        "pending": pending,
        "classes": catalogue.class_names(ids),
        "counts": [
            (value, label, counts.get(value, 0)) for value, label in SelectionStatus.choices
        ],
        "status": status_filter,
        "results": list(catalogue.current_results(viewer=user, home_side=True)[:100]),
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
        services.selection_decide(actor=request.user, selection=selection, approve=approve)
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
        done = services.selections_decide_bulk(actor=request.user, selections=chosen, approve=True)
    except TongkeError as exc:
        return _home_page(request, Refusal(exc))
    messages.success(request, _("Approved %(n)d picks.") % {"n": done})
    return redirect(reverse("courses:home"))


# --- Round administration -----------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policies.can_administer_rounds(user):
        raise errors.forbidden()
    scopes = catalogue.scope_choices(viewer=user)
    form = f.RoundForm(request.POST or None, scopes=scopes) if scopes else None
    if request.method == "POST":
        if form is None:
            raise errors.forbidden()
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                scope = org_policies.access_unit(user, data.pop("scope"))
                rnd = services.round_create(
                    actor=user, scope=scope, status=RoundStatus.DRAFT, **data
                )
            except TongkeError as exc:
                form.add_error(None, str(exc.message))
                form.status = exc.status  # type: ignore[attr-defined]
            else:
                messages.success(request, _("Created %(name)s.") % {"name": rnd.name})
                return redirect(reverse("courses:round", args=[rnd.pk]))
    page = Paginator(selectors.round_list(viewer=user), 50).get_page(request.GET.get("page"))
    status = getattr(form, "status", 400) if form is not None and form.is_bound else 200
    return render(
        request,
        "courses/rounds.html",
        {
            "tabs": _tabs(request),
            "page": page,
            "manageable": {r.pk for r in page if policies.can_view_round_admin(user, r)},
            "form": form,
        },
        status=status,
    )


def _round_for_admin(request: HttpRequest, round_id: int) -> SelectionRound:
    rnd = policies.access_round(request.user, round_id)
    if not policies.can_view_round_admin(request.user, rnd):
        raise errors.forbidden()
    return rnd


def _offering_form(request: HttpRequest, rnd: SelectionRound, data: Any = None) -> Any:
    hosts = catalogue.host_choices(viewer=request.user, rnd=rnd)
    if not hosts:
        return None
    return f.OfferingForm(data, hosts=hosts, teachers=catalogue.teacher_choices(hosts=hosts))


def _round_page(
    request: HttpRequest,
    rnd: SelectionRound,
    *,
    offering_form: Any = None,
    refusal: Refusal | None = None,
    template: str = "courses/round.html",
) -> HttpResponse:
    user = request.user
    manage = policies.can_manage_round(user, rnd)
    form = offering_form if offering_form is not None else _offering_form(request, rnd)
    rows = catalogue.round_fill(viewer=user, rnd=rnd)
    context = {
        "tabs": _tabs(request),
        "rnd": rnd,
        "manage": manage,
        "is_open": services.round_is_open(rnd),
        "rows": rows,
        "totals": {
            "seats": sum(r.offering.seats for r in rows),
            "taken": sum(r.offering.taken for r in rows),
            "pending": sum(r.pending for r in rows),
            "waitlist": sum(r.waitlist for r in rows),
        },
        "form": form,
        "refusal": refusal,
        "can_draw": manage and rnd.mode == RoundMode.LOTTERY and rnd.drawn_at is None,
    }
    status = 200
    if refusal is not None:
        status = refusal.status
    elif form is not None and form.is_bound:
        status = getattr(form, "status", 400)
    return render(request, template, context, status=status)


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_page(request, _round_for_admin(request, round_id))


@login_required
def round_live(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_page(
        request, _round_for_admin(request, round_id), template="courses/round_live.html"
    )


@login_required
@require_POST
def round_status(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round_for_admin(request, round_id)
    wanted = request.POST.get("status", "")
    try:
        if wanted not in (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.DRAFT):
            raise Invalid(code="courses.bad_status", detail={"status": wanted})
        rnd = services.round_update(actor=request.user, rnd=rnd, status=wanted)
    except TongkeError as exc:
        return _round_page(request, rnd, refusal=Refusal(exc))
    messages.success(
        request, _("The round is now: %(status)s.") % {"status": rnd.get_status_display()}
    )
    return redirect(reverse("courses:round", args=[rnd.pk]))


@login_required
@require_POST
def round_draw(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round_for_admin(request, round_id)
    try:
        result = services.lottery_draw(actor=request.user, rnd=rnd)
    except TongkeError as exc:
        return _round_page(request, rnd, refusal=Refusal(exc))
    messages.success(
        request,
        _("The lottery is drawn: %(e)d seats given, %(w)d students on a waitlist.")
        % {"e": result.enrolled, "w": result.waitlisted},
    )
    return redirect(reverse("courses:round", args=[rnd.pk]))


@login_required
@require_POST
def offering_add(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round_for_admin(request, round_id)
    form = _offering_form(request, rnd, request.POST)
    if form is None:
        raise errors.forbidden()
    if form.is_valid():
        d = form.cleaned_data
        try:
            host = org_policies.access_unit(request.user, d["host"], UnitKind.SCHOOL)
            teacher = org_policies.access_user(request.user, d["teacher"]) if d["teacher"] else None
            offering = services.offering_create(
                actor=request.user,
                rnd=rnd,
                host_school=host,
                slots=[services.SlotIn(day, a, b) for day, a, b in form.slots()],
                teacher=teacher,
                **{
                    k: d[k]
                    for k in (
                        "code",
                        "title",
                        "title_en",
                        "subject",
                        "mode",
                        "seats",
                        "credits",
                        "hours",
                        "grade_min",
                        "grade_max",
                    )
                },
            )
        except TongkeError as exc:
            form.add_error(None, str(exc.message))
            form.status = exc.status
        else:
            messages.success(request, _("Added %(title)s.") % {"title": offering.title})
            return redirect(reverse("courses:round", args=[rnd.pk]))
    return _round_page(request, rnd, offering_form=form)


# --- Host teacher --------------------------------------------------------------------------


def _roster_page(
    request: HttpRequest,
    offering: Offering,
    refusal: Refusal | None = None,
    bound: Any = None,
) -> HttpResponse:
    user = request.user
    rows = catalogue.roster(viewer=user, offering=offering)
    positions = selectors.waitlist_positions(rows)
    results = {r.student_id: r for r in catalogue.current_results(viewer=user, offering=offering)}
    can_record = policies.can_record_result(user, offering)
    entries = []
    for s in rows:
        result = results.get(s.student_id)
        form = None
        if can_record and s.status == SelectionStatus.ENROLLED:
            if bound is not None and bound.data.get("selection") == str(s.pk):
                form = bound
            else:
                form = f.ResultForm(
                    initial={
                        "selection": s.pk,
                        "grade": result.grade if result else "",
                        "score": result.score if result else None,
                        "passed": result.passed if result else True,
                    },
                    auto_id=f"r{s.pk}_%s",
                )
        entries.append(
            {
                "s": s,
                "position": positions.get(s.pk),
                "result": result,
                "form": form,
                "refused": refusal if refusal is not None and refusal.target == s.pk else None,
            }
        )
    context = {
        "tabs": _tabs(request),
        "offering": offering,
        "entries": entries,
        "can_record": can_record,
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "courses/roster.html", context, status=status)


@login_required
def roster(request: HttpRequest, offering_id: int) -> HttpResponse:
    offering = policies.access_offering(request.user, offering_id)
    if not policies.can_see_roster(request.user, offering):
        raise errors.forbidden()
    if request.method != "POST":
        return _roster_page(request, offering)
    form = f.ResultForm(request.POST)
    target = None
    try:
        if not form.is_valid():
            raise Invalid(_("Give a grade (and a score from 0 to 1000, if any)."))
        selection = policies.access_selection(request.user, form.cleaned_data["selection"])
        target = selection.pk
        if selection.offering_id != offering.pk:
            raise errors.selection_not_found()
        services.result_record(
            actor=request.user,
            offering=offering,
            student=selection.student,
            grade=form.cleaned_data["grade"],
            score=form.cleaned_data["score"],
            passed=form.cleaned_data["passed"],
        )
    except TongkeError as exc:
        raw = request.POST.get("selection", "")
        return _roster_page(
            request, offering, Refusal(exc, target or (int(raw) if raw.isdigit() else None)), form
        )
    messages.success(
        request, _("Result recorded for %(name)s.") % {"name": selection.student.full_name}
    )
    return redirect(reverse("courses:roster", args=[offering.pk]))
