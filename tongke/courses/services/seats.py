"""The seat ledger (decision 0002): a seat is taken by one conditional UPDATE, released by
another, and a freed seat goes to the waitlist inside the caller's transaction.

``Offering.taken`` changes here and nowhere else; ``CHECK (taken <= seats)`` backs it up."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import ApprovalRule, Offering, Selection
from tongke.notifications.services import notify
from tongke.orgs.models import OrgUnit


def take_seat(offering_id: int) -> bool:
    """Take one seat if one is free: a single conditional UPDATE, atomic on both databases."""
    return bool(
        Offering.objects.filter(pk=offering_id, taken__lt=F("seats"), is_active=True).update(
            taken=F("taken") + 1
        )
    )


def release_seat(offering_id: int) -> None:
    Offering.objects.filter(pk=offering_id, taken__gt=0).update(taken=F("taken") - 1)


def approval_rule(school: OrgUnit) -> ApprovalRule | None:
    """The home school's approval rule, when its picks need approval."""
    rule = ApprovalRule.objects.filter(school=school).first()
    return rule if rule is not None and rule.required else None


def promote_waitlist(offering: Offering) -> int:
    """Fill free seats from the waitlist, oldest first, inside the caller's transaction."""
    promoted = 0
    while True:
        nxt = (
            Selection.objects.select_for_update()
            .filter(offering_id=offering.pk, status=SelectionStatus.WAITLISTED)
            .select_related("home_school")
            .order_by("id")
            .first()
        )
        if nxt is None or not take_seat(offering.pk):
            return promoted
        rule = approval_rule(nxt.home_school)
        nxt.status = SelectionStatus.PENDING if rule else SelectionStatus.ENROLLED
        nxt.approve_by = timezone.now() + timedelta(hours=rule.hours) if rule else None
        nxt.save(update_fields=["status", "approve_by", "updated_at"])
        notify(
            user_id=nxt.student_id,
            kind="courses.promoted",
            title=_("A seat opened in %(title)s") % {"title": offering.title},
            body=_("You moved up from the waitlist.")
            + (" " + _("Your school still has to approve it.") if rule else ""),
            link="/courses/mine/",
        )
        audit_record(
            actor=None,
            action="course_selection.promote",
            target=nxt,
            scope_path=nxt.home_school.path,
            changes={"status": [SelectionStatus.WAITLISTED, nxt.status]},
        )
        promoted += 1
