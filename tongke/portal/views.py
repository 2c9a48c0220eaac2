from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongke.orgs.enums import LocationClass, Role
from tongke.portal.selectors import home_for


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/welcome.html")
    return render(
        request,
        "portal/home.html",
        {"home": home_for(request.user), "Role": Role, "locations": list(LocationClass)},
    )
