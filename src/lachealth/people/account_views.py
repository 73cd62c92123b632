"""Your own account (details, roles, changing your password), the e-mailed link that confirms
an authenticator reset, and the administrators' page of changes waiting for a second person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lachealth.reach import PUBLIC, SIGNED_IN, reach

from . import access, approvals, services
from .forms import ConfirmResetForm, PasswordChangeForm
from .middleware import open_before_password_change, otp_not_required
from .models import AuthenticatorReset, Membership, RoleRequest, User
from .views import next_url, require_admin


@reach(SIGNED_IN)
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "people/account.jinja",
        {
            "page_title": "Your account",
            "person": user,
            "memberships": Membership.objects.filter(user=user, is_active=True).select_related(
                "organisation"
            ),
        },
    )


@reach(SIGNED_IN)
@open_before_password_change
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Anyone changes their own password; someone whose password an administrator chose is
    sent here after their security code and reaches nothing else until they have."""
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            # The session gets a new key and stays signed in; other sessions of the account end.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed")
            return redirect("home")
    return render(
        request,
        "people/change_password.jinja",
        {"page_title": "Change your password", "form": form, "forced": user.must_change_password},
    )


@reach(PUBLIC, when={"secret": "not-a-real-link"})
@login_not_required
@otp_not_required
@require_http_methods(["GET", "POST"])
def confirm_reset(request: HttpRequest, secret: str) -> HttpResponse:
    """The link e-mailed to someone whose authenticator an administrator asked to reset: with
    their password they confirm it, and set up their app again at their next sign-in."""
    reset = approvals.reset_for_link(secret)
    if reset is None:
        return render(
            request,
            "people/reset_link_gone.jinja",
            {"page_title": "This link does not work any more"},
        )
    form = ConfirmResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.confirm_authenticator_reset(
                reset=reset, password=form.cleaned_data["password"], request=request
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                "Your authenticator app has been reset. Sign in to set up your app again.",
            )
            return redirect("people:sign_in")
    return render(
        request,
        "people/confirm_reset.jinja",
        {"page_title": "Confirm the reset of your authenticator app", "form": form, "reset": reset},
    )


@reach(access.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest) -> HttpResponse:
    """Role requests and authenticator resets waiting for a second administrator: those this
    administrator may decide, and their own still waiting for someone else."""
    admin = require_admin(request, "decide these requests")
    if request.method == "POST":
        _decide(request, admin)
        return redirect(next_url(request, reverse("people:waiting")))
    return render(
        request,
        "people/waiting.jinja",
        {
            "page_title": "Waiting for a second administrator",
            "to_decide": approvals.waiting_for(admin),
            "asked": approvals.asked_by(admin),
        },
    )


#: What each button on the page does, by its `decision` and the kind of request.
DECISIONS = {
    ("role", "approve"): (RoleRequest, "approve_role_request", "role_request", "Role given"),
    ("role", "decline"): (RoleRequest, "decline_role_request", "role_request", "Request closed"),
    ("reset", "approve"): (
        AuthenticatorReset,
        "approve_authenticator_reset",
        "reset",
        "Authenticator app reset: they set it up again at their next sign-in",
    ),
    ("reset", "decline"): (
        AuthenticatorReset,
        "withdraw_authenticator_reset",
        "reset",
        "Reset closed",
    ),
}


def _decide(request: HttpRequest, admin: User) -> None:
    what = DECISIONS.get((request.POST.get("kind", ""), request.POST.get("decision", "")))
    if what is None:
        messages.error(request, "Choose Approve or Decline for a request")
        return
    model, service, argument, done = what
    pk = request.POST.get("pk", "")
    row = get_object_or_404(model, pk=int(pk) if pk.isdigit() and len(pk) < 19 else 0)
    try:
        getattr(approvals, service)(by=admin, request=request, **{argument: row})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
