"""Forms of the live-class pages. Choices are filled by the view from selectors; the services
check everything again."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongke.live.enums import PartnershipKind


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class PartnershipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnershipKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)
    lead_school = forms.TypedChoiceField(label=_("Lead school"), coerce=int)
    members = forms.TypedMultipleChoiceField(
        label=_("Partner schools and teaching points"), coerce=int
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, regions: list[Any], schools: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _choices(self, "region", [(r.pk, r.display_name) for r in regions])
        school_choices = [(s.pk, s.display_name) for s in schools]
        _choices(self, "lead_school", school_choices)
        _choices(self, "members", school_choices)
        self.fields["members"].widget = forms.SelectMultiple(attrs={"size": 8})
        self.fields["members"].widget.choices = school_choices


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    host = forms.TypedChoiceField(label=_("Host school"), coerce=int)
    lesson = forms.TypedChoiceField(label=_("Lesson"), coerce=int)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240, initial=45)
    weekly_until = forms.DateField(
        label=_("Repeat weekly until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a single lesson."),
    )
    classes = forms.TypedMultipleChoiceField(
        label=_("Receiving classrooms"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        hosts: list[Any],
        lessons: list[tuple[int, str]],
        classes: list[tuple[int, str]],
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        _choices(self, "host", [(s.pk, s.display_name) for s in hosts])
        _choices(self, "lesson", lessons)
        _choices(self, "classes", classes)

    def starts_at(self) -> datetime:
        d = self.cleaned_data
        naive = datetime.combine(d["day"], d["time"])
        return timezone.make_aware(naive, timezone.get_current_timezone())


class RescheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240)

    def starts_at(self) -> datetime:
        d = self.cleaned_data
        return timezone.make_aware(
            datetime.combine(d["day"], d["time"]), timezone.get_current_timezone()
        )
