"""The question bank's page for staff (LRN-2): find and filter questions with their keys,
export them (GIFT, Moodle XML, QTI) and import a file with a report of what could not be
imported and why. Learners never reach this page: keys stay with staff.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tongke.core.errors import Invalid, TongkeError
from tongke.learning import bank, graph, policies, selectors
from tongke.learning import forms as f
from tongke.learning.errors import LearningError
from tongke.learning.views import Refusal, forbidden, solution_of, tabs
from tongke.library.media import intake

PAGE_ITEMS = 30


# --- The question bank ------------------------------------------------------------------------


def _bank_page(
    request: HttpRequest,
    *,
    import_form: Any = None,
    report: bank.BankImport | None = None,
    refusal: Refusal | None = None,
) -> HttpResponse:
    user = request.user
    if not policies.is_staff(user):
        raise forbidden(_("The question bank is open to teachers and administrators."))
    subjects = graph.subjects()
    subject_raw = request.GET.get("subject", "")
    points = graph.points_of(subject_raw) if subject_raw in subjects else []
    filters = f.BankFilter(request.GET or None, subjects=subjects, points=points)
    qs = selectors.item_list(
        viewer=user,
        subject=filters.value("subject") or "",
        point_id=filters.value("point"),
        kind=filters.value("kind") or "",
        q=filters.value("q") or "",
    )
    page = Paginator(qs, PAGE_ITEMS).get_page(request.GET.get("page"))
    rows = []
    for item in page:
        try:
            key = solution_of(item, None)
        except TongkeError:
            key = None
        rows.append(
            {"item": item, "key": key, "points": [lk.point for lk in item.point_links.all()]}
        )
    query = request.GET.copy()
    query.pop("page", None)
    export: dict[str, str] = {
        k: str(v) for k, v in request.GET.items() if k in ("subject", "kind", "q") and v
    }
    if filters.value("point"):
        export["point_id"] = str(filters.value("point"))
    can_import = policies.can_author_items(user) and bool(subjects)
    context = {
        "tabs": tabs(request),
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "exports": [
            (label, f"/api/v1/learning/items/export?{urlencode({**export, 'fmt': fmt})}")
            for fmt, label in (
                ("gift", "GIFT"),
                ("moodlexml", "Moodle XML"),
                ("qti", "QTI 2.2"),
                ("qti3", "QTI 3.0"),
            )
        ],
        "import_form": (import_form or f.BankImportForm(subjects=subjects)) if can_import else None,
        "report": report,
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "learning/bank.html", context, status=status)


@login_required
def bank_page(request: HttpRequest) -> HttpResponse:
    return _bank_page(request)


def limited_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Stream the upload through a handler capped at the bank's import limit (413 beyond
    it) before anything reads the body, then check CSRF as usual."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:  # never read an anonymous body
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            request.upload_handlers = [
                intake.LimitedUploadHandler(request, limit_bytes=bank.MAX_IMPORT_BYTES)
            ]
            request.FILES  # noqa: B018 - parse the body now, through the handler
            intake.raise_if_upload_too_large(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


@limited_upload
@require_POST
def bank_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policies.can_author_items(user):
        raise forbidden(_("Only teachers and administrators write to the question bank."))
    form = f.BankImportForm(request.POST, request.FILES, subjects=graph.subjects())
    try:
        if not form.is_valid():
            raise Invalid(_("Choose a file and a subject."), code=LearningError.BAD_FORM)
        upload = form.cleaned_data["file"]
        report = bank.bank_import(
            actor=user,
            name=intake.safe_filename(upload.name or "items"),
            data=b"".join(upload.chunks()),
            subject=form.cleaned_data["subject"],
            fmt=form.cleaned_data["fmt"] or None,
            dry_run=form.cleaned_data["dry_run"],
        )
    except TongkeError as exc:
        return _bank_page(request, import_form=form, refusal=Refusal(exc))
    return _bank_page(request, import_form=form, report=report)
