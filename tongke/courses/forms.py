"""Forms of the course-selection pages. They only parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongke.courses.enums import Mode, RoundMode, Weekday
from tongke.orgs.enums import GRADE_LEVEL_MAX, GRADE_LEVEL_MIN

DATETIME = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class CatalogueFilter(forms.Form):
    round = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None)
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=[("", _("All")), *Mode.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    seats = forms.BooleanField(label=_("Only with free seats"), required=False)

    def __init__(self, *args: Any, rounds: list[Any], subjects: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["round"]).choices = [
            ("", _("All")),
            *((r.pk, r.name) for r in rounds),
        ]
        cast(forms.ChoiceField, self.fields["subject"]).choices = [
            ("", _("All")),
            *((s, s) for s in subjects),
        ]

    def value(self, name: str) -> Any:
        """The cleaned value, or empty when the query string was not valid."""
        if not self.is_valid():
            return None
        return self.cleaned_data.get(name)


class ChooseForm(forms.Form):
    offering = forms.IntegerField(min_value=1)
    key = forms.CharField(max_length=64, required=False)
    waitlist = forms.BooleanField(required=False)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.TypedChoiceField(
        label=_("For"),
        coerce=int,
        help_text=_("The region or school whose students take part."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=RoundMode.choices)
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=DateTimeLocal(), input_formats=[DATETIME]
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=DateTimeLocal(), input_formats=[DATETIME]
    )
    drop_until = forms.DateTimeField(
        label=_("Drops allowed until"), widget=DateTimeLocal(), input_formats=[DATETIME]
    )
    max_sections = forms.IntegerField(
        label=_("Sections per student"), min_value=1, max_value=50, initial=3
    )
    max_credits = forms.DecimalField(
        label=_("Credits per student"),
        min_value=Decimal("0.5"),
        max_value=1000,
        max_digits=5,
        decimal_places=1,
        initial=6,
    )
    max_choices = forms.IntegerField(
        label=_("Ranked choices (lottery)"), min_value=1, max_value=20, initial=5
    )
    rural_priority = forms.BooleanField(
        label=_("Priority for rural schools and teaching points (lottery)"), required=False
    )

    def __init__(self, *args: Any, scopes: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            (u.pk, f"{u.display_name} ({u.code})") for u in scopes
        ]


WEEKDAYS = [(d.value, d.label) for d in Weekday]


class OfferingForm(forms.Form):
    code = forms.RegexField(
        label=_("Course code"), regex=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=64, required=False)
    host = forms.TypedChoiceField(label=_("Host school"), coerce=int)
    teacher = forms.TypedChoiceField(
        label=_("Teacher"), coerce=int, required=False, empty_value=None
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10_000, initial=30)
    credits = forms.DecimalField(
        label=_("Credits"),
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        initial=1,
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=1000, initial=16)
    grade_min = forms.IntegerField(
        label=_("Lowest grade"), min_value=GRADE_LEVEL_MIN, max_value=GRADE_LEVEL_MAX, initial=1
    )
    grade_max = forms.IntegerField(
        label=_("Highest grade"), min_value=GRADE_LEVEL_MIN, max_value=GRADE_LEVEL_MAX, initial=12
    )
    day1 = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int)
    starts1 = forms.TimeField(label=_("Starts"), widget=TimeInput())
    ends1 = forms.TimeField(label=_("Ends"), widget=TimeInput())
    day2 = forms.TypedChoiceField(
        label=_("Second weekday"),
        choices=[("", "–"), *WEEKDAYS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    starts2 = forms.TimeField(label=_("Starts"), widget=TimeInput(), required=False)
    ends2 = forms.TimeField(label=_("Ends"), widget=TimeInput(), required=False)

    def __init__(self, *args: Any, hosts: list[Any], teachers: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["host"]).choices = [
            (h.pk, h.display_name) for h in hosts
        ]
        cast(forms.ChoiceField, self.fields["teacher"]).choices = [
            ("", "–"),
            *(
                (school.display_name, [(p.pk, f"{p.full_name} ({p.username})") for p in people])
                for school, people in teachers
                if people
            ),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("grade_min")
            and data.get("grade_max")
            and data["grade_min"] > data["grade_max"]
        ):
            self.add_error("grade_max", _("The highest grade must not be below the lowest."))
        second = [data.get("day2"), data.get("starts2"), data.get("ends2")]
        if any(v is not None for v in second) and not all(v is not None for v in second):
            self.add_error("day2", _("Give the weekday, start and end of the second slot."))
        return data

    def slots(self) -> list[tuple[int, Any, Any]]:
        d = self.cleaned_data
        out = [(d["day1"], d["starts1"], d["ends1"])]
        if d.get("day2") is not None:
            out.append((d["day2"], d["starts2"], d["ends2"]))
        return out


class ResultForm(forms.Form):
    selection = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    grade = forms.CharField(label=pgettext_lazy("result", "Grade"), max_length=16)
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, max_value=1000, decimal_places=1
    )
    passed = forms.BooleanField(label=_("Passed"), required=False)


class IdsForm(forms.Form):
    """The ids of the picks a bulk decision covers (at most 500)."""

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        self.ids: list[int] = []

    def clean(self) -> dict[str, Any]:
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if not raw or len(raw) > 500 or not all(str(x).isdigit() for x in raw):
            raise forms.ValidationError(_("Choose between 1 and 500 picks."))
        self.ids = sorted({int(x) for x in raw})
        return {}


class PreferencesForm(forms.Form):
    """Up to ``max_choices`` ranked sections of a lottery round."""

    def __init__(self, *args: Any, offerings: list[Any], n: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.n = n
        choices = [("", "–"), *((o.pk, f"{o.title} ({o.code})") for o in offerings)]
        for i in range(1, n + 1):
            self.fields[f"choice{i}"] = forms.TypedChoiceField(
                label=_("Choice %(n)d") % {"n": i},
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
            )

    def ranked(self) -> list[int]:
        picked = (self.cleaned_data.get(f"choice{i}") for i in range(1, self.n + 1))
        return [v for v in picked if v is not None]
