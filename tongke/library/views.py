"""Pages of the shared lesson library (空中课堂, LIB-1..6): search, the catalogue tree, the
resource page with its player, review, designations and packages. Sharing and editing are in
``authorviews.py``; media files are served by ``mediaviews.py``.

Each view gets its objects through the ``access_*`` policies, reads through selectors and
writes through one service. A refused action re-renders its page with the service's message
and status; a done one redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongke.core.errors import Invalid, PermissionDenied, TongkeError
from tongke.library import catalogue, policies, selectors, services
from tongke.library import forms as f
from tongke.library.enums import (
    CHECKLIST,
    RESOURCE_NODE_KINDS,
    VIDEO_KINDS,
    AssetStatus,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
)
from tongke.library.errors import LibraryError
from tongke.library.models import MediaAsset, Resource, ResourceVersion

PAGE_RESULTS = 20
PAGE_ROWS = 30
BANDWIDTH_COOKIE = "tk_bw"
BANDWIDTHS = ("normal", "low", "audio")
EDITABLE = (VersionStatus.DRAFT, VersionStatus.RETURNED)


class Refusal:
    """A refused action shown on the page it came from."""

    def __init__(self, exc: TongkeError):
        self.message = str(exc.message)
        self.code = exc.code
        self.status = exc.status


def forbidden(message: Any = None) -> PermissionDenied:
    return PermissionDenied(message, code=LibraryError.FORBIDDEN)


def tabs(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    home = reverse("library:home")
    items = [(home, _("Search")), (reverse("library:catalogue"), _("Catalogue"))]
    if policies.can_author(user):
        items.append((reverse("library:mine"), _("My resources")))
        items.append((reverse("library:new"), _("Share a resource")))
    if policies.is_reviewer(user):
        items.append((reverse("library:review-queue"), _("Review")))
    if getattr(user, "is_authenticated", False) and selectors.regions_administered(viewer=user):
        items.append((reverse("library:designations"), _("Designations")))
    # One current tab: the longest match; the search tab only on its own page.
    matches = [url for url, _label in items if request.path.startswith(url) and url != home]
    current = max(matches, key=len, default=home if request.path == home else None)
    return [{"url": url, "label": label, "active": url == current} for url, label in items]


def back_url(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next", "") or request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def bandwidth_of(request: HttpRequest) -> str:
    value = request.COOKIES.get(BANDWIDTH_COOKIE, "")
    return value if value in BANDWIDTHS else "normal"


def safe_link(url: str) -> str:
    """An external link is shown only when it is http(s)."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def media_context(asset: MediaAsset | None, bandwidth: str) -> dict[str, Any] | None:
    """What the page shows for a file: a player (renditions, the chosen one first), a PDF's
    preview, or a download."""
    if asset is None:
        return None
    base = f"/library/media/{asset.pk}/"
    out: dict[str, Any] = {
        "asset": asset,
        "ready": asset.status == AssetStatus.READY,
        "original": base + "original",
        "poster": base + "poster" if asset.poster else "",
        "preview": base + "preview" if asset.preview else "",
        "kind": asset.media_kind,
        "renditions": [],
        "sources": [],
        "chosen": "",
        "has_audio": False,
        "has_video": False,
    }
    if asset.media_kind not in ("video", "audio") or not out["ready"]:
        return out
    renditions = selectors.renditions_of(asset)
    labels = [r.label for r in renditions]
    videos = [label for label in labels if label != "audio"]
    wanted = {"low": "240p", "audio": "audio"}.get(bandwidth, "360p")
    if wanted not in labels:
        wanted = "360p" if "360p" in labels and bandwidth != "low" else ""
    chosen = wanted or (videos[0] if videos else (labels[0] if labels else ""))
    rows = [{"r": r, "url": base + r.label} for r in renditions]
    out["renditions"] = rows
    out["sources"] = sorted(rows, key=lambda row: row["r"].label != chosen)
    out["chosen"] = chosen
    out["has_audio"] = "audio" in labels
    out["has_video"] = bool(videos)
    return out


def asset_state(asset: MediaAsset | None) -> dict[str, Any] | None:
    if asset is None:
        return None
    return {
        "status": asset.status,
        "label": asset.get_status_display(),
        "progress": asset.progress,
        "url": reverse("library:asset-status", args=[asset.pk]),
        "error": asset.error_message,
        "done": asset.status in (AssetStatus.READY, AssetStatus.FAILED),
    }


# --- Search and browse ----------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = f.SearchForm(
        request.GET or None,
        facets=selectors.facet_values(viewer=user),
        regions=selectors.region_choices(viewer=user),
    )
    filters = form.filters()
    results = selectors.resource_list(viewer=user, filters=filters)
    page = Paginator(results, PAGE_RESULTS).get_page(request.GET.get("page"))
    context = {
        "tabs": tabs(request),
        "form": form,
        "page": page,
        "searching": bool(request.GET),
        "query": query_without_page(request),
    }
    return render(request, "library/home.html", context)


def catalogue_page(request: HttpRequest, node_id: int | None = None) -> HttpResponse:
    user = request.user
    node = selectors.node_get(node_id) if node_id is not None else None
    children = list(catalogue.node_children(node))
    counts = selectors.node_resource_counts(viewer=user, nodes=children)
    files_here = node is not None and node.kind in RESOURCE_NODE_KINDS
    context = {
        "tabs": tabs(request),
        "node": node,
        "trail": catalogue.node_path(node) if node is not None else [],
        "children": [{"node": c, "count": counts.get(c.pk, 0)} for c in children],
        "resources": list(selectors.lesson_resources(viewer=user, node=node)[:100])
        if files_here and node is not None
        else [],
        "packages": selectors.packages_for_node(viewer=user, node=node)
        if files_here and node is not None
        else [],
        "files_here": files_here,
        "can_author": policies.can_author(user),
    }
    return render(request, "library/catalogue.html", context)


# --- One resource ---------------------------------------------------------------------------


def _resource_page(
    request: HttpRequest, resource: Resource, refusal: Refusal | None = None
) -> HttpResponse:
    user = request.user
    drafts = policies.can_see_drafts(user, resource)
    live = resource.live_version
    opened = services.open_version(resource) if drafts else None
    shown: ResourceVersion | None = live or opened
    is_owner = getattr(user, "pk", None) == resource.owner_id
    published = resource.status == ResourceStatus.PUBLISHED
    take_down = policies.can_take_down(user, resource)
    context = {
        "tabs": tabs(request),
        "r": resource,
        "shown": shown,
        "opened": opened,
        "is_owner": is_owner,
        "drafts": drafts,
        "trail": catalogue.node_path(resource.node),
        "media": media_context(shown.asset if shown else None, bandwidth_of(request))
        if resource.kind != ResourceKind.LAB_LINK
        else None,
        "state": asset_state(shown.asset if shown else None),
        "bandwidth": bandwidth_of(request),
        "is_video": resource.kind in VIDEO_KINDS,
        "lab_link": safe_link(shown.external_url) if shown else "",
        "designations": list(selectors.designations_of(resource)),
        "rating_form": f.RatingForm()
        if getattr(user, "is_authenticated", False) and not is_owner and published
        else None,
        "take_down_form": f.ReasonsForm() if take_down and published else None,
        "restore_form": f.RestoreForm()
        if take_down and resource.status == ResourceStatus.TAKEN_DOWN
        else None,
        "designate_form": f.DesignateForm() if policies.can_designate(user, resource) else None,
        "versions": list(selectors.versions_of(resource)) if drafts else [],
        "reviews": list(selectors.reviews_of(resource)) if drafts else [],
        "school_views": list(selectors.school_views(resource)) if drafts else [],
        "can_edit": policies.can_edit_resource(user, resource),
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "library/resource.html", context, status=status)


@require_GET
def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = policies.access_resource(request.user, resource_id)
    if getattr(request.user, "pk", None) != resource.owner_id:
        services.resource_viewed(viewer=request.user, resource=resource)
        resource.refresh_from_db(fields=["view_count"])
    return _resource_page(request, resource)


def _resource_action(
    request: HttpRequest,
    resource_id: int,
    form_class: type[Any],
    act: Callable[[Resource, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    resource = policies.access_resource(request.user, resource_id)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Check the form and try again."), code=LibraryError.BAD_FORM)
        act(resource, form.cleaned_data)
    except TongkeError as exc:
        resource = policies.access_resource(request.user, resource_id)
        return _resource_page(request, resource, Refusal(exc))
    messages.success(request, done)
    return redirect(reverse("library:resource", args=[resource.pk]))


@login_required
@require_POST
def resource_rate(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _resource_action(
        request,
        resource_id,
        f.RatingForm,
        lambda r, d: services.resource_rate(actor=request.user, resource=r, stars=d["stars"]),
        _("Thank you: your rating is saved."),
    )


@login_required
@require_POST
def resource_take_down(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _resource_action(
        request,
        resource_id,
        f.ReasonsForm,
        lambda r, d: services.resource_take_down(
            actor=request.user, resource=r, reasons=d["reasons"]
        ),
        _("The resource is taken down."),
    )


@login_required
@require_POST
def resource_restore(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _resource_action(
        request,
        resource_id,
        f.RestoreForm,
        lambda r, d: services.resource_restore(
            actor=request.user, resource=r, reasons=d["reasons"]
        ),
        _("The resource is published again."),
    )


@login_required
@require_POST
def resource_designate(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _resource_action(
        request,
        resource_id,
        f.DesignateForm,
        lambda r, d: services.designation_add(actor=request.user, resource=r, kind=d["kind"]),
        _("The designation is recorded."),
    )


@require_POST
def bandwidth(request: HttpRequest) -> HttpResponse:
    """The low-bandwidth switch without JavaScript: remember the choice in a cookie."""
    choice = request.POST.get("bw", "")
    response = redirect(back_url(request, reverse("library:home")))
    if choice in BANDWIDTHS:
        response.set_cookie(
            BANDWIDTH_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", httponly=False
        )
    return response


@require_GET
def asset_status(request: HttpRequest, asset_id: int) -> JsonResponse:
    """Processing progress of an uploaded file, polled by the edit page."""
    try:
        asset = policies.access_asset(request.user, asset_id)
    except TongkeError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    response = JsonResponse(
        {
            "status": asset.status,
            "label": asset.get_status_display(),
            "progress": asset.progress,
            "error_code": asset.error_code,
            "error_message": asset.error_message,
            "duration_s": asset.duration_s,
            "renditions": [r.label for r in selectors.renditions_of(asset)],
        }
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Review ---------------------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policies.is_reviewer(user):
        raise PermissionDenied(
            _("Only reviewers see the review queue."), code=LibraryError.NOT_REVIEWER
        )
    page = Paginator(selectors.review_queue(viewer=user), PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    return render(request, "library/review_queue.html", {"tabs": tabs(request), "page": page})


def _review_page(
    request: HttpRequest,
    version: ResourceVersion,
    form: Any = None,
    refusal: Refusal | None = None,
) -> HttpResponse:
    user = request.user
    resource = version.resource
    live = resource.live_version if resource.live_version_id != version.pk else None
    bw = bandwidth_of(request)
    waiting = version.status == VersionStatus.SUBMITTED
    can_review = policies.can_review(user, resource)
    context = {
        "tabs": tabs(request),
        "v": version,
        "r": resource,
        "trail": catalogue.node_path(resource.node),
        "media": media_context(version.asset, bw),
        "live": live,
        "live_media": media_context(live.asset, bw) if live is not None else None,
        "bandwidth": bw,
        "lab_link": safe_link(version.external_url),
        "form": (form or f.ReviewForm()) if waiting and can_review else None,
        "checklist": CHECKLIST,
        "waiting": waiting,
        "can_review": can_review,
        "reviews": list(selectors.reviews_of(resource)),
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "library/review.html", context, status=status)


@login_required
def review_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    user = request.user
    version = policies.access_version(user, version_id)
    if request.method != "POST":
        return _review_page(request, version)
    form = f.ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose approve or return."), code=LibraryError.BAD_FORM)
        services.review_decide(
            actor=user,
            version=version,
            decision=form.cleaned_data["decision"],
            checklist=form.checks(),
            reasons=form.cleaned_data["reasons"],
        )
    except TongkeError as exc:
        version = policies.access_version(user, version_id)
        return _review_page(request, version, form, Refusal(exc))
    version = policies.access_version(user, version_id)
    if version.status == VersionStatus.APPROVED:
        text = _("Approved and published: %(t)s") % {"t": version.title}
    else:
        text = _("Returned with reasons: %(t)s") % {"t": version.title}
    messages.success(request, text)
    return redirect(reverse("library:review-queue"))


# --- Designations ---------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.now().year


@login_required
def designations(request: HttpRequest) -> HttpResponse:
    user = request.user
    regions = selectors.regions_administered(viewer=user)
    if not regions:
        raise forbidden(_("Regional administrators set designation targets."))
    year = _year(request)
    form = f.TargetForm(request.POST or None, regions=regions, initial={"year": year})
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = next((r for r in regions if r.pk == d["region"]), None)
        try:
            if region is None:
                raise forbidden()
            services.designation_target_set(
                actor=user, region=region, kind=d["kind"], year=d["year"], target=d["target"]
            )
        except TongkeError as exc:
            refusal = Refusal(exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect(f"{reverse('library:designations')}?year={d['year']}")
    panels = [
        {
            "region": region,
            "rows": selectors.designation_panel(region=region, year=year),
            "designated": list(selectors.designated_resources(region=region, year=year)[:50]),
        }
        for region in regions
    ]
    status = 200
    if refusal is not None:
        status = refusal.status
    elif form.is_bound:
        status = 400
    context = {
        "tabs": tabs(request),
        "panels": panels,
        "year": year,
        "form": form,
        "refusal": refusal,
    }
    return render(request, "library/designations.html", context, status=status)


@login_required
@require_POST
def designation_remove(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = selectors.designation_get(viewer=request.user, designation_id=designation_id)
    services.designation_remove(actor=request.user, designation=designation)
    messages.success(request, _("The designation is removed."))
    return redirect(back_url(request, reverse("library:designations")))


# --- Lesson packages ------------------------------------------------------------------------


def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    package = policies.access_package(request.user, package_id)
    context = {
        "tabs": tabs(request),
        "p": package,
        "trail": catalogue.node_path(package.node),
        "resources": selectors.package_resources(viewer=request.user, package=package),
        "is_owner": getattr(request.user, "pk", None) == package.owner_id,
    }
    return render(request, "library/package.html", context)
