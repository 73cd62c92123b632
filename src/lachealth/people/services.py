"""Every write to organisations, users and roles: one transaction each, history kept, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.versioning import save_versioned

from . import access, audit
from .models import AccessAction, Area, Membership, Organisation, RoleRequest, User


@transaction.atomic
def save_organisation(
    *,
    by: User | None,
    name: str,
    kind: str,
    areas: Iterable[Area],
    ods_code: str = "",
    team_email: str = "",
    is_active: bool = True,
    organisation: Organisation | None = None,
    request=None,  # type: ignore[no-untyped-def]
) -> Organisation:
    """Create an organisation, or update one, and tie it to its areas."""
    area_list = list(areas)
    if not area_list:
        raise ValidationError({"areas": "Choose at least one area the organisation covers"})
    if organisation is not None and organisation.kind != kind and organisation.memberships.exists():
        raise ValidationError(
            {"kind": "The type cannot change while people hold roles in this organisation"}
        )
    org = organisation or Organisation()
    org.name, org.kind, org.ods_code, org.is_active = name, kind, ods_code, is_active
    org.team_email = team_email
    save_versioned(org, by)
    org.areas.set(area_list)
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"{'updated' if organisation else 'created'} organisation {org.name}",
    )
    return org


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    request=None,  # type: ignore[no-untyped-def]
) -> User:
    """Add a person; the first time they sign in they enrol their authenticator app and, when
    an administrator chose the password, change it."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username “{username}” is already taken"})
    # A password an administrator typed is theirs too: the person changes it at first sign-in.
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        must_change_password=by is not None,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    save_versioned(user, by)
    audit.record(request, AccessAction.ADMIN, user=by, detail=f"created user {user.username}")
    return user


@transaction.atomic
def update_user(
    user: User,
    *,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    request=None,  # type: ignore[no-untyped-def]
) -> User:
    if user.pk == by.pk and not is_active:
        raise ValidationError({"is_active": "You cannot deactivate your own account"})
    was = (user.email, user.is_active)
    user.first_name, user.last_name, user.email, user.is_active = (
        first_name,
        last_name,
        email,
        is_active,
    )
    save_versioned(user, by)
    changes = [f"e-mail {was[0] or '(none)'} to {email or '(none)'}"] if email != was[0] else []
    if was[1] and not is_active:
        # Roles that reach children do not come back with the account: given again, they
        # take a second administrator (approvals.py).
        ended = Membership.objects.filter(
            user=user, is_active=True, role__in=access.TWO_PERSON_ROLES
        )
        for membership in ended:
            membership.is_active = False
            save_versioned(membership, by)
            changes.append(f"ended {membership}")
    detail = f"updated user {user.username}" + (f": {'; '.join(changes)}" if changes else "")
    audit.record(request, AccessAction.ADMIN, user=by, detail=detail)
    return user


def check_role(*, by: User | None, user: User, organisation: Organisation, role: str) -> None:
    """Refuse a role nobody may give: to oneself, one the organisation's kind cannot grant, or
    one the person holds already."""
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            {"role": "You cannot give yourself a role: ask another system administrator"}
        )
    Membership(user=user, organisation=organisation, role=role).clean()
    if Membership.objects.filter(
        user=user, organisation=organisation, role=role, is_active=True
    ).exists():
        raise ValidationError({"role": f"{user} already has this role at {organisation}"})


@transaction.atomic
def grant_role(
    *,
    by: User | None,
    user: User,
    organisation: Organisation,
    role: str,
    request=None,  # type: ignore[no-untyped-def]
    approved: RoleRequest | None = None,
) -> Membership:
    """Give a user a role at an organisation (reactivating a revoked one).

    Nobody grants themselves a role. The pages give a role that reaches children only through
    `approvals` (a second administrator approves); commands and the demo call this directly.
    """
    check_role(by=by, user=user, organisation=organisation, role=role)
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    membership = membership or Membership(user=user, organisation=organisation, role=role)
    membership.is_active = True
    save_versioned(membership, by)
    asked = f" (request {approved.pk} by {approved.requested_by.username})" if approved else ""
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"granted {membership.get_role_display()} at {organisation} to "
        f"{user.username}{asked}",
    )
    return membership


@transaction.atomic
def revoke_role(*, by: User, membership: Membership, request=None) -> None:  # type: ignore[no-untyped-def]
    membership.is_active = False
    membership._history_user = by  # type: ignore[attr-defined]
    membership.save()
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"revoked {membership.get_role_display()} at {membership.organisation} "
        f"from {membership.user.username}",
    )


def change_password(
    user: User,
    *,
    current: str,
    new: str,
    request=None,  # type: ignore[no-untyped-def]
) -> None:
    """The user changes their own password (as they must after an administrator set it)."""
    problems: dict[str, list[str]] = {}
    # Checked as at sign-in, so that wrong guesses count towards the account's lock-out.
    right = (
        authenticate(request, username=user.get_username(), password=current) is not None
        if request is not None
        else user.check_password(current)
    )
    if not right:
        problems["current_password"] = ["Your current password is not right"]
    elif new == current:
        problems["new_password"] = ["Choose a password different from your current one"]
    else:
        try:
            validate_password(new, user)
        except ValidationError as exc:
            problems["new_password"] = exc.messages
    if problems:
        if "current_password" in problems:
            audit.record(
                request,
                AccessAction.SIGN_IN_FAILED,
                user=user,
                detail="wrong current password when changing password",
            )
        raise ValidationError(problems)
    with transaction.atomic():
        user.set_password(new)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(request, AccessAction.CHANGE, user=user, detail="changed own password")


def enrolment_device(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_device(device: TOTPDevice, token: str) -> bool:
    """Confirm an authenticator once the user proves it with a valid code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


#: Minutes an e-mailed security code works.
EMAIL_CODE_MINUTES = 10


def send_email_code(device: EmailDevice) -> str:
    """E-mail a new security code to a user who signs in without an authenticator app (a
    young person's own account), unless one went less than a minute ago. Returns what to tell
    them."""
    allowed, _ = device.generate_is_allowed()
    if not allowed:
        return "We sent you a code less than a minute ago. Check your e-mail, or wait a minute."
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=EMAIL_CODE_MINUTES * 60, commit=True)
    send_mail(
        "Your lachealth security code",
        f"Your security code is {device.token}\n\nIt works for {EMAIL_CODE_MINUTES} minutes. "
        "If you did not try to sign in to lachealth, tell your health team.\n",
        None,
        [device.email or device.user.email],
    )
    return f"We have sent a security code to {device.email or device.user.email}."
