"""Pages where teachers share and edit resources (LIB-2..4): the share form with its upload,
the edit page with processing progress, submit and withdraw, settings, "my resources" and
lesson packages. Reading pages are in ``views.py``.

Uploads stream through ``media.intake.LimitedUploadHandler``, which must be installed before
the request body is read: the upload views are ``csrf_exempt`` on the outside and
``csrf_protect`` inside, as Django documents for changing upload handlers on the fly.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tongke.core.errors import Invalid, TongkeError
from tongke.library import forms as f
from tongke.library import policies, processing, selectors, services
from tongke.library.enums import (
    ACCEPTED_FILES,
    MICRO_MAX_SECONDS,
    AssetStatus,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
)
from tongke.library.errors import LibraryError
from tongke.library.media import intake
from tongke.library.models import Resource, ResourceVersion
from tongke.library.views import (
    PAGE_ROWS,
    Refusal,
    asset_state,
    bandwidth_of,
    forbidden,
    media_context,
    tabs,
)

EDITABLE = (VersionStatus.DRAFT, VersionStatus.RETURNED)


def with_upload_handler(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install the limited upload handler before anything reads the body, refuse an upload
    over the limit (413, ``library.too_large``), then check CSRF as usual."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:  # never read an anonymous body
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            request.upload_handlers = [intake.LimitedUploadHandler(request)]
            request.FILES  # noqa: B018 - parse the body now, through the handler
            intake.raise_if_upload_too_large(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


# --- Sharing and editing --------------------------------------------------------------------


def _author_schools(request: HttpRequest) -> list[Any]:
    schools = policies.authoring_schools(request.user)
    if not schools:
        raise forbidden(_("Only teachers and school administrators share resources."))
    return schools


@with_upload_handler
@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    schools = _author_schools(request)
    nodes = selectors.resource_node_choices()
    initial: dict[str, Any] = {}
    picked = request.GET.get("node", "")
    if picked.isdigit() and int(picked) in {pk for pk, _label in nodes}:
        initial["node"] = int(picked)
    if request.method == "POST":
        form = f.ResourceForm(request.POST, request.FILES, nodes=nodes, schools=schools)
    else:
        form = f.ResourceForm(initial=initial, nodes=nodes, schools=schools)
    refusal = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        school = next((s for s in schools if s.pk == d.get("school")), None)
        try:
            node = selectors.node_get(d["node"])
            with transaction.atomic():
                asset = (
                    processing.asset_create(actor=user, uploaded=d["file"]) if d["file"] else None
                )
                resource = services.resource_create(
                    actor=user,
                    kind=d["kind"],
                    node=node,
                    title=d["title"],
                    description=d["description"],
                    licence=d["licence"],
                    visibility=d["visibility"],
                    school=school,
                    external_url=d["external_url"],
                    note=d["note"],
                    asset=asset,
                )
        except TongkeError as exc:
            refusal = Refusal(exc)
        else:
            messages.success(request, _("Saved. Submit it for review when the file is ready."))
            return redirect(reverse("library:edit", args=[resource.pk]))
    status = 200
    if refusal is not None:
        status = refusal.status
    elif form.is_bound:
        status = 400
    context = {
        "tabs": tabs(request),
        "form": form,
        "refusal": refusal,
        "limit_mb": _upload_limit_mb(),
    }
    return render(request, "library/new.html", context, status=status)


def _upload_limit_mb() -> int:
    return intake.upload_limit_bytes() // (1024 * 1024)


def _editable_resource(request: HttpRequest, resource_id: int) -> Resource:
    resource = policies.access_resource(request.user, resource_id)
    if not policies.can_edit_resource(request.user, resource):
        raise forbidden(_("Only the owner edits a resource (and not once it is taken down)."))
    return resource


def _edit_page(
    request: HttpRequest,
    resource: Resource,
    *,
    refusal: Refusal | None = None,
    version_form: Any = None,
    settings_form: Any = None,
) -> HttpResponse:
    version = services.open_version(resource)
    nodes = selectors.resource_node_choices()
    asset = version.asset if version is not None else None
    if version_form is None and version is not None and version.status in EDITABLE:
        version_form = f.VersionForm(
            initial={
                "title": version.title,
                "description": version.description,
                "external_url": version.external_url,
                "note": version.note,
            }
        )
    if settings_form is None:
        settings_form = f.SettingsForm(
            initial={
                "licence": resource.licence,
                "visibility": resource.visibility,
                "node": resource.node_id,
            },
            nodes=nodes,
        )
    needs_file = bool(ACCEPTED_FILES.get(resource.kind))
    ready = not needs_file or (asset is not None and asset.status == AssetStatus.READY)
    too_long = (
        resource.kind == ResourceKind.MICRO
        and asset is not None
        and (asset.duration_s or 0) > MICRO_MAX_SECONDS
    )
    context = {
        "tabs": tabs(request),
        "r": resource,
        "version": version,
        "editable": version is not None and version.status in EDITABLE,
        "version_form": version_form,
        "settings_form": settings_form,
        "state": asset_state(asset),
        "media": media_context(asset, bandwidth_of(request)),
        "bandwidth": bandwidth_of(request),
        "needs_file": needs_file,
        "can_submit": version is not None and version.status in EDITABLE and ready,
        "too_long": too_long,
        "micro_max_minutes": MICRO_MAX_SECONDS // 60,
        "refusal": refusal,
        "limit_mb": _upload_limit_mb(),
    }
    status = 200
    if refusal is not None:
        status = refusal.status
    elif (version_form is not None and version_form.is_bound) or settings_form.is_bound:
        status = 400
    return render(request, "library/edit.html", context, status=status)


@with_upload_handler
@login_required
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    user = request.user
    resource = _editable_resource(request, resource_id)
    if request.method != "POST":
        return _edit_page(request, resource)
    form = f.VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _edit_page(request, resource, version_form=form)
    d = form.cleaned_data
    try:
        version = services.open_version(resource)
        if version is None:
            raise Invalid(_("Start a new version first."), code=LibraryError.NO_OPEN_VERSION)
        with transaction.atomic():
            asset = processing.asset_create(actor=user, uploaded=d["file"]) if d["file"] else None
            services.version_update(
                actor=user,
                version=version,
                title=d["title"],
                description=d["description"],
                external_url=d["external_url"],
                note=d["note"],
                asset=asset,
            )
    except TongkeError as exc:
        return _edit_page(request, resource, refusal=Refusal(exc), version_form=form)
    messages.success(request, _("Saved."))
    return redirect(reverse("library:edit", args=[resource.pk]))


def _edit_action(
    request: HttpRequest, resource_id: int, act: Callable[[Resource], Any], done: str
) -> HttpResponse:
    resource = _editable_resource(request, resource_id)
    try:
        act(resource)
    except TongkeError as exc:
        return _edit_page(request, resource, refusal=Refusal(exc))
    messages.success(request, done)
    return redirect(reverse("library:edit", args=[resource.pk]))


def _open_or_refuse(resource: Resource) -> ResourceVersion:
    version = services.open_version(resource)
    if version is None:
        raise Invalid(_("There is no version being edited."), code=LibraryError.NO_OPEN_VERSION)
    return version


@login_required
@require_POST
def version_start(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _edit_action(
        request,
        resource_id,
        lambda r: services.version_start(actor=request.user, resource=r),
        _("A new version is open for editing; the published one stays live until it is approved."),
    )


@login_required
@require_POST
def version_submit(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _edit_action(
        request,
        resource_id,
        lambda r: services.version_submit(actor=request.user, version=_open_or_refuse(r)),
        _("Submitted for review."),
    )


@login_required
@require_POST
def version_withdraw(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _edit_action(
        request,
        resource_id,
        lambda r: services.version_withdraw(actor=request.user, version=_open_or_refuse(r)),
        _("Withdrawn from review: you can edit it again."),
    )


@login_required
@require_POST
def resource_settings(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _editable_resource(request, resource_id)
    form = f.SettingsForm(request.POST, nodes=selectors.resource_node_choices())
    if not form.is_valid():
        return _edit_page(request, resource, settings_form=form)
    d = form.cleaned_data
    try:
        services.resource_update(
            actor=request.user,
            resource=resource,
            licence=d["licence"],
            visibility=d["visibility"],
            node=selectors.node_get(d["node"]) if d["node"] != resource.node_id else None,
        )
    except TongkeError as exc:
        resource = _editable_resource(request, resource_id)
        return _edit_page(request, resource, refusal=Refusal(exc), settings_form=form)
    messages.success(request, _("Settings saved."))
    return redirect(reverse("library:edit", args=[resource.pk]))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.resource_mine(viewer=user), PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    rows = []
    for r in page:
        prefetched: list[ResourceVersion] = getattr(r, "open_versions", [])
        opened = prefetched[0] if prefetched else None
        asset = opened.asset if opened is not None else None
        rows.append({"r": r, "open": opened, "state": asset_state(asset)})
    context = {
        "tabs": tabs(request),
        "page": page,
        "rows": rows,
        "packages": list(selectors.packages_of(viewer=user)[:100]),
        "can_author": policies.can_author(user),
    }
    return render(request, "library/mine.html", context)


# --- Lesson packages ------------------------------------------------------------------------


@login_required
def package_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _author_schools(request)
    nodes = selectors.resource_node_choices()
    own = list(selectors.resource_mine(viewer=user).filter(status=ResourceStatus.PUBLISHED))
    initial: dict[str, Any] = {}
    picked = request.GET.get("node", "")
    if picked.isdigit():
        initial["node"] = int(picked)
        initial["resources"] = [r.pk for r in own if r.node_id == int(picked)]
    form = f.PackageForm(request.POST or None, initial=initial, nodes=nodes, resources=own)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            package = services.package_create(
                actor=user,
                node=selectors.node_get(d["node"]),
                title=d["title"],
                description=d["description"],
                resource_ids=d["resources"],
            )
        except TongkeError as exc:
            refusal = Refusal(exc)
        else:
            messages.success(request, _("The package is published."))
            return redirect(reverse("library:package", args=[package.pk]))
    status = 200
    if refusal is not None:
        status = refusal.status
    elif form.is_bound:
        status = 400
    context = {"tabs": tabs(request), "form": form, "refusal": refusal, "has_mine": bool(own)}
    return render(request, "library/package_new.html", context, status=status)


@login_required
@require_POST
def package_delete(request: HttpRequest, package_id: int) -> HttpResponse:
    package = policies.access_package(request.user, package_id)
    services.package_delete(actor=request.user, package=package)
    messages.success(request, _("The package is deleted."))
    return redirect(reverse("library:mine"))
