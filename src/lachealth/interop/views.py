"""The SSDA903 returns pages: upload a return, read what was found and what would change, accept
the warnings and import; download the LA's return. LA data officers of the LA only.

An upload is kept and checked in the background (`tasks.py`): the page that follows shows the
check's progress until it ends."""

from __future__ import annotations

import io
import logging
import zipfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from lachealth.exports import csv_response
from lachealth.people import access
from lachealth.people.audit import record
from lachealth.people.models import AccessAction, Area
from lachealth.reach import OWN_AREA, reach

from . import checks, imports, selectors, tasks
from .export import build_return
from .files import max_return_bytes, too_big
from .forms import ConfirmForm, ReturnChoiceForm, UploadForm
from .models import ImportAttempt, ImportStatus

PROBLEMS_SHOWN = 500
#: Room for the form's other fields and the multipart boundaries around the files.
UPLOAD_OVERHEAD = 1024 * 1024
#: How often the page of an attempt being checked reloads itself.
CHECKING_REFRESH_SECONDS = 5
logger = logging.getLogger(__name__)


def _require_data_officer(request: HttpRequest) -> None:
    if not access.can_exchange_return(request.user):
        raise PermissionDenied("Only LA data officers import and export SSDA903 returns")


def _download_form(request: HttpRequest, data=None) -> ReturnChoiceForm:  # type: ignore[no-untyped-def]
    return ReturnChoiceForm(
        data,
        areas=selectors.return_areas(request.user),
        today=timezone.localdate(),
        prefix="export",
    )


def _forms(request: HttpRequest, data=None, files=None):  # type: ignore[no-untyped-def]
    upload = UploadForm(
        data,
        files,
        areas=selectors.return_areas(request.user),
        today=timezone.localdate(),
        prefix="upload",
    )
    return upload, _download_form(request)


def _problem_filters(request: HttpRequest) -> dict[str, str]:
    """What the data officer narrowed the problems to: errors or warnings, a file, a rule."""
    return {k: request.GET.get(k, "") for k in ("kind", "file", "code")}


@require_http_methods(["GET", "POST"])
@reach(access.RETURN_ROLES)
@csrf_exempt  # the token is checked in `_returns`, after the size: reading it reads the body
def returns(request: HttpRequest) -> HttpResponse:
    """Upload a return, or download one; and the LA's import log. An upload is kept and its
    check queued, and the data officer is sent to the attempt's page to follow it."""
    _require_data_officer(request)
    if request.method == "POST":
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > max_return_bytes() + UPLOAD_OVERHEAD:
            # Refused before the body is read, even for the CSRF token: nothing of it
            # reaches memory or disk, and nothing is written.
            upload, download = _forms(request)
            return _returns_page(
                request, upload, download, status=413, upload_error=too_big(size, "upload")
            )
    return _returns(request)


@csrf_protect
def _returns(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        upload, download = _forms(request, request.POST, request.FILES)
        if upload.is_valid():
            received = imports.receive_return(
                by=request.user,
                area=upload.cleaned_data["area"],
                collection_year=upload.cleaned_data["collection_year"],
                uploads=[(f.name, f.read()) for f in upload.cleaned_data["return_files"]],
            )
            try:
                tasks.start_check(received)
            except Exception as error:  # noqa: BLE001 (the queue is down: say so on the attempt)
                logger.exception("The check of SSDA903 import %s could not be queued", received.pk)
                imports.fail_check(received, error, [f["name"] for f in received.files])
            return redirect("interop:attempt", received.pk)
    else:
        upload, download = _forms(request)
    return _returns_page(request, upload, download)


def _returns_page(  # type: ignore[no-untyped-def]
    request, upload, download, status: int = 200, upload_error: str = ""
) -> HttpResponse:
    attempts = selectors.attempts_for(request.user)[:20]
    return render(
        request,
        "interop/returns.jinja",
        {
            "form": upload,
            "download": download,
            "formsets": [download] if download.is_bound else [],
            "attempts": attempts,
            "upload_error": upload_error,
            "now": timezone.now(),
            "page_title": "SSDA903 returns",
        },
        status=status,
    )


@reach(access.RETURN_ROLES, OWN_AREA, model=ImportAttempt)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its files, what was found, what would change, and the confirmation."""
    _require_data_officer(request)
    found = selectors.attempt_for(request.user, pk)
    if found.status == ImportStatus.CHECKING:
        return _checking_page(request, found)
    return _attempt_page(request, found, ConfirmForm())


def _checking_page(request: HttpRequest, found: ImportAttempt) -> HttpResponse:
    """An attempt still being checked: where the check is, reloading itself until it ends,
    or that it stopped."""
    return render(
        request,
        "interop/checking.jinja",
        {
            "attempt": found,
            "stopped": found.check_stopped(timezone.now()),
            "step": tasks.progress_step(found.progress),
            "refresh_seconds": CHECKING_REFRESH_SECONDS,
            "page_title": f"Checking {found.area.name}'s {found.year_label} return",
        },
    )


def _attempt_page(request, found, confirm, status: int = 200) -> HttpResponse:  # type: ignore[no-untyped-def]
    filters = _problem_filters(request)
    problems = selectors.filtered_problems(found, **filters)
    return render(
        request,
        "interop/attempt.jinja",
        {
            "attempt": found,
            "form": confirm,
            "problems": problems[:PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "filters": filters,
            "files": sorted({p["file"] for p in found.problems}),
            "codes": sorted({p["code"] for p in found.problems if p["code"]}),
            "ruleset_note": imports.ruleset_note(
                found.collection_year, found.summary.get("ruleset")
            ),
            "not_run_note": imports.not_run_note(found.summary),
            "own_checks": checks.CHECKS,
            "page_title": f"Import of {found.area.name}'s {found.year_label} return",
        },
        status=status,
    )


@reach(access.RETURN_ROLES, OWN_AREA, model=ImportAttempt)
def attempt_problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of an import, as CSV (filtered as on the page)."""
    _require_data_officer(request)
    found = selectors.attempt_for(request.user, pk)
    problems = selectors.filtered_problems(found, **_problem_filters(request))
    record(request, AccessAction.EXPORT, detail=f"SSDA903 import {found.pk} problems as CSV")
    return csv_response(
        f"import-{found.pk}-problems.csv",
        ["kind", "file", "row", "column", "rule", "child", "message"],
        (
            [
                "error" if p["blocking"] else "warning",
                p["file"],
                "" if p["row"] is None else p["row"],
                p["column"],
                p["code"],
                p["child"],
                p["message"],
            ]
            for p in problems
        ),
    )


@require_POST
@reach(access.RETURN_ROLES, OWN_AREA, model=ImportAttempt)
def attempt_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_data_officer(request)
    found = selectors.attempt_for(request.user, pk)
    confirm = ConfirmForm(request.POST)
    confirm.is_valid()
    accepted = bool(confirm.cleaned_data.get("accept_warnings"))
    try:
        done = imports.apply_import(
            found, by=request.user, accept_warnings=accepted, request=request
        )
    except imports.ImportNotAllowed as refused:
        confirm.add_error("accept_warnings" if found.warnings else None, str(refused))
        found.refresh_from_db()
        return _attempt_page(request, found, confirm, status=400)
    messages.success(request, done.message)
    return redirect("interop:attempt", done.pk)


@require_POST
@reach(access.RETURN_ROLES, OWN_AREA, model=ImportAttempt)
def attempt_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_data_officer(request)
    found = selectors.attempt_for(request.user, pk)
    try:
        imports.cancel_import(found, by=request.user)
    except imports.ImportNotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The import is cancelled: nothing was written")
    return redirect("interop:returns")


@reach(
    access.RETURN_ROLES,
    OWN_AREA,
    model=Area,
    key="?export-area",
    when={"export-collection_year": "2023"},
    refuses=403,
)
def download(request: HttpRequest) -> HttpResponse:
    """The LA's return for a year as a zip of its CSV files; audited with their hashes."""
    _require_data_officer(request)
    choice = _download_form(request, request.GET)
    if not choice.is_valid():
        code = str(choice["area"].value() or "").replace("\x00", "")
        if "area" in choice.errors and Area.objects.filter(code=code).exists():
            raise PermissionDenied("Choose one of your local authorities and a year")
        # Anything else typed into the address is refused beside the field, like any form.
        return _returns_page(request, _forms(request)[0], choice, status=400)
    area, year = choice.cleaned_data["area"], choice.cleaned_data["collection_year"]
    imports.require_return_access(request.user, area)
    result = build_return(area.code, year)
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in result.files.items():
            archive.writestr(name, content)
    record(
        request, AccessAction.EXPORT, detail=f"SSDA903 export {area.code} {year}: {result.hashes}"
    )
    response = HttpResponse(payload.getvalue(), content_type="application/zip")
    name = f"ssda903-{area.dfe_code or area.code}-{year - 1}-{str(year)[2:]}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
