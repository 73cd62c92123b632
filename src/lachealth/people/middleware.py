"""Login and second-factor enforcement, the log of refused attempts at children's pages, and
the Content Security Policy header."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lachealth.reach import declarations

from . import audit


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user who has also passed the one-time-code step.

    Views that must be reachable before that (sign-in, the code step, `/health`) are marked
    with `login_not_required` or `otp_not_required`.
    """

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        response: Any = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None or not getattr(view_func, "login_required", True):
            return response
        if getattr(view_func, "otp_required", True) and not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("people:sign_in_code")
        return None


def otp_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a signed-in user may reach before entering their one-time code."""
    view.otp_required = False  # type: ignore[attr-defined]
    return view


#: The answers that refuse a page: forbidden, or not found (which hides whether it exists).
REFUSALS = frozenset({403, 404})


def child_in_url(request: HttpRequest) -> Any:
    """The key of the child the requested URL names, if it names one: the URL argument that
    the view's `reach` declarations give a child's key (lachealth/reach.py)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for grant in declarations(match.func):
        if grant.objects is not None and grant.model is None and grant.key in match.kwargs:
            return match.kwargs[grant.key]
    return None


class RefusedChildPageMiddleware:
    """A signed-in user refused a child's page leaves a row in the access log
    (`audit.record_refused`), whichever view refused them and however. Signed-out users
    never reach a view (they are sent to sign in); the response is passed on untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSALS and request.user.is_authenticated:  # type: ignore[union-attr]
            asked = child_in_url(request)
            if asked is not None:
                audit.record_refused(request, response.status_code, asked)
        return response


#: Where a session keeps when it was last saved (seconds since the epoch).
RENEWED_AT = "_renewed_at"
#: A session in use is saved, and its 30 minutes idle moved on, at most this often.
RENEW_EVERY_SECONDS = 60


class SessionRenewalMiddleware:
    """A session ends after 30 minutes idle: each page renews it, but saving it on every
    request (`SESSION_SAVE_EVERY_REQUEST`) wrote to the database on every page a user opened.
    This saves it at most once a minute, so a session ends 29 to 30 minutes after the last
    page. Runs inside SessionMiddleware, which saves a session marked changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= RENEW_EVERY_SECONDS:
                session[RENEWED_AT] = now  # marks it changed: SessionMiddleware saves it
        return response


class ContentSecurityPolicyMiddleware:
    """A strict CSP: our own scripts and styles only, inline script only with the page's nonce."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.setdefault("Cache-Control", "no-store")
        return response
