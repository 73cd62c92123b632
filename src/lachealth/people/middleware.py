"""Login and second-factor enforcement, and the Content Security Policy header."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


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
