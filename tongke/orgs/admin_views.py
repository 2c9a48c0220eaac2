"""Admin pages: change the org tree, add people, give and take roles, reset passwords.

Each view parses a form, gets objects through the access_* gates and calls one service;
a refused or invalid action re-renders the form with the service's message (status 400/403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongke.accounts.auth import actor_of
from tongke.core.errors import TongkeError
from tongke.orgs import errors, policies, selectors, services
from tongke.orgs import forms as f
from tongke.orgs.enums import Role, UnitKind


def _attempt(form: forms.Form, action: Callable[[], Any]) -> Any:
    """Run a service; a typed error becomes a form error. Returns the result or None."""
    try:
        return action()
    except TongkeError as exc:
        form.add_error(None, str(exc.message))
        form.status = exc.status  # type: ignore[attr-defined]
        return None


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, back: str, **extra: Any
) -> HttpResponse:
    status = getattr(form, "status", 400) if form.is_bound else 200
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": title, "back": back, **extra},
        status=status,
    )


@login_required
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = policies.access_unit(request.user, unit_id)
    if not policies.can_manage_unit(request.user, unit):
        raise errors.forbidden()
    fields = {
        k: getattr(unit, k)
        for k in (
            "name",
            "name_en",
            "is_active",
            "school_type",
            "location_class",
            "bandwidth_mbps",
            "region_level",
        )
    }
    form = f.UnitEditForm(request.POST or None, kind=unit.kind, initial=fields)
    back = f"/orgs/units/{unit.pk}/"
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in fields}
        if _attempt(
            form, lambda: services.unit_update(actor=actor_of(request), unit=unit, **changes)
        ):
            messages.success(request, _("Saved."))
            return redirect(back)
    return _form_page(request, form, _("Edit %(name)s") % {"name": unit.display_name}, back)


CREATE_FORMS: dict[tuple[str, str], type[forms.Form]] = {
    (UnitKind.REGION, UnitKind.REGION): f.RegionCreateForm,
    (UnitKind.REGION, UnitKind.SCHOOL): f.SchoolCreateForm,
    (UnitKind.SCHOOL, UnitKind.CLASS): f.ClassCreateForm,
}


@login_required
def unit_add(request: HttpRequest, unit_id: int, kind: str) -> HttpResponse:
    parent = policies.access_unit(request.user, unit_id)
    form_class = CREATE_FORMS.get((parent.kind, kind))
    if form_class is None:
        raise errors.bad_parent(kind, parent.kind)
    if not policies.can_create_unit(
        request.user, parent, UnitKind.GRADE if kind == UnitKind.CLASS else kind
    ):
        raise errors.forbidden()
    form = form_class(request.POST or None)
    back = f"/orgs/units/{parent.pk}/"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        actor = actor_of(request)

        def create() -> Any:
            if kind == UnitKind.CLASS:
                from django.db import transaction

                with transaction.atomic():
                    grade = services.grade_for(
                        actor=actor, school=parent, grade_level=data["grade_level"]
                    )
                    return services.unit_create(actor=actor, parent=grade, kind=kind, **data)
            return services.unit_create(actor=actor, parent=parent, kind=kind, **data)

        unit = _attempt(form, create)
        if unit:
            messages.success(request, _("Created %(name)s.") % {"name": unit.name})
            return redirect(f"/orgs/units/{unit.pk}/")
    labels: dict[str, str] = {
        UnitKind.REGION: _("Add a sub-region"),
        UnitKind.SCHOOL: _("Add a school"),
        UnitKind.CLASS: _("Add a class"),
    }
    return _form_page(request, form, f"{labels[kind]} · {parent.display_name}", back)


@login_required
def add_student(request: HttpRequest, unit_id: int) -> HttpResponse:
    klass = policies.access_unit(request.user, unit_id, UnitKind.CLASS)
    if not policies.can_grant_role(request.user, Role.STUDENT, klass):
        raise errors.forbidden()
    form = f.PersonCreateForm(request.POST or None)
    back = f"/orgs/units/{klass.pk}/"
    if request.method == "POST" and form.is_valid():
        person = _attempt(
            form,
            lambda: services.person_create(
                actor=actor_of(request), role=Role.STUDENT, unit=klass, **form.cleaned_data
            ),
        )
        if person:
            messages.success(request, _("Added %(name)s.") % {"name": person.full_name})
            return redirect(f"/orgs/people/{person.pk}/")
    return _form_page(
        request, form, _("Add a student to %(name)s") % {"name": klass.display_name}, back
    )


@login_required
def add_parent(request: HttpRequest, person_id: int) -> HttpResponse:
    child = policies.access_user(request.user, person_id)
    if not policies.can_grant_role(request.user, Role.PARENT, subject=child):
        raise errors.forbidden()
    form = f.PersonCreateForm(request.POST or None)
    back = f"/orgs/people/{child.pk}/"
    if request.method == "POST" and form.is_valid():
        parent = _attempt(
            form,
            lambda: services.person_create(
                actor=actor_of(request), role=Role.PARENT, subject=child, **form.cleaned_data
            ),
        )
        if parent:
            messages.success(request, _("Added %(name)s.") % {"name": parent.full_name})
            return redirect(back)
    return _form_page(
        request, form, _("Add a parent of %(name)s") % {"name": child.full_name}, back
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    role = request.GET.get("role", "")
    people = selectors.person_list(
        viewer=request.user, q=q or None, role=role if role in Role.values else None
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request, "orgs/people.html", {"people": page, "q": q, "role": role, "roles": Role.choices}
    )


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policies.access_user(request.user, person_id)
    can_edit = policies.can_edit_user(request.user, person) or person.pk == request.user.pk
    roles = list(selectors.role_list(viewer=request.user, person=person))
    is_student = any(r.role == Role.STUDENT for r in roles)
    context = {
        "person": person,
        "roles": roles,
        "can_edit": policies.can_edit_user(request.user, person),
        "show_contact": can_edit,
        "can_add_parent": is_student
        and policies.can_grant_role(request.user, Role.PARENT, subject=person),
        "revocable": {
            r.pk for r in roles if policies.can_grant_role(request.user, r.role, r.unit, r.subject)
        },
        "edit_form": f.PersonEditForm(
            initial={k: getattr(person, k) for k in ("full_name", "email", "phone", "is_active")}
        ),
        "password_form": f.PasswordSetForm(),
        "grant_form": f.RoleGrantForm(),
        "is_admin": policies.is_admin(request.user),
    }
    return render(request, "orgs/person.html", context)


@login_required
@require_POST
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policies.access_user(request.user, person_id)
    actor = actor_of(request)
    form = f.PersonEditForm(request.POST)
    back = f"/orgs/people/{person.pk}/"
    if form.is_valid() and _attempt(
        form,
        lambda: services.person_update(actor=actor, person=person, **form.cleaned_data),
    ):
        messages.success(request, _("Saved."))
        return redirect(back)
    return _form_page(request, form, person.full_name, back)


@login_required
@require_POST
def person_password(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policies.access_user(request.user, person_id)
    form = f.PasswordSetForm(request.POST)
    back = f"/orgs/people/{person.pk}/"
    if form.is_valid() and _attempt(
        form,
        lambda: services.person_set_password(
            actor=actor_of(request), person=person, password=form.cleaned_data["password"]
        ),
    ):
        messages.success(request, _("The new password is set."))
        return redirect(back)
    return _form_page(
        request, form, _("New password for %(name)s") % {"name": person.full_name}, back
    )


@login_required
@require_POST
def role_grant(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policies.access_user(request.user, person_id)
    form = f.RoleGrantForm(request.POST)
    back = f"/orgs/people/{person.pk}/"
    if form.is_valid():
        data = form.cleaned_data

        def grant() -> Any:
            unit = (
                policies.access_unit_by_code(request.user, data["unit_code"])
                if data["unit_code"]
                else None
            )
            return services.role_grant(
                actor=actor_of(request), person=person, role=data["role"], unit=unit
            )

        if _attempt(form, grant):
            messages.success(request, _("Role given."))
            return redirect(back)
    return _form_page(request, form, _("Give %(name)s a role") % {"name": person.full_name}, back)


@login_required
@require_POST
def role_revoke(request: HttpRequest, role_id: int) -> HttpResponse:
    role = policies.access_role(request.user, role_id)
    services.role_revoke(actor=actor_of(request), assignment=role)
    messages.success(request, _("Role taken away."))
    return redirect(f"/orgs/people/{role.user_id}/")
