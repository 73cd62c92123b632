"""Every write to organisations, users and roles: one transaction each, history kept, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.versioning import save_versioned

from . import audit
from .models import AccessAction, Area, Membership, Organisation, User


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
    """Add a person; they enrol their authenticator app the first time they sign in."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username “{username}” is already taken"})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
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
    user.first_name, user.last_name, user.email, user.is_active = (
        first_name,
        last_name,
        email,
        is_active,
    )
    save_versioned(user, by)
    audit.record(request, AccessAction.ADMIN, user=by, detail=f"updated user {user.username}")
    return user


@transaction.atomic
def grant_role(
    *,
    by: User | None,
    user: User,
    organisation: Organisation,
    role: str,
    request=None,  # type: ignore[no-untyped-def]
) -> Membership:
    """Give a user a role at an organisation (reactivating a revoked one).

    Nobody grants themselves a role: an administrator who also needs a clinical or LA role
    asks another administrator, so that reaching children's records always takes two people.
    """
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            {"role": "You cannot give yourself a role: ask another system administrator"}
        )
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"role": f"{user} already has this role at {organisation}"})
    membership = membership or Membership(user=user, organisation=organisation, role=role)
    membership.is_active = True
    save_versioned(membership, by)
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"granted {membership.get_role_display()} at {organisation} to {user.username}",
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


@transaction.atomic
def reset_two_factor(*, by: User, user: User, request=None) -> None:  # type: ignore[no-untyped-def]
    """Forget a user's authenticator so they enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"reset two-factor authentication for {user.username}",
    )


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
