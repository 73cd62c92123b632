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
    with `login_not_required` or `otp_not_required`. A user whose password an administrator
    chose is then sent to change it, and reaches only views marked `open_before_password_change`.
    """

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        response: Any = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None or not getattr(view_func, "login_required", True):
            return response
        if not getattr(view_func, "otp_required", True):
            return None
        if not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("people:sign_in_code")
        if request.user.must_change_password and getattr(  # type: ignore[union-attr]
            view_func, "password_change_required", True
        ):
            # An administrator chose this password: nothing opens until the person replaces it.
            return redirect("people:change_password")
        return None


def otp_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a signed-in user may reach before entering their one-time code."""
    view.otp_required = False  # type: ignore[attr-defined]
    return view


def open_before_password_change(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a user must reach before replacing a password an administrator chose."""
    view.password_change_required = False  # type: ignore[attr-defined]
    return view


#: The answers that refuse a page: forbidden, or not found (which hides whether it exists).
REFUSALS = frozenset({403, 404})


def _of_a_child(model: type) -> bool:
    """Whether the model's rows each belong to one child (a `child` key to the child)."""
    try:
        field = model._meta.get_field("child")  # type: ignore[attr-defined]
    except Exception:  # FieldDoesNotExist: a record of no one child
        return False
    related = getattr(field, "related_model", None)
    return related is not None and related._meta.label == audit.CHILD_MODEL


def child_in_url(request: HttpRequest) -> tuple[type | None, Any] | None:
    """What the requested URL names of a child, if anything: (None, the child's key), or (a
    model, the key of one of its rows that belongs to a child: an episode, a team member, a
    passport…), from the URL arguments the view's `reach` declarations give (reach.py)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for grant in declarations(match.func):
        if grant.objects is None or grant.key not in match.kwargs:
            continue
        if grant.model is None or _of_a_child(grant.model):
            return grant.model, match.kwargs[grant.key]
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
            named = child_in_url(request)
            if named is not None:
                record, asked = named
                audit.record_refused(request, response.status_code, asked, model=record)
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
