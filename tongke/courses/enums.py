from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    LIVE_ONLINE = "live_online", _("Live online")
    RECORDED = "recorded", _("Recorded")
    IN_PERSON = "in_person", _("In person")


class RoundMode(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Preference lottery")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SelectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for home-school approval")
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waitlist")
    DROPPED = "dropped", _("Dropped")
    REJECTED = "rejected", _("Not approved")


# A seat is held by a pending pick too, so approval can never overbook a section.
SEAT_HOLDING = (SelectionStatus.PENDING, SelectionStatus.ENROLLED)
ACTIVE = (SelectionStatus.PENDING, SelectionStatus.ENROLLED, SelectionStatus.WAITLISTED)


class Weekday(models.IntegerChoices):
    MON = 1, _("Monday")
    TUE = 2, _("Tuesday")
    WED = 3, _("Wednesday")
    THU = 4, _("Thursday")
    FRI = 5, _("Friday")
    SAT = 6, _("Saturday")
    SUN = 7, _("Sunday")
