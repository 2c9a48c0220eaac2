"""Forms of the admin pages. They only parse input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongke.orgs.enums import (
    GRADE_LEVEL_MAX,
    GRADE_LEVEL_MIN,
    LocationClass,
    RegionLevel,
    Role,
    SchoolType,
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
USERNAME = r"^[\w.@+-]+$"


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if kind == "school":
            self.fields["school_type"] = forms.ChoiceField(
                label=_("School type"), choices=SchoolType.choices
            )
            self.fields["location_class"] = forms.ChoiceField(
                label=_("Location class"), choices=LocationClass.choices
            )
            self.fields["bandwidth_mbps"] = forms.IntegerField(
                label=_("Bandwidth (Mbit/s)"), min_value=0, max_value=100_000, required=False
            )
        if kind == "region":
            self.fields["region_level"] = forms.ChoiceField(
                label=_("Region level"), choices=RegionLevel.choices
            )


class RegionCreateForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=CODE, max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    region_level = forms.ChoiceField(label=_("Region level"), choices=RegionLevel.choices)


class SchoolCreateForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=CODE, max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    school_type = forms.ChoiceField(label=_("School type"), choices=SchoolType.choices)
    location_class = forms.ChoiceField(label=_("Location class"), choices=LocationClass.choices)
    bandwidth_mbps = forms.IntegerField(
        label=_("Bandwidth (Mbit/s)"), min_value=0, max_value=100_000, required=False
    )


class ClassCreateForm(forms.Form):
    grade_level = forms.IntegerField(
        label=_("Grade level"), min_value=GRADE_LEVEL_MIN, max_value=GRADE_LEVEL_MAX
    )
    code = forms.RegexField(label=_("Code"), regex=CODE, max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)


class PersonCreateForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=USERNAME, max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput,
        required=False,
        min_length=8,
        max_length=128,
        help_text=_("Leave empty: the person cannot sign in until a password is set."),
    )


class PersonEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PasswordSetForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r not in (Role.PARENT,)]
    )
    unit_code = forms.CharField(
        label=_("Place (code)"),
        max_length=64,
        required=False,
        help_text=_("The code of the region, school or class, for example BJ-HD-S01-G03-C1."),
    )
