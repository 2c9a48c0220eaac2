"""Forms of the learning pages. They only parse input; the services decide.

``answer_from`` turns the fields of a question's form into the answer the grader expects
(``grading`` module docstring); an empty or unreadable answer is refused with a sentence a
learner understands (``learning.bad_answer``), never graded as wrong.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tongke.core.errors import Invalid
from tongke.learning.enums import AssignmentKind, ItemKind
from tongke.learning.errors import LearningError
from tongke.learning.grading import MAX_TEXT
from tongke.learning.interchange.model import parse_number
from tongke.learning.practice import MAX_ITEMS

DATETIME = "%Y-%m-%dT%H:%M"
BAD_ANSWER = LearningError.BAD_ANSWER
FRACTION = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "，": ".", "。": "."})


def _refuse(message: str) -> Invalid:
    return Invalid(message, code=BAD_ANSWER)


def number_from(raw: str) -> float | None:
    """A number a learner typed: full-width digits, a typographic minus and a fraction
    ("3/4") are read too."""
    text = unicodedata.normalize("NFKC", raw).translate(MINUS).replace(" ", "").strip()
    fraction = FRACTION.fullmatch(text)
    if fraction:
        try:
            top, bottom = Decimal(fraction.group(1)), Decimal(fraction.group(2))
        except InvalidOperation:
            return None
        return float(top / bottom) if bottom else None
    return parse_number(text)


def answer_from(kind: str, view: dict[str, Any], data: Any) -> dict[str, Any]:
    """The answer of a question's form fields (``data`` is ``request.POST``)."""
    if kind in ("single", "true_false"):
        choice = data.get("choice", "")
        if not choice:
            raise _refuse(_("Choose an answer."))
        return {"choice": str(choice)[:64]}
    if kind == "multiple":
        picks = [str(p)[:64] for p in data.getlist("choices")]
        if not picks:
            raise _refuse(_("Choose at least one option."))
        return {"choices": list(dict.fromkeys(picks))}
    if kind in ("fill_in", "short_answer"):
        text = str(data.get("text", "")).strip()
        if not text:
            raise _refuse(_("Write your answer."))
        if len(text) > MAX_TEXT:
            raise _refuse(_("The answer is too long."))
        return {"text": text}
    if kind == "numeric":
        raw = str(data.get("value", "")).strip()
        if not raw:
            raise _refuse(_("Write a number."))
        number = number_from(raw[:100])
        if number is None:
            raise _refuse(_("Write a number, such as 12, -3.5 or 3/4."))
        return {"value": number}
    if kind == "matching":
        lefts = view.get("lefts", [])
        rights = set(view.get("rights", []))
        pairs: dict[str, str] = {}
        for n, left in enumerate(lefts):
            right = str(data.get(f"pair-{n}", ""))
            if right not in rights:
                raise _refuse(_("Match every item on the left."))
            pairs[left] = right
        return {"pairs": pairs}
    raise _refuse(_("Unknown question kind."))


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME)


def _ids(values: list[str], limit: int) -> list[int] | None:
    """Distinct positive integer ids in order, or None when one is not an id."""
    if len(values) > limit or not all(v.isdigit() and 0 < len(v) < 12 for v in values):
        return None
    return list(dict.fromkeys(int(v) for v in values))


class AssignForm(forms.Form):
    klass = forms.TypedChoiceField(label=gettext_lazy("Class"), coerce=int)
    title = forms.CharField(label=pgettext_lazy("assignment", "Title"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=AssignmentKind.choices, initial="homework"
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"), widget=DateTimeLocal(), input_formats=[DATETIME]
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"), widget=DateTimeLocal(), input_formats=[DATETIME]
    )
    time_limit_minutes = forms.IntegerField(
        label=gettext_lazy("Time limit (minutes, timed tests)"),
        required=False,
        min_value=1,
        max_value=600,
    )
    point = forms.TypedChoiceField(
        label=gettext_lazy("Knowledge point"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, classes: list[Any], points: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["klass"]).choices = [
            (c.pk, c.display_name) for c in classes
        ]
        cast(forms.ChoiceField, self.fields["point"]).choices = [
            ("", "–"),
            *((p.pk, f"{p.name} ({p.code})") for p in points),
        ]
        self.item_ids: list[int] = []
        self.student_ids: list[int] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items = _ids(cast(Any, self.data).getlist("items"), MAX_ITEMS) if self.is_bound else []
        if items is None:
            raise forms.ValidationError(_("Choose the questions from the list."))
        students = _ids(cast(Any, self.data).getlist("students"), 200) if self.is_bound else []
        if students is None:
            raise forms.ValidationError(_("Choose the students from the list."))
        self.item_ids, self.student_ids = items, students
        return data


SCORES = [("1", "1"), ("0.5", "0.5"), ("0", "0")]


class GradeForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("Score"), choices=SCORES, coerce=float, widget=forms.RadioSelect
    )


class BankFilter(forms.Form):
    subject = forms.ChoiceField(label=gettext_lazy("Subject"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *ItemKind.choices],
    )
    point = forms.TypedChoiceField(
        label=gettext_lazy("Knowledge point"), coerce=int, required=False, empty_value=None
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, subjects: list[str], points: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["subject"]).choices = [
            ("", gettext_lazy("All")),
            *((s, s) for s in subjects),
        ]
        cast(forms.ChoiceField, self.fields["point"]).choices = [
            ("", gettext_lazy("All")),
            *((p.pk, p.name) for p in points),
        ]

    def value(self, name: str) -> Any:
        if not self.is_valid():
            return None
        return self.cleaned_data.get(name)


FORMATS = [
    ("", gettext_lazy("Recognise by content")),
    ("gift", "GIFT"),
    ("moodlexml", "Moodle XML"),
    ("qti", "QTI 2.x / 3.0"),
]


class BankImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (GIFT, Moodle XML or a QTI package)"))
    subject = forms.ChoiceField(label=gettext_lazy("Subject"))
    fmt = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, required=False)
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, store nothing"), required=False)

    def __init__(self, *args: Any, subjects: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["subject"]).choices = [(s, s) for s in subjects]
