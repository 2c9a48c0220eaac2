"""Pages of live classes: the live calendar, partnerships, scheduling, a session with its
attendance, the live room (master, classroom big screen, student phone, observer), the
post-class report per classroom, and the recording upload the master's page makes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongke.accounts.auth import actor_of
from tongke.core.errors import Invalid, NotFound, TongkeError
from tongke.library import selectors as library_selectors
from tongke.live import errors, policies, selectors, services
from tongke.live.enums import SeatRole, SessionStatus
from tongke.live.forms import PartnershipForm, RescheduleForm, ScheduleForm
from tongke.orgs import policies as org_policies

CHUNK_MAX = 8 * 1024 * 1024


def _week_start(raw: str | None) -> datetime:
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        day = None
    moment = None
    if day is not None:
        moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return selectors.week_bounds(moment)[0]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My live lessons this week (or ``?week=YYYY-MM-DD``), by day."""
    start = _week_start(request.GET.get("week"))
    end = start + timedelta(days=7)
    entries = selectors.calendar(request.user, start, end)
    days = []
    for i in range(7):
        day = (start + timedelta(days=i)).date()
        days.append(
            {
                "date": day,
                "entries": [
                    e for e in entries if timezone.localtime(e.session.starts_at).date() == day
                ],
            }
        )
    partnerships = list(selectors.partnership_list(request.user)[:50])
    return render(
        request,
        "live/home.html",
        {
            "days": days,
            "start": start,
            "prev": (start - timedelta(days=7)).date().isoformat(),
            "next": (start + timedelta(days=7)).date().isoformat(),
            "today": timezone.localdate(),
            "partnerships": partnerships,
            "can_pair": policies.can_pair_schools(request.user),
        },
    )


@login_required
def class_calendar(request: HttpRequest, class_id: int) -> HttpResponse:
    """A receiving classroom's own schedule, for its big screen: the coming lessons of one
    class with the button to join each."""
    klass = org_policies.access_unit(request.user, class_id, "class")
    now = timezone.now()
    sessions = list(
        selectors.session_list(request.user, start=now - timedelta(hours=2), klass=klass)[:60]
    )
    rows = []
    for s in sessions:
        room = next((c for c in s.classrooms.all() if c.klass_id == klass.pk), None)
        rows.append(
            {
                "s": s,
                "room": room,
                "can_join": room is not None and policies.can_drive_classroom(request.user, room),
            }
        )
    return render(request, "live/class_calendar.html", {"klass": klass, "rows": rows})


# --- Partnerships ----------------------------------------------------------------------------


def _partnership_form(request: HttpRequest, data: Any = None) -> PartnershipForm:
    regions = library_selectors.regions_administered(viewer=request.user)
    schools = selectors.schools_under([r.path for r in regions])
    return PartnershipForm(data, regions=regions, schools=schools)


@login_required
def partnerships(request: HttpRequest) -> HttpResponse:
    form = None
    status = 200
    if policies.can_pair_schools(request.user):
        form = _partnership_form(request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                regions = {
                    r.pk: r for r in library_selectors.regions_administered(viewer=request.user)
                }
                schools = {
                    s.pk: s for s in selectors.schools_under([r.path for r in regions.values()])
                }
                made = services.partnership_create(
                    actor=actor_of(request),
                    region=regions[d["region"]],
                    kind=d["kind"],
                    name=d["name"],
                    lead_school=schools[d["lead_school"]],
                    members=[schools[pk] for pk in d["members"]],
                    note=d["note"],
                )
            except TongkeError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Partnership created."))
                return redirect("live:partnership", made.pk)
        elif request.method == "POST":
            status = 400
    elif request.method == "POST":
        raise errors.forbidden(_("Only the regional administrators pair schools."))
    rows = list(selectors.partnership_list(request.user))
    return render(request, "live/partnerships.html", {"rows": rows, "form": form}, status=status)


@login_required
def partnership(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = policies.access_partnership(request.user, partnership_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "deactivate":
                services.partnership_update(actor=actor_of(request), partnership=p, active=False)
            elif action == "activate":
                services.partnership_update(actor=actor_of(request), partnership=p, active=True)
            else:
                raise Invalid(_("Unknown action."), code="invalid")
        except TongkeError as exc:
            messages.error(request, str(exc.message))
        return redirect("live:partnership", p.pk)
    now = timezone.now()
    sessions = selectors.session_list(request.user, partnership=p)
    return render(
        request,
        "live/partnership.html",
        {
            "p": p,
            "members": [m.school for m in p.members.select_related("school")],
            "outcomes": selectors.partnership_outcomes(p),
            "upcoming": [s for s in sessions if s.ends_at >= now][:20],
            "past": [s for s in sessions if s.ends_at < now][-20:],
            "can_manage": policies.can_manage_partnership(request.user, p.region),
            "can_schedule": bool(selectors.host_choices(request.user, p)),
        },
    )


@login_required
def schedule(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = policies.access_partnership(request.user, partnership_id)
    hosts = selectors.host_choices(request.user, p)
    if not hosts:
        raise errors.forbidden(_("Only teachers and admins of a partner school schedule lessons."))
    host_id = request.POST.get("host") or request.GET.get("host")
    host = next((h for h in hosts if str(h.pk) == host_id), hosts[0])
    choices = selectors.class_choices(p, host)
    by_id = {c.klass.pk: c for c in choices}
    class_labels = [
        (
            c.klass.pk,
            f"{c.school.name} · {c.klass.name} — "
            + (
                _("tutor %(name)s") % {"name": c.tutor.full_name or c.tutor.username}
                if c.tutor
                else _("no tutor yet")
            ),
        )
        for c in choices
    ]
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        hosts=hosts,
        lessons=library_selectors.resource_node_choices(),
        classes=class_labels,
        initial={"host": host.pk, "day": timezone.localdate() + timedelta(days=1)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            rooms = [
                services.ClassroomIn(klass=by_id[pk].klass, tutor=by_id[pk].tutor)
                for pk in d["classes"]
            ]
            try:
                made = services.session_schedule(
                    actor=actor_of(request),
                    partnership=p,
                    host_school=host,
                    lesson=library_selectors.node_get(d["lesson"]),
                    title=d["title"],
                    starts_at=form.starts_at(),
                    minutes=d["minutes"],
                    classrooms=rooms,
                    weekly_until=d["weekly_until"],
                )
            except TongkeError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("%(n)d live lesson(s) scheduled.") % {"n": len(made)})
                return redirect("live:session", made[0].pk)
        else:
            status = 400
    return render(
        request, "live/schedule.html", {"p": p, "form": form, "host": host}, status=status
    )


# --- A session -------------------------------------------------------------------------------


@login_required
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    s = policies.access_session(request.user, session_id)
    manage = policies.can_manage_session(request.user, s)
    form = None
    status = 200
    if manage and s.status == SessionStatus.SCHEDULED:
        local = timezone.localtime(s.starts_at)
        form = RescheduleForm(
            request.POST if request.method == "POST" else None,
            initial={
                "title": s.title,
                "day": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "minutes": int((s.ends_at - s.starts_at).total_seconds() // 60),
            },
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("cancel", "cancel_following"):
                n = services.session_cancel(
                    actor=actor_of(request), session=s, following=action == "cancel_following"
                )
                messages.success(request, _("%(n)d lesson(s) cancelled.") % {"n": n})
                return redirect("live:session", s.pk)
            if action == "reschedule" and form is not None:
                if not form.is_valid():
                    raise Invalid(_("Check the date and time."), code="invalid")
                services.session_reschedule(
                    actor=actor_of(request),
                    session=s,
                    starts_at=form.starts_at(),
                    minutes=form.cleaned_data["minutes"],
                    title=form.cleaned_data["title"],
                )
                messages.success(request, _("The lesson was moved."))
                return redirect("live:session", s.pk)
            if action == "end":
                services.session_end(actor=actor_of(request), session=s)
                return redirect("live:session", s.pk)
            raise errors.forbidden()
        except TongkeError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    rooms = selectors.visible_classrooms(request.user, s)
    attendance = [a for a in selectors.attendance(s) if a.classroom in rooms]
    return render(
        request,
        "live/session.html",
        {
            "s": s,
            "rooms": rooms,
            "attendance": attendance,
            "manage": manage,
            "form": form,
            "my_rooms": [c for c in rooms if policies.can_drive_classroom(request.user, c)],
            "is_master": s.master_id == request.user.pk,
            "open": s.status in (SessionStatus.SCHEDULED, SessionStatus.LIVE),
        },
        status=status,
    )


def _room_strings() -> dict[str, str]:
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "reconnecting": _("Connection lost, reconnecting…"),
        "ended": _("The lesson has ended."),
        "replaced": _("This room was opened on another device."),
        "waiting_master": _("Waiting for the master teacher…"),
        "offline": _("offline"),
        "audio_mode": _("Audio and slides"),
        "video_mode": _("Video"),
        "to_audio": _("Switch to audio and slides"),
        "to_video": _("Back to video"),
        "weak_link": _("Weak connection: switched to audio and slides."),
        "answered": _("answered"),
        "correct": _("correct"),
        "quiz_closed": _("Quiz closed"),
        "your_answer_sent": _("Answer sent"),
        "right_answer": _("Right answer"),
        "hand": _("raised a hand"),
        "question": _("asks"),
        "resolve": _("Done"),
        "bring_in": _("Bring audio in"),
        "mute_in": _("Back to the master"),
        "on_floor": _("Speaking to all rooms"),
        "recording": _("Recording"),
        "recording_saved": _("Recording handed to the library for review."),
        "recording_failed": _("The recording could not be uploaded."),
        "students": _("students"),
        "slides": _("Slides"),
        "error": _("Refused"),
        "total": _("All rooms"),
    }


@login_required
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    """The live room. The page checks the seat (an unrelated tutor gets the not-found page)
    and the time; the WebSocket checks both again."""
    s = policies.access_session(request.user, session_id)
    raw = request.GET.get("classroom")
    classroom_id = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else None
    if raw and classroom_id is None:
        raise NotFound(code="live.classroom_not_found")
    seat = policies.room_seat(request.user, s, classroom_id)
    try:
        services.check_joinable(s)
    except TongkeError as exc:
        return render(request, "live/closed.html", {"s": s, "reason": exc.message}, status=409)
    items = selectors.quiz_items(request.user, s) if seat.role == SeatRole.MASTER else []
    config = {
        "session": s.pk,
        "role": seat.role,
        "peer": seat.peer,
        "classroom": seat.classroom.pk if seat.classroom else None,
        "ws": f"/ws/live/{s.pk}/" + (f"?classroom={classroom_id}" if classroom_id else ""),
        "csrf": get_token(request),
        "record": reverse("live:recording-chunk", args=[s.pk, 0])[:-2],
        "record_finish": reverse("live:recording-finish", args=[s.pk]),
        "strings": _room_strings(),
    }
    return render(
        request,
        "live/room.html",
        {
            "s": s,
            "seat": seat,
            "config": config,
            "items": items,
            "is_master": seat.role == SeatRole.MASTER,
            "is_classroom": seat.role == SeatRole.CLASSROOM,
        },
    )


@login_required
def report(request: HttpRequest, session_id: int, classroom_id: int) -> HttpResponse:
    s = policies.access_session(request.user, session_id)
    classroom = selectors.visible_classroom(request.user, s, classroom_id)
    return render(
        request, "live/report.html", {"s": s, "r": selectors.classroom_report(s, classroom)}
    )


# --- Recording -------------------------------------------------------------------------------


def _json_error(exc: TongkeError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


@login_required
@require_POST
def recording_chunk(request: HttpRequest, session_id: int, seq: int) -> JsonResponse:
    """One chunk of the master's MediaRecorder stream, as the raw request body."""
    try:
        s = policies.access_session(request.user, session_id)
        length = int(request.headers.get("Content-Length") or 0)
        if length > CHUNK_MAX:
            raise errors.invalid(errors.RECORDING, _("A chunk is at most 8 MB."))
        data = request.body
        if len(data) > CHUNK_MAX:
            raise errors.invalid(errors.RECORDING, _("A chunk is at most 8 MB."))
        expected = services.recording_append(actor=actor_of(request), session=s, seq=seq, data=data)
    except TongkeError as exc:
        return _json_error(exc)
    return JsonResponse({"next": expected})


@login_required
@require_POST
def recording_finish(request: HttpRequest, session_id: int) -> JsonResponse:
    try:
        s = policies.access_session(request.user, session_id)
        resource = services.recording_finish(actor=actor_of(request), session=s)
    except TongkeError as exc:
        return _json_error(exc)
    return JsonResponse(
        {"resource": resource.pk, "url": reverse("library:resource", args=[resource.pk])}
    )
