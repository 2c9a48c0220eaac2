"""The roster import pages: upload (with the recent imports of the admin's scope), the
result of one import with its report, and the report as CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from tongke.accounts.auth import actor_of
from tongke.orgs import errors as org_errors
from tongke.roster import policies, selectors, services
from tongke.roster.forms import LimitedUploadHandler, UploadForm
from tongke.roster.plaincsv import COLUMNS as PLAIN_COLUMNS
from tongke.roster.report import report_csv

# Room for the form fields and multipart framing around the file itself.
REQUEST_SLACK = 64 * 1024


def _gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policies.can_import(request.user):
        raise org_errors.forbidden()
    return None


@csrf_exempt  # the upload handlers must be set before the body is read; CSRF is checked below
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    denied = _gate(request)
    if denied is not None:
        return denied
    limit: int = settings.TONGKE_ROSTER_MAX_BYTES
    handler: LimitedUploadHandler | None = None
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + REQUEST_SLACK:
            return _page(request, UploadForm(targets=_targets(request)), too_large=True, status=413)
        handler = LimitedUploadHandler(request, limit=limit)
        request.upload_handlers = [handler]
    return _upload(request, handler)


def _targets(request: HttpRequest) -> list[Any]:
    return selectors.import_target_list(viewer=request.user)


def _page(
    request: HttpRequest, form: UploadForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "form": form,
        "imports": selectors.roster_import_list(viewer=request.user),
        "limit_mb": settings.TONGKE_ROSTER_MAX_BYTES // (1024 * 1024),
        "plain_columns": ",".join(PLAIN_COLUMNS),
        **extra,
    }
    return render(request, "roster/upload.html", context, status=status)


@csrf_protect
def _upload(request: HttpRequest, handler: LimitedUploadHandler | None) -> HttpResponse:
    targets = _targets(request)
    if request.method != "POST":
        return _page(request, UploadForm(targets=targets))
    form = UploadForm(request.POST, request.FILES, targets=targets)
    if handler is not None and handler.too_large:
        form.fields["file"].required = False
    if not form.is_valid():
        return _page(request, form, status=400)
    target = form.target_unit()
    if not policies.can_import_into(request.user, target):
        raise org_errors.forbidden()
    dry_run = bool(form.cleaned_data["dry_run"])
    upload_file: UploadedFile | None = form.cleaned_data["file"]
    if upload_file is None:  # dropped by the handler: over the limit
        record = services.roster_import_too_large(
            actor=actor_of(request),
            file_name=handler.file_name if handler and handler.file_name else "",
            target=target,
            dry_run=dry_run,
            max_bytes=settings.TONGKE_ROSTER_MAX_BYTES,
        )
    else:
        with _on_disk(upload_file) as path:
            record = services.roster_import(
                actor=actor_of(request),
                path=path,
                file_name=upload_file.name or "upload",
                target=target,
                dry_run=dry_run,
            )
    return redirect("roster:detail", import_id=record.pk)


@contextmanager
def _on_disk(upload_file: UploadedFile) -> Iterator[Path]:
    temporary = getattr(upload_file, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as fh:
        for chunk in upload_file.chunks():
            fh.write(chunk)
        fh.flush()
        yield Path(fh.name)


@require_http_methods(["GET"])
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    denied = _gate(request)
    if denied is not None:
        return denied
    record = policies.access_roster_import(request.user, import_id)
    return render(request, "roster/detail.html", {"record": record, "problems": record.problems})


@require_http_methods(["GET"])
def report_download(request: HttpRequest, import_id: int) -> HttpResponse:
    denied = _gate(request)
    if denied is not None:
        return denied
    record = policies.access_roster_import(request.user, import_id)
    body = "\ufeff" + report_csv(record.problems)  # the BOM lets spreadsheets see UTF-8
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-import-{record.pk}-report.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
