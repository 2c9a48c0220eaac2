"""The learning platform (智学平台, LRN-1..5).

- ``KnowledgePoint`` and ``Prerequisite``: per subject, the knowledge graph (a DAG; cycles are
  refused by the service), each point aligned to a catalogue chapter or lesson of the library.
- ``Item`` and ``ItemPoint``: the question bank; an item's answer key lives in ``spec`` (the
  neutral interchange model, ``interchange.model.Item``, as JSON) and never leaves the server
  before the learner's answer does. ``ItemPoint`` rows are the Q-matrix. Editing an item
  makes a new version; answers keep pointing at the version they answered.
- ``Assignment``: practice, homework or a timed test given to a class or to named students,
  with ``AssignmentItem`` rows in order. ``HomeworkLimit`` is a class's daily minutes (减负).
- ``Attempt`` and ``Response``: one learner working through an assignment (or adaptive
  practice, with no assignment), and their answers, graded by the server.
- ``Mastery``: the latest estimate per learner and knowledge point; ``LearnerState`` the
  model state per learner (ability, per-skill BKT posteriors), updated after each answer.
- ``FittedModel``: knowledge-tracing parameters fitted from the answers of a subject.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongke.learning.enums import AssignmentKind, ItemKind
from tongke.library.models import CatalogueNode
from tongke.orgs.models import OrgUnit


class KnowledgePoint(models.Model):
    subject = models.CharField(_("subject"), max_length=32)
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    grade_level = models.PositiveSmallIntegerField(_("grade level"), null=True, blank=True)
    node = models.ForeignKey(
        CatalogueNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_points",
        verbose_name=_("catalogue chapter or lesson"),
    )
    position = models.PositiveIntegerField(default=0)
    prerequisites = models.ManyToManyField(
        "self", through="Prerequisite", symmetrical=False, related_name="unlocks"
    )

    class Meta:
        verbose_name = _("knowledge point")
        verbose_name_plural = _("knowledge points")
        ordering = ["subject", "position", "id"]
        indexes = [models.Index(fields=["subject", "stage"], name="kp_subject")]

    def __str__(self) -> str:
        return self.name


class Prerequisite(models.Model):
    """``before`` is a prerequisite of ``after``."""

    before = models.ForeignKey(KnowledgePoint, on_delete=models.CASCADE, related_name="+")
    after = models.ForeignKey(KnowledgePoint, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["before", "after"], name="prerequisite_once"),
            models.CheckConstraint(name="prerequisite_not_self", condition=~Q(before=F("after"))),
        ]

    def __str__(self) -> str:
        return f"{self.before_id} -> {self.after_id}"


class Item(models.Model):
    family = models.CharField(
        _("item id"), max_length=64, help_text=_("Shared by every version of the item.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    subject = models.CharField(_("subject"), max_length=32, blank=True)
    stem = models.TextField(_("question"))
    stem_format = models.CharField(max_length=16, default="plain")
    # The answer key and options: interchange.model.Item as JSON. Never sent to a learner
    # before their answer is in (selectors.item_for_learner strips it).
    spec = models.JSONField(_("answer key"))
    explanation = models.TextField(_("explanation"), blank=True)
    # The HTML texts that sanitising changed, as they came (from a file or a client), by
    # place ("stem", "choices.0.feedback", ...). Kept for the record; never served.
    html_source = models.JSONField(
        _("HTML as imported"),
        default=dict,
        blank=True,
        help_text=_("The original of every HTML text that sanitising changed."),
    )
    difficulty = models.FloatField(
        _("difficulty"), null=True, blank=True, help_text=_("-3 (easy) to 3 (hard), IRT scale.")
    )
    minutes = models.FloatField(_("minutes to answer"), default=2.0)
    source = models.CharField(_("source"), max_length=32, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    school = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    scope_path = models.CharField(
        max_length=255, blank=True, help_text="the owning region's path; '' = shared with all"
    )
    points = models.ManyToManyField(KnowledgePoint, through="ItemPoint", related_name="items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="item_version_once"),
            models.UniqueConstraint(
                fields=["family"], condition=Q(is_current=True), name="item_one_current"
            ),
            models.CheckConstraint(
                name="item_difficulty_range",
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=-5, difficulty__lte=5),
            ),
        ]
        indexes = [models.Index(fields=["subject", "is_current"], name="item_subject")]

    def __str__(self) -> str:
        return self.stem[:60]


class ItemPoint(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="point_links")
    point = models.ForeignKey(KnowledgePoint, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "point"], name="item_point_once")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.point_id}"


class Assignment(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssignmentKind.choices)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    klass = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("class")
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="learning_assignments",
        help_text=_("Empty: the whole class. Otherwise only these students (a group)."),
    )
    opens_at = models.DateTimeField(_("opens"))
    due_at = models.DateTimeField(_("due"))
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    minutes = models.FloatField(_("expected minutes"), default=0)
    items = models.ManyToManyField(Item, through="AssignmentItem", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                name="assignment_due_after_open", condition=Q(due_at__gt=F("opens_at"))
            )
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentItem(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    points = models.FloatField(default=1.0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "item"], name="assignment_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.item_id}"


class HomeworkLimit(models.Model):
    """A class's daily homework budget in minutes (减负): the assign form respects it."""

    klass = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="homework_limit")
    minutes_per_day = models.PositiveIntegerField(_("homework minutes per day"))

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.minutes_per_day}"


class Attempt(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="attempts", null=True, blank=True
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=Q(assignment__isnull=False),
                name="attempt_once_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id}@{self.assignment_id}"


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.JSONField()
    correct = models.BooleanField(null=True, help_text="None: waits for the teacher")
    score = models.FloatField(null=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="response_once_per_item")
        ]
        indexes = [models.Index(fields=["student", "created_at"], name="response_student_time")]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.item_id}={self.correct}"


class Mastery(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    point = models.ForeignKey(KnowledgePoint, on_delete=models.CASCADE, related_name="masteries")
    p = models.FloatField(_("mastery"))
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "point"], name="mastery_once"),
            models.CheckConstraint(name="mastery_range", condition=Q(p__gte=0, p__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.point_id}={self.p:.2f}"


class LearnerState(models.Model):
    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_state"
    )
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.student_id)


class FittedModel(models.Model):
    subject = models.CharField(max_length=32)
    model = models.CharField(max_length=16)  # bkt, irt
    params = models.JSONField()
    n_answers = models.PositiveIntegerField(default=0)
    auc = models.FloatField(null=True, blank=True)
    fitted_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "model"], condition=Q(is_current=True), name="fitted_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject}/{self.model}"
