"""lachealth's own error pages in a DEBUG (demo) run too: Django shows its debug pages for a
page not found or a server error whenever DEBUG is on, and the demo runs with it on; users
of the demo are to meet the NHS.UK pages a live service shows. A developer who wants the
debug pages sets LACHEALTH_DEBUG_PAGES=1. A request over one of the upload limits gets the
page that names the limit (`views.too_much_sent`), as it does in a live service."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import views

logger = logging.getLogger(__name__)


#: What marks a page as one of Django's debug pages: the HTML pages' robots tag, the text
#: report's version line (for a request that does not accept HTML).
DEBUG_PAGE_MARKS = (b"NONE,NOARCHIVE", b"Django Version:")


#: The headers the other middleware gave the debug page, kept on the page that replaces it.
KEPT_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Vary",
)


class OwnErrorPagesMiddleware:
    """First in the middleware, so that it sees what any other raises (a bad Host header is
    refused before the views); the headers the others set are kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or settings.DEBUG_PAGES or not _is_debug_page(response):
            return response
        if response.status_code == 404:
            own = views.page_not_found(request)
        elif response.status_code == 400 and (limit := _limit_passed(response)):
            own = views.too_much_sent(request, limit)
        elif response.status_code == 400:
            own = views.bad_request(request)
        else:
            logger.error(
                "a debug page (status %s) replaced for %s", response.status_code, request.path
            )
            own = views.server_error(request)
        for header in KEPT_HEADERS:
            if header in response:
                own[header] = response[header]
        return own


def _limit_passed(response: HttpResponse) -> type[Exception] | None:
    """Which request limit a debug page reports, if any: the page is all that is left of the
    exception (Django renders it in place of `handler400`), and it starts with its name."""
    head = response.content[:4000]
    return next((k for k in views.REQUEST_LIMITS if k.__name__.encode() in head), None)


def _is_debug_page(response: HttpResponse) -> bool:
    if response.streaming or response.status_code < 400 or getattr(response, "own_page", False):
        return False
    head = response.content[:4000]
    return any(mark in head for mark in DEBUG_PAGE_MARKS)
