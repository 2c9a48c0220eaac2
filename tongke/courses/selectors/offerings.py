"""Reads of course sections (offerings) and home timetables."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet

from tongke.accounts.models import User
from tongke.courses import policies
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import Offering, SelectionRound, Slot
from tongke.orgs.models import OrgUnit


def offering_list(
    *,
    viewer: User | AnonymousUser,
    rnd: SelectionRound | None = None,
    subject: str | None = None,
    mode: str | None = None,
    host_school_id: int | None = None,
    q: str | None = None,
    with_seats: bool = False,
) -> QuerySet[Offering]:
    qs = Offering.objects.filter(policies.offering_visible_to(viewer), is_active=True)
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if subject:
        qs = qs.filter(subject=subject)
    if mode:
        qs = qs.filter(mode=mode)
    if host_school_id:
        qs = qs.filter(host_school_id=host_school_id)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(title_en__icontains=q))
    if with_seats:
        qs = qs.filter(taken__lt=F("seats"))
    return (
        qs.select_related("host_school", "teacher", "round", "open_to")
        .prefetch_related(Prefetch("slots", queryset=Slot.objects.order_by("weekday", "starts")))
        .annotate(
            waitlist=Count("selections", filter=Q(selections__status=SelectionStatus.WAITLISTED))
        )
        .order_by("code", "id")
    )


def round_offerings(*, viewer: User | AnonymousUser, rnd: SelectionRound) -> list[Offering]:
    return list(offering_list(viewer=viewer, rnd=rnd).select_related("round__scope"))


def taught_offerings(*, viewer: User | AnonymousUser) -> QuerySet[Offering]:
    return (
        Offering.objects.filter(teacher_id=viewer.pk)
        .select_related("round", "host_school")
        .order_by("-round__opens_at", "code")
    )


def home_slots(*, klass: OrgUnit) -> QuerySet[Slot]:
    return Slot.objects.filter(home_class=klass).order_by("weekday", "starts")
