"""Forms of the lesson-library pages. They only parse input; the services decide (text is
cleaned, checked and limited by ``services``, files by ``processing``)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongke.library.enums import (
    CHECKLIST,
    Decision,
    DesignationKind,
    Licence,
    ResourceKind,
    Stage,
    Visibility,
)
from tongke.library.selectors import ResourceFilters

ALL = ("", _("All"))


def _set_choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[ALL, *Stage.choices])
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    grade = forms.TypedChoiceField(label=_("Grade"), required=False, coerce=int, empty_value=None)
    edition = forms.ChoiceField(label=_("Textbook edition"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[ALL, *ResourceKind.choices])
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, facets: dict[str, list[Any]], regions: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _set_choices(self, "subject", [ALL, *((s, s) for s in facets.get("subjects", []))])
        _set_choices(
            self,
            "grade",
            [ALL, *((g, _("Grade %(n)d") % {"n": g}) for g in facets.get("grades", []))],
        )
        _set_choices(self, "edition", [ALL, *((e, e) for e in facets.get("editions", []))])
        _set_choices(self, "region", [ALL, *((r.pk, r.display_name) for r in regions)])

    def filters(self) -> ResourceFilters:
        """The valid filters; a bad value is dropped (never an error page)."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        return ResourceFilters(
            q=d.get("q") or "",
            stage=d.get("stage") or "",
            subject=d.get("subject") or "",
            grade_level=d.get("grade"),
            edition=d.get("edition") or "",
            kind=d.get("kind") or "",
            region_id=d.get("region"),
        )


class _ContentFields(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    external_url = forms.CharField(
        label=_("Link (virtual labs)"),
        required=False,
        max_length=500,
        help_text=_("An http or https address; only for virtual lab links."),
        widget=forms.URLInput(),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Video (MP4, MOV, WebM...), PDF, slides, documents or images."),
    )
    note = forms.CharField(label=_("Note to the reviewer"), required=False, max_length=500)


class ResourceForm(_ContentFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    node = forms.TypedChoiceField(
        label=_("Catalogue place"),
        coerce=int,
        help_text=_("The lesson, chapter or topic the resource belongs to."),
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, initial=Visibility.ALL_REGIONS
    )
    school = forms.TypedChoiceField(label=_("School"), coerce=int, required=False)

    field_order = [
        "kind",
        "node",
        "title",
        "description",
        "file",
        "external_url",
        "licence",
        "visibility",
        "school",
        "note",
    ]

    def __init__(self, *args: Any, nodes: list[tuple[int, str]], schools: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _set_choices(self, "node", [("", "–"), *nodes])
        if len(schools) > 1:
            _set_choices(self, "school", [(s.pk, s.display_name) for s in schools])
            self.fields["school"].required = True
        else:
            del self.fields["school"]


class VersionForm(_ContentFields):
    """The content of the version being edited."""


class SettingsForm(forms.Form):
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)
    node = forms.TypedChoiceField(label=_("Catalogue place"), coerce=int)

    def __init__(self, *args: Any, nodes: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        _set_choices(self, "node", nodes)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RestoreForm(forms.Form):
    reasons = forms.CharField(label=_("Note"), max_length=500, required=False)


class DesignateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Designation"), choices=DesignationKind.choices)


class ReviewForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("Checklist"),
        required=False,
        choices=list(CHECKLIST),
        widget=forms.CheckboxSelectMultiple,
    )
    reasons = forms.CharField(
        label=_("Reasons (required to return it)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        choices=[
            (Decision.APPROVE, Decision.APPROVE.label),
            (Decision.RETURN, Decision.RETURN.label),
        ]
    )

    def checks(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data.get("checklist") or [])
        return {key: key in ticked for key, _label in CHECKLIST}


def _this_year() -> int:
    return timezone.now().year


class TargetForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)
    kind = forms.ChoiceField(label=_("Designation"), choices=DesignationKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=_this_year)
    target = forms.IntegerField(
        label=pgettext_lazy("designation", "Target"), min_value=0, max_value=100000
    )

    def __init__(self, *args: Any, regions: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _set_choices(self, "region", [(r.pk, r.display_name) for r in regions])


class PackageForm(forms.Form):
    node = forms.TypedChoiceField(label=_("Lesson"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resources = forms.TypedMultipleChoiceField(
        label=_("Resources"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your published resources; at most 50."),
    )

    def __init__(
        self, *args: Any, nodes: list[tuple[int, str]], resources: list[Any], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        _set_choices(self, "node", [("", "–"), *nodes])
        _set_choices(
            self, "resources", [(r.pk, f"{r.title} · {r.get_kind_display()}") for r in resources]
        )
