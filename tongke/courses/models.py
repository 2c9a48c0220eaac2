"""Cross-school course selection (CLS-5, 融合课堂 / 选课走班).

A selection round, opened for a region or a school, lists course sections (offerings) that
host schools open to students of other schools. Students pick sections (first come) or rank
them (lottery); a pick may wait for home-school approval; full sections keep an ordered
waitlist; results flow back home in an append-only record.

Seat counting is a column on the section, changed only by a conditional UPDATE
(``taken = taken + 1 WHERE taken < seats``) and guarded by a check constraint, so no rush
of concurrent requests can overbook a section on either database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongke.courses.enums import ACTIVE, Mode, RoundMode, RoundStatus, SelectionStatus, Weekday
from tongke.orgs.models import OrgUnit


class AppendOnlyError(RuntimeError):
    pass


class SelectionRound(models.Model):
    scope = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="selection_rounds",
        verbose_name=_("for"),
        help_text=_("The region or school whose students take part."),
    )
    name = models.CharField(_("name"), max_length=200)
    mode = models.CharField(_("mode"), max_length=16, choices=RoundMode.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    drop_until = models.DateTimeField(_("drops allowed until"))
    max_sections = models.PositiveSmallIntegerField(_("sections per student"), default=3)
    max_credits = models.DecimalField(
        _("credits per student"), max_digits=5, decimal_places=1, default=10
    )
    max_choices = models.PositiveSmallIntegerField(_("ranked choices (lottery)"), default=5)
    lottery_seed = models.BigIntegerField(_("lottery seed"), default=0)
    rural_priority = models.BooleanField(
        _("priority for rural schools and teaching points"), default=False
    )
    drawn_at = models.DateTimeField(_("lottery drawn"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        constraints = [
            models.CheckConstraint(
                name="round_closes_after_opens", condition=Q(closes_at__gt=F("opens_at"))
            ),
            models.CheckConstraint(
                name="round_drop_after_close", condition=Q(drop_until__gte=F("closes_at"))
            ),
            models.CheckConstraint(
                name="round_limits_positive",
                condition=Q(max_sections__gte=1, max_credits__gt=0, max_choices__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Offering(models.Model):
    """A course section a host school offers in a round."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="offerings")
    host_school = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("host school")
    )
    code = models.CharField(_("course code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="taught_offerings",
        null=True,
        blank=True,
        verbose_name=_("teacher"),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    seats = models.PositiveIntegerField(_("seats"))
    taken = models.PositiveIntegerField(_("seats taken"), default=0)
    open_to = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("open to"),
        help_text=_("Students of this region may choose it; empty: all regions."),
    )
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"), default=1)
    grade_max = models.PositiveSmallIntegerField(_("highest grade"), default=16)
    school_types = models.JSONField(_("school types"), default=list, blank=True)
    prerequisites = models.JSONField(_("prerequisite course codes"), default=list, blank=True)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1, default=1)
    hours = models.PositiveSmallIntegerField(_("hours"), default=16)
    starts_on = models.DateField(_("first week"), null=True, blank=True)
    ends_on = models.DateField(_("last week"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course section")
        verbose_name_plural = _("course sections")
        constraints = [
            models.CheckConstraint(
                name="offering_never_overbooked", condition=Q(taken__lte=F("seats"))
            ),
            models.CheckConstraint(
                name="offering_grade_range", condition=Q(grade_min__lte=F("grade_max"))
            ),
            models.CheckConstraint(name="offering_credits_positive", condition=Q(credits__gte=0)),
            models.UniqueConstraint(fields=["round", "code"], name="offering_code_unique_in_round"),
        ]
        indexes = [models.Index(fields=["round", "is_active"], name="offering_round_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.taken)


class Slot(models.Model):
    """A weekly time slot: of a section, or of a class's fixed home timetable."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="slots", null=True, blank=True
    )
    home_class = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="home_slots", null=True, blank=True
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(name="slot_ends_after_start", condition=Q(ends__gt=F("starts"))),
            models.CheckConstraint(
                name="slot_belongs_to_one",
                condition=Q(offering__isnull=False, home_class__isnull=True)
                | Q(offering__isnull=True, home_class__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def overlaps(self, other: Slot) -> bool:
        return (
            self.weekday == other.weekday and self.starts < other.ends and other.starts < self.ends
        )


class Selection(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_selections"
    )
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="selections")
    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="selections")
    status = models.CharField(_("status"), max_length=16, choices=SelectionStatus.choices)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    home_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    approve_by = models.DateTimeField(_("approval deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("course selection")
        verbose_name_plural = _("course selections")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "offering"],
                condition=Q(status__in=ACTIVE),
                name="selection_one_live_per_section",
            ),
            models.UniqueConstraint(
                fields=["student", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="selection_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["offering", "status", "id"], name="selection_queue_idx"),
            models.Index(fields=["student", "round", "status"], name="selection_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} -> {self.offering} ({self.status})"


class Preference(models.Model):
    """A student's ranked choice in a lottery round."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="preferences")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["student_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "round", "rank"], name="preference_rank_unique"
            ),
            models.UniqueConstraint(
                fields=["student", "round", "offering"], name="preference_offering_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} #{self.rank} {self.offering_id}"


class ApprovalRule(models.Model):
    """A home school that wants to approve its students' picks, and how long it takes."""

    school = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="approval_rule")
    required = models.BooleanField(_("picks need approval"), default=True)
    hours = models.PositiveSmallIntegerField(_("hours to decide"), default=48)
    approve_when_late = models.BooleanField(_("approve picks nobody decided in time"), default=True)

    def __str__(self) -> str:
        return f"{self.school_id}: {'approval' if self.required else 'no approval'}"


class ResultQuerySet(models.QuerySet["ExternalResult"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("results are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("results are append-only")


class ExternalResult(models.Model):
    """A grade and credits earned at another school, as the home school sees them.

    Append-only: a correction is a new row that ``supersedes`` the old one. The credit bank
    (CRD) builds on these rows."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="results")
    home_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    host_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    course_code = models.CharField(_("course code"), max_length=64)
    course_title = models.CharField(_("course"), max_length=200)
    grade = models.CharField(_("grade"), max_length=16)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("passed"))
    credits = models.DecimalField(_("credits earned"), max_digits=4, decimal_places=1)
    hours = models.PositiveSmallIntegerField(_("hours"))
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("external course result")
        verbose_name_plural = _("external course results")
        constraints = [
            models.CheckConstraint(name="result_credits_non_negative", condition=Q(credits__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.course_code} {self.grade}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("results are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("results are append-only")
