"""Choices of the learning platform (stored values are stable; labels are translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    FILL_IN = "fill_in", _("Fill in the blank")
    NUMERIC = "numeric", _("Numeric")
    SHORT_ANSWER = "short_answer", _("Short answer (teacher-graded)")
    MATCHING = "matching", _("Matching")


class AssignmentKind(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    HOMEWORK = "homework", _("Homework")
    TEST = "test", _("Timed test")
