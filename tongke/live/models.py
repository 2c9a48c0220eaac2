"""Dual-teacher live classes (CLS-1..3) and the school partnerships that share them (ORG-4).

A ``LiveSession`` is one master teacher's lesson; each ``Classroom`` is a class of a paired
school receiving it with its own local tutor. ``Presence`` rows are the attendance ledger (one
row per connection), ``RoomMessage`` the questions, hands and chat, ``LiveQuiz`` and
``QuizAnswer`` the in-class quiz with answers counted per classroom.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongke.learning.models import Item
from tongke.library.models import CatalogueNode, Resource
from tongke.live.enums import MediaMode, MessageKind, PartnershipKind, QuizStatus, SessionStatus
from tongke.orgs.models import OrgUnit


class Partnership(models.Model):
    """A strong school paired with weaker schools and teaching points (a pair has one member,
    a community any number). Owned by the region it sits in."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartnershipKind.choices)
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255, db_index=True)
    lead_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PartnershipMember(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    school_path = models.CharField(max_length=255, db_index=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "school"], name="live_member_once_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id}/{self.school_id}"


class LiveSession(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    master = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("master teacher"),
    )
    host_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    host_path = models.CharField(max_length=255, db_index=True)
    lesson = models.ForeignKey(
        CatalogueNode, on_delete=models.PROTECT, related_name="+", verbose_name=_("lesson")
    )
    subject = models.CharField(_("subject"), max_length=32, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True)
    # The classroom whose audio the master has brought in for every room (None: nobody's).
    floor = models.ForeignKey(
        "Classroom", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The master's recording: appended chunk by chunk while the class runs, then handed to
    # the library (a live-class recording pending review).
    recording_seq = models.PositiveIntegerField(default=0)
    recording_bytes = models.PositiveBigIntegerField(default=0)
    recording = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="live_session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Classroom(models.Model):
    """A receiving classroom: one class of a partner school, with its local tutor."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="classrooms")
    klass = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("class")
    )
    class_path = models.CharField(max_length=255, db_index=True)
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("local tutor"),
    )
    students_present = models.PositiveIntegerField(_("students present"), null=True, blank=True)
    mode = models.CharField(max_length=8, choices=MediaMode.choices, default=MediaMode.VIDEO)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "klass"], name="live_class_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.klass_id}"

    @property
    def peer(self) -> str:
        return f"c{self.pk}"


class Presence(models.Model):
    """One connection to a room: when it joined and left. Attendance minutes are the union of
    a classroom's spans, so a reconnect never counts twice."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="presences")
    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, null=True, blank=True, related_name="presences"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    peer = models.CharField(max_length=32)
    channel = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session", "left_at"], name="live_presence_open")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.peer}"


class RoomMessage(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="messages")
    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"


class LiveQuiz(models.Model):
    """A question pushed to every classroom: from the bank, or typed on the spot. One answer
    is correct; ``choices`` are the option texts shown in the rooms."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="quizzes")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prompt = models.CharField(_("question"), max_length=1000)
    choices = models.JSONField(default=list)
    correct = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=QuizStatus.choices, default=QuizStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(status="open"), name="live_one_open_quiz"
            )
        ]

    def __str__(self) -> str:
        return self.prompt[:60]


class QuizAnswer(models.Model):
    """A classroom's answers to a quiz from one responder: a student's phone (one vote) or the
    tutor entering the room's show of hands (a count per option). A later entry by the same
    responder replaces the earlier one while the quiz is open."""

    quiz = models.ForeignKey(LiveQuiz, on_delete=models.CASCADE, related_name="answers")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="answers")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    counts = models.JSONField(default=list)  # votes per option, by index
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "classroom", "responder"], name="live_one_answer_per_responder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.classroom_id}/{self.responder_id}"
