"""Site-wide views: the health check for load balancers, and the error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lachealth.reach import PUBLIC, reach

logger = logging.getLogger(__name__)


@reach(PUBLIC)
@never_cache
@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Says whether the database answers; 503 when it does not. Reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "not answering"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    response = render(
        request,
        "error.jinja",
        {"page_title": title, "title": title, "message": message},
        status=status,
    )
    response.own_page = True  # type: ignore[attr-defined]  # (middleware.OwnErrorPagesMiddleware)
    return response


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, "
        "the record may not exist or may not be one you can see.",
    )


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if isinstance(exception, REQUEST_LIMITS):
        return too_much_sent(request, type(exception))
    return _error(
        request,
        400,
        "Sorry, that request could not be understood",
        "Go back and try again. If it happens again, tell your system administrator.",
    )


#: What Django raises, as the request's form is first read, for a request over one of the
#: limits in settings (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS,
#: DATA_UPLOAD_MAX_NUMBER_FILES). In the CSRF check, or a view, it reaches `bad_request`.
REQUEST_LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def limit_passed(kind: type[Exception], content_length: int) -> str:
    """Which limit a refused request passed, in words that give the limit and what to do."""
    if kind is TooManyFieldsSent:
        most = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return (
            f"This form sent more than {most:,} fields; the most a page takes is {most:,}. "
            "Nothing was saved. Go back and record it in smaller parts."
        )
    if kind is TooManyFilesSent:
        most = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return (
            f"This form sent more than {most:,} files; the most a page takes is {most:,}. "
            "Nothing was saved. Go back and upload fewer files, or one zip of them."
        )
    limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    sent = (
        _megabytes(content_length)
        if content_length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        else f"more than {limit}"
    )
    return (
        f"This form sent {sent}; the most a page takes is {limit} of text. "
        "Nothing was saved. Go back and shorten the longest answers."
    )


def too_much_sent(request: HttpRequest, kind: type[Exception]) -> HttpResponse:
    """The page for a request over a limit: 413, naming the limit. Logged, as a post this large
    is a mistake worth knowing about or someone trying to tie up the service."""
    # As Django does for these: a later read of the form must not raise the same again.
    request._mark_post_parse_error()  # type: ignore[attr-defined]
    length = str(request.META.get("CONTENT_LENGTH") or "")
    size = int(length) if length.isdigit() else 0
    logger.warning(
        "refused %s %s: %s (%s bytes sent)", request.method, request.path, kind.__name__, size
    )
    return _error(request, 413, "The form was too large to save", limit_passed(kind, size))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request,
        403,
        "You cannot see this page",
        "Your role does not give you access to this page. If you think it should, "
        "ask your system administrator.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered on the last page was saved.",
    )


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Your form could not be sent",
        "The page had expired or was opened in another window. Go back, refresh the "
        "page and try again. Nothing was saved.",
    )
