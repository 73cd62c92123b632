"""Signing in (password, then a one-time code), the home page, and the administrator's pages."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from lachealth.reach import ANY, PUBLIC, SIGNED_IN, reach

from . import access, approvals, audit, selectors, services
from .forms import (
    CodeForm,
    GrantRoleForm,
    OrganisationForm,
    SignInForm,
    UserEditForm,
    UserForm,
)
from .home import landing
from .home import sections as home_sections
from .middleware import otp_not_required
from .models import AccessAction, Decision, Membership, Organisation, User


def next_url(request: HttpRequest, default: str | None = None) -> str:
    """Where the form says to go next, if it is a page of this site; otherwise `default`
    (the home page unless given)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default or settings.LOGIN_REDIRECT_URL


@reach(PUBLIC)
@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect("home")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            audit.record(request, AccessAction.SIGN_IN_FAILED, detail=form.cleaned_data["username"])
            form.add_error("username", "The username or password is not right")
        else:
            login(request, user)
            request.session["sign_in_next"] = next_url(request)
            return redirect("people:sign_in_code")
    return render(
        request,
        "people/sign_in.jinja",
        {"form": form, "page_title": "Sign in", "next": request.GET.get("next", "")},
    )


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this once an account has had 5 failed sign-ins in a row."""
    return render(
        request,
        "people/locked_out.jinja",
        {"page_title": "Account locked", "minutes": 15},
        status=429,
    )


def _demo_hint(user: User, device: TOTPDevice) -> str | None:
    """In DEBUG only, a demo account is shown its current code (documented in the README)."""
    if settings.DEBUG and settings.DEMO_OTP_HINT and user.is_demo:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return f"{totp.token():0{device.digits}d}"
    return None


def _signed_in(
    request: HttpRequest, device: TOTPDevice | EmailDevice, detail: str = ""
) -> HttpResponse:
    """The one-time code was right: the session is verified and gets a new key, as it did at
    the password step, so a key known before the code was entered (one planted in the
    browser, or seen on the way) opens nothing; the session's data is kept."""
    otp_login(request, device)
    request.session.cycle_key()
    audit.record(request, AccessAction.SIGN_IN, detail=detail)
    return redirect(request.session.pop("sign_in_next", settings.LOGIN_REDIRECT_URL))


@reach(SIGNED_IN)
@otp_not_required
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect("home")
    device: TOTPDevice | EmailDevice | None = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first()
    by_email = device is None and (
        device := EmailDevice.objects.filter(user=user, confirmed=True).first()
    )
    if device is None:
        return redirect("people:enrol")
    sent = ""
    if by_email and (request.method == "GET" or "resend" in request.POST):
        sent = services.send_email_code(device)  # type: ignore[arg-type]
    form = CodeForm(
        request.POST if request.method == "POST" and "resend" not in request.POST else None
    )
    if request.method == "POST" and form.is_valid():
        verified, _ = device.verify_is_allowed()
        if verified and device.verify_token(form.cleaned_data["code"]):
            return _signed_in(request, device)
        audit.record(request, AccessAction.SIGN_IN_FAILED, detail="wrong security code")
        form.add_error(
            "code",
            "The security code is not right, or has expired. Enter the code we sent you by "
            "e-mail, or ask for a new one"
            if by_email
            else "The security code is not right, or has expired. Enter the code your app "
            "shows now",
        )
    return render(
        request,
        "people/sign_in_code.jinja",
        {
            "form": form,
            "page_title": "Enter your security code",
            "by_email": bool(by_email),
            "sent": sent,
            "demo_code": None if by_email else _demo_hint(user, device),  # type: ignore[arg-type]
        },
    )


@reach(SIGNED_IN)
@otp_not_required
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code into an authenticator app and prove it with a code."""
    user = request.user
    # Any second step already set up (an app, or a code by e-mail) is the one to use: setting
    # up another here would let a password alone past it.
    if list(devices_for_user(user, confirmed=True)):  # type: ignore[arg-type]
        return redirect("people:sign_in_code")
    device = services.enrolment_device(user)  # type: ignore[arg-type]
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_device(device, form.cleaned_data["code"]):
            messages.success(request, "Your authenticator app is set up")
            return _signed_in(request, device, detail="enrolled authenticator app")
        form.add_error("code", "The security code is not right. Enter the code your app shows now")
    qr = segno.make(device.config_url, error="m")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "people/enrol.jinja",
        {
            "form": form,
            "page_title": "Set up your authenticator app",
            "qr_svg": Markup(qr.svg_inline(scale=4, title="QR code for your authenticator app")),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@reach(PUBLIC)
@require_POST
@login_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request, AccessAction.SIGN_OUT)
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("people:sign_in")


@reach(SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    elsewhere = landing(request)
    if elsewhere:
        return redirect(elsewhere)
    return render(
        request,
        "people/home.jinja",
        {
            "page_title": "Home",
            "sections": home_sections(request),
            "sees_children": access.can_see_children(user),
            "can_record": access.can_record_care(user),
            "is_admin": access.is_system_admin(user),
            "waiting_count": len(approvals.waiting_for(user))  # type: ignore[arg-type]
            if access.is_system_admin(user)
            else 0,
            "is_commissioner": access.is_commissioner(user),
            "memberships": Membership.objects.filter(user=user, is_active=True).select_related(  # type: ignore[misc]
                "organisation"
            ),
        },
    )


# ---- system administration -------------------------------------------------------------


def require_admin(request: HttpRequest, doing: str = "manage users and organisations") -> User:
    """The signed-in system administrator, or 403 for anyone else, saying what only
    administrators may be `doing`."""
    if not access.is_system_admin(request.user):
        raise PermissionDenied(f"Only system administrators can {doing}")
    return request.user  # type: ignore[return-value]


@reach(access.ADMIN_ROLES)
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    return render(
        request,
        "people/organisation_list.jinja",
        {
            "page_title": "Organisations",
            "organisations": selectors.organisations_with_areas(),
        },
    )


@reach(access.ADMIN_ROLES, ANY, model=Organisation)
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    admin = require_admin(request)
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    initial = {}
    if organisation:
        initial = {
            "name": organisation.name,
            "kind": organisation.kind,
            "ods_code": organisation.ods_code,
            "team_email": organisation.team_email,
            "is_active": organisation.is_active,
            "areas": list(organisation.areas.all()),
        }
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, initial=initial or {"is_active": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.save_organisation(
                by=admin,
                organisation=organisation,  # type: ignore[arg-type]
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{org.name} saved")
            return redirect("people:organisation_list")
    return render(
        request,
        "people/organisation_form.jinja",
        {
            "form": form,
            "organisation": organisation,
            "page_title": f"Change {organisation.name}" if organisation else "Add an organisation",
        },
    )


@reach(access.ADMIN_ROLES)
def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    query = request.GET.get("q", "").strip()
    users = selectors.users_with_roles()
    if query:
        users = users.filter(username__icontains=query) | users.filter(last_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request, "people/user_list.jinja", {"page_title": "Users", "page": page, "q": query}
    )


@reach(access.ADMIN_ROLES)
def user_create(request: HttpRequest) -> HttpResponse:
    admin = require_admin(request)
    form = UserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(by=admin, request=request, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{user} added. Now give them a role.")
            return redirect("people:user_detail", pk=user.pk)
    return render(request, "people/user_form.jinja", {"form": form, "page_title": "Add a user"})


@reach(access.ADMIN_ROLES, ANY, model=User)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin = require_admin(request)
    person = get_object_or_404(selectors.staff_users(), pk=pk)
    edit_form = UserEditForm(
        request.POST if request.POST.get("form") == "details" else None,
        initial={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "is_active": person.is_active,
        },
    )
    role_form = GrantRoleForm(request.POST if request.POST.get("form") == "role" else None)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "details" and edit_form.is_valid():
                services.update_user(
                    person,
                    by=admin,
                    request=request,  # type: ignore[arg-type]
                    **edit_form.cleaned_data,
                )
                messages.success(request, "Details saved")
                return redirect("people:user_detail", pk=pk)
            if action == "role" and role_form.is_valid():
                given = approvals.request_role(
                    by=admin,
                    user=person,
                    request=request,
                    **role_form.cleaned_data,
                )
                messages.success(
                    request,
                    "Role added"
                    if isinstance(given, Membership)
                    else "Role asked for: it is given once another system administrator "
                    f"approves it (an administrator of {given.organisation}, if it has another)",
                )
                return redirect("people:user_detail", pk=pk)
            if action == "revoke":
                membership = get_object_or_404(
                    Membership, pk=request.POST.get("membership"), user=person
                )
                services.revoke_role(by=admin, membership=membership, request=request)  # type: ignore[arg-type]
                messages.success(request, "Role removed")
                return redirect("people:user_detail", pk=pk)
            if action == "reset_2fa":
                reset = approvals.request_authenticator_reset(
                    by=admin, user=person, request=request
                )
                messages.success(
                    request,
                    "Reset asked for: it happens once they confirm it from the e-mail we have "
                    "sent them, or another system administrator approves it"
                    if reset.e_mailed  # type: ignore[attr-defined]
                    else "Reset asked for: it happens once another system administrator "
                    "approves it (no e-mail was sent: they have no address, or it changed in "
                    f"the last {approvals.EMAIL_SETTLES_DAYS} days)",
                )
                return redirect("people:user_detail", pk=pk)
        except ValidationError as exc:
            if action == "reset_2fa":
                messages.error(request, " ".join(exc.messages))
                return redirect("people:user_detail", pk=pk)
            (edit_form if action == "details" else role_form).add_service_errors(exc)
    form = edit_form if edit_form.is_bound else role_form
    return render(
        request,
        "people/user_detail.jinja",
        {
            "page_title": str(person),
            "person": person,
            "form": form,
            "edit_form": edit_form,
            "role_form": role_form,
            "memberships": person.memberships.filter(is_active=True).select_related("organisation"),
            "has_device": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
            "role_requests": person.role_requests.filter(status=Decision.PENDING).select_related(
                "organisation", "requested_by"
            ),
            "resets": person.authenticator_resets.filter(
                status=Decision.PENDING, expires_at__gt=timezone.now()
            ).select_related("requested_by"),
            "may_approve": lambda asked: approvals.may_approve(admin, asked),
        },
    )
