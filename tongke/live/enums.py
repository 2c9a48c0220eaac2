from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnershipKind(models.TextChoices):
    PAIR = "pair", _("School pair (结对帮扶)")
    COMMUNITY = "community", _("School community (联校网教共同体)")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class MessageKind(models.TextChoices):
    CHAT = "chat", _("Chat")
    QUESTION = "question", _("Question")
    HAND = "hand", _("Hand raised")


class QuizStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MediaMode(models.TextChoices):
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio and slides")


class SeatRole(StrEnum):
    """How a connection takes part in a room (``policies.room_seat`` decides it on joining)."""

    MASTER = "master"
    CLASSROOM = "classroom"
    STUDENT = "student"
    OBSERVER = "observer"
