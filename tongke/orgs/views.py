"""The org browser and the audit log pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongke.audit.selectors import audit_event_list
from tongke.orgs import errors, policies, selectors
from tongke.orgs.enums import LocationClass, Role, SchoolType, UnitKind


def browse(request: HttpRequest) -> HttpResponse:
    roots = selectors.unit_roots(viewer=request.user)
    return render(request, "orgs/browse.html", {"roots": roots})


def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = policies.access_unit(request.user, unit_id)
    children = list(selectors.unit_list(viewer=request.user, parent=unit))
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": children,
        "can_manage": policies.can_manage_unit(request.user, unit),
    }
    if unit.kind == UnitKind.REGION:
        school_type = request.GET.get("type", "")
        location = request.GET.get("location", "")
        schools = selectors.unit_list(
            viewer=request.user,
            kind=UnitKind.SCHOOL,
            within=unit,
            q=request.GET.get("q", "")[:100] or None,
            filters={
                "school_type": school_type if school_type in SchoolType.values else None,
                "location_class": location if location in LocationClass.values else None,
            },
        )
        page = Paginator(schools, 50).get_page(request.GET.get("page"))
        counts = selectors.school_counts(viewer=request.user, within=unit)
        context |= {
            "location_stats": [
                (label, counts.by_location.get(key, 0)) for key, label in LocationClass.choices
            ],
            "schools": page,
            "counts": counts,
            "school_types": SchoolType.choices,
            "locations": LocationClass.choices,
            "selected": {"type": school_type, "location": location, "q": request.GET.get("q", "")},
            "sub_regions": [c for c in children if c.kind == UnitKind.REGION],
        }
    if unit.kind == UnitKind.CLASS:
        context["students"] = selectors.class_students(viewer=request.user, klass=unit)[:200]
        context["teachers"] = selectors.person_list(
            viewer=request.user, role=Role.TEACHER, unit=unit
        )[:50]
    if unit.kind == UnitKind.SCHOOL and request.user.is_authenticated:
        context["people"] = (
            selectors.people_counts(within=unit)
            if policies.can_manage_unit(request.user, unit)
            else None
        )
    return render(request, "orgs/unit.html", context)


def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not policies.can_read_audit(request.user):
        raise errors.forbidden()
    events = audit_event_list(
        visible=policies.audit_visible_to(request.user),
        action=request.GET.get("action", "")[:64] or None,
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "orgs/audit.html", {"events": page, "action": request.GET.get("action", "")}
    )
