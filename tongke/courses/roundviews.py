"""Pages of round administration (set up, open, fill, draw a round; add sections) and of the
host teacher (a section's roster and results). Same shape as ``views``: objects through the
``access_*`` policies, reads through selectors, one service per write, refusals on the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongke.accounts.auth import actor_of
from tongke.core.errors import Invalid, TongkeError
from tongke.courses import errors, policies, selectors, services
from tongke.courses import forms as f
from tongke.courses.enums import RoundMode, RoundStatus, SelectionStatus
from tongke.courses.models import Offering, SelectionRound
from tongke.courses.views import Refusal, tabs
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

# --- Round administration -----------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    if not policies.can_administer_rounds(user):
        raise errors.forbidden()
    scopes = selectors.scope_choices(viewer=user)
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
            "tabs": tabs(request),
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
    hosts = selectors.host_choices(viewer=request.user, rnd=rnd)
    if not hosts:
        return None
    return f.OfferingForm(data, hosts=hosts, teachers=selectors.teacher_choices(hosts=hosts))


def _round_page(
    request: HttpRequest,
    rnd: SelectionRound,
    *,
    offering_form: Any = None,
    refusal: Refusal | None = None,
    template: str = "courses/round.html",
) -> HttpResponse:
    user = actor_of(request)
    manage = policies.can_manage_round(user, rnd)
    form = offering_form if offering_form is not None else _offering_form(request, rnd)
    rows = selectors.round_fill(viewer=user, rnd=rnd)
    context = {
        "tabs": tabs(request),
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
        rnd = services.round_update(actor=actor_of(request), rnd=rnd, status=wanted)
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
        result = services.lottery_draw(actor=actor_of(request), rnd=rnd)
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
                actor=actor_of(request),
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
    user = actor_of(request)
    rows = selectors.roster(viewer=user, offering=offering)
    positions = selectors.waitlist_positions(rows)
    results = {r.student_id: r for r in selectors.current_results(viewer=user, offering=offering)}
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
        "tabs": tabs(request),
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
            actor=actor_of(request),
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
