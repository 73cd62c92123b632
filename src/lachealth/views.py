"""Site-wide views: the health check for load balancers, and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lachealth.reach import PUBLIC, reach


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
    return _error(
        request,
        400,
        "Sorry, that request could not be understood",
        "Go back and try again. If it happens again, tell your system administrator.",
    )


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
