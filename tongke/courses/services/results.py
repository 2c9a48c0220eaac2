"""Writes of results: grades and credits flow back to the home school, append-only."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.core.errors import Invalid
from tongke.courses import errors, policies
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import ExternalResult, Offering, Selection
from tongke.notifications.services import notify


@transaction.atomic
def result_record(
    *,
    actor: User,
    offering: Offering,
    student: User,
    grade: str,
    score: Decimal | None,
    passed: bool,
) -> ExternalResult:
    """The host teacher records a student's result; the home school sees it, with the credits
    earned, in an append-only record. Recording again supersedes the previous row."""
    if not policies.can_record_result(actor, offering):
        raise errors.forbidden()
    selection = (
        Selection.objects.filter(
            student_id=student.pk, offering=offering, status=SelectionStatus.ENROLLED
        )
        .select_related("home_school")
        .first()
    )
    if selection is None:
        raise Invalid(_("This student is not enrolled in the section."), code=errors.NOT_ENROLLED)
    previous = (
        ExternalResult.objects.filter(
            student_id=student.pk, offering=offering, superseded_by__isnull=True
        )
        .order_by("-id")
        .first()
    )
    result = ExternalResult(
        student_id=student.pk,
        offering=offering,
        home_school=selection.home_school,
        host_school=offering.host_school,
        course_code=offering.code,
        course_title=offering.title,
        grade=grade,
        score=score,
        passed=passed,
        credits=offering.credits if passed else Decimal(0),
        hours=offering.hours,
        supersedes=previous,
        recorded_by=actor,
    )
    errors.full_clean(result)
    result.save()
    notify(
        user_id=student.pk,
        kind="courses.result",
        title=_("Result recorded: %(title)s") % {"title": offering.title},
        link="/courses/mine/",
    )
    audit_record(
        actor=actor,
        action="course_result.record",
        target=result,
        scope_path=selection.home_school.path,
        changes={"grade": [previous.grade if previous else None, grade], "passed": [None, passed]},
    )
    return result
