"""Changes one administrator cannot make alone: giving a role that reaches children (or
administers the system), and forgetting someone's authenticator app.

A role in `access.TWO_PERSON_ROLES` is asked for by one administrator and given only when a
second approves: a system administrator of the organisation concerned, or, where it has none
besides the two people involved, any other system administrator. An authenticator reset is
asked for by one administrator and happens when the user confirms it from a link e-mailed to
them (and their password), or a second administrator approves it. Every request and
decision is in the access log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, audit, services
from .models import (
    AccessAction,
    AuthenticatorReset,
    Decision,
    Membership,
    Organisation,
    Role,
    RoleRequest,
    User,
)

#: Hours the e-mailed link to confirm an authenticator reset works.
RESET_LINK_HOURS = 24


def _admins(organisation: Organisation | None = None) -> QuerySet[User]:
    memberships = Membership.objects.filter(
        role=Role.SYSTEM_ADMIN, is_active=True, organisation__is_active=True
    )
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


def made_by(users: list[int]) -> QuerySet[User]:
    """The accounts these users added (their first version's author)."""
    return User.objects.filter(
        pk__in=User.history.filter(history_type="+", history_user_id__in=users).values("id")
    )


def approvers(role_request: RoleRequest) -> QuerySet[User]:
    """Who may approve the request: the organisation's own system administrators besides the
    two people involved and any account either of them added (an administrator who added an
    account knew its first password), or, if it has none, every other such administrator."""
    involved = [role_request.user_id, role_request.requested_by_id]
    excluded = Q(pk__in=involved) | Q(pk__in=made_by(involved).values("pk"))
    own = _admins(role_request.organisation).exclude(excluded)
    return own if own.exists() else _admins().exclude(excluded)


def may_approve(user: User, role_request: RoleRequest) -> bool:
    return (
        role_request.status == Decision.PENDING
        and approvers(role_request).filter(pk=user.pk).exists()
    )


@transaction.atomic
def request_role(
    *,
    by: User,
    user: User,
    organisation: Organisation,
    role: str,
    request: Any = None,
) -> Membership | RoleRequest:
    """Give a role that reaches no child at once; ask a second administrator for any other."""
    if role not in access.TWO_PERSON_ROLES:
        return services.grant_role(
            by=by, user=user, organisation=organisation, role=role, request=request
        )
    services.check_role(by=by, user=user, organisation=organisation, role=role)
    try:
        with transaction.atomic():
            asked = RoleRequest.objects.create(
                user=user, organisation=organisation, role=role, requested_by=by
            )
    except IntegrityError as clash:  # one waiting already (`role_request_one_pending`)
        raise ValidationError(
            {"role": f"This role at {organisation} is already waiting for a second administrator"}
        ) from clash
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"asked for {asked.get_role_display()} at {organisation} for {user.username} "
        f"(request {asked.pk}, waiting for a second administrator)",
    )
    return asked


def _pending(model: Any, pk: int) -> Any:
    """The request, locked, if it is still waiting; a decided one cannot be decided again."""
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.status != Decision.PENDING:
        raise ValidationError("This request has already been decided or withdrawn")
    if getattr(row, "expires_at", None) is not None and row.expires_at <= timezone.now():
        raise ValidationError("This reset has expired: ask for a new one")
    return row


@transaction.atomic
def approve_role_request(*, by: User, role_request: RoleRequest, request: Any = None) -> Membership:
    asked = _pending(RoleRequest, role_request.pk)
    if not may_approve(by, asked):
        raise PermissionDenied(
            "Only another system administrator of the organisation concerned can approve this"
        )
    membership = services.grant_role(
        by=by,
        user=asked.user,
        organisation=asked.organisation,
        role=asked.role,
        request=request,
        approved=asked,
    )
    asked.decide(by, Decision.APPROVED)
    return membership


@transaction.atomic
def decline_role_request(*, by: User, role_request: RoleRequest, request: Any = None) -> None:
    """An approver declines the request, or the administrator who asked withdraws it."""
    asked = _pending(RoleRequest, role_request.pk)
    if by.pk == asked.requested_by_id:
        asked.decide(by, Decision.WITHDRAWN)
    elif may_approve(by, asked):
        asked.decide(by, Decision.DECLINED)
    else:
        raise PermissionDenied("Only an administrator who may approve this can decline it")
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"{asked.get_status_display().lower()} request {asked.pk}: "
        f"{asked.get_role_display()} at {asked.organisation} for {asked.user.username}",
    )


def waiting_for(user: User) -> list[RoleRequest | AuthenticatorReset]:
    """Requests waiting that this administrator may decide (not their own), oldest first."""
    roles = [
        r
        for r in RoleRequest.objects.filter(status=Decision.PENDING)
        .exclude(requested_by=user)
        .exclude(user=user)
        .select_related("user", "organisation", "requested_by")
        .order_by("requested_at")
        if may_approve(user, r)
    ]
    resets = list(
        AuthenticatorReset.objects.filter(status=Decision.PENDING, expires_at__gt=timezone.now())
        .exclude(requested_by=user)
        .exclude(user=user)
        .select_related("user", "requested_by")
        .order_by("requested_at")
    )
    return [*roles, *resets]


def asked_by(user: User) -> list[RoleRequest | AuthenticatorReset]:
    """This administrator's own requests still waiting for someone else."""
    roles = RoleRequest.objects.filter(requested_by=user, status=Decision.PENDING).select_related(
        "user", "organisation"
    )
    resets = AuthenticatorReset.objects.filter(
        requested_by=user, status=Decision.PENDING, expires_at__gt=timezone.now()
    ).select_related("user")
    return [*roles, *resets]


# ---- authenticator resets ----------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def request_authenticator_reset(*, by: User, user: User, request: Any = None) -> AuthenticatorReset:
    """Ask for the user's authenticator to be forgotten: the user is e-mailed a link to
    confirm it, and other administrators see it waiting for their approval."""
    if by.pk == user.pk:
        raise ValidationError(
            "You cannot reset your own authenticator app: ask another system administrator"
        )
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(f"{user} has no authenticator app set up")
    if AuthenticatorReset.objects.filter(
        user=user, status=Decision.PENDING, expires_at__gt=timezone.now()
    ).exists():
        raise ValidationError(f"A reset for {user} is already waiting to be confirmed")
    # An expired request no longer waits: it is withdrawn so a new one can be made.
    AuthenticatorReset.objects.filter(user=user, status=Decision.PENDING).update(
        status=Decision.WITHDRAWN
    )
    secret = secrets.token_urlsafe(32)
    reset = AuthenticatorReset.objects.create(
        user=user,
        requested_by=by,
        token_hash=_digest(secret),
        expires_at=timezone.now() + timedelta(hours=RESET_LINK_HOURS),
    )
    link = reverse("people:confirm_reset", args=[secret])
    if request is not None:
        link = request.build_absolute_uri(link)
    e_mailed = bool(user.email) and not email_changed_recently(user)
    if e_mailed:
        send_mail(
            "Confirm the reset of your lachealth authenticator app",
            f"{by} asked to reset the authenticator app you use to sign in to lachealth.\n\n"
            f"If you asked for this, confirm it with your password here within "
            f"{RESET_LINK_HOURS} hours:\n{link}\n\n"
            "If you did not ask for it, do nothing and tell your manager: your app keeps "
            "working unless you confirm, or another administrator approves the reset.\n",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"asked to reset two-factor authentication for {user.username} "
        f"(request {reset.pk}, "
        + ("e-mailed to the user to confirm)" if e_mailed else "for a second administrator)"),
    )
    reset.e_mailed = e_mailed  # type: ignore[attr-defined]
    return reset


#: Days after someone's e-mail address changes during which a reset is not e-mailed there (an
#: administrator may have put their own): a second administrator approves it instead.
EMAIL_SETTLES_DAYS = 7


def email_changed_recently(user: User) -> bool:
    """Whether the user's e-mail address is not the one they had `EMAIL_SETTLES_DAYS` ago
    (or when the account was made, if since)."""
    since = timezone.now() - timedelta(days=EMAIL_SETTLES_DAYS)
    versions = user.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]
    before = versions.filter(history_date__lt=since).values_list("email", flat=True).last()
    recent = set(versions.filter(history_date__gte=since).values_list("email", flat=True))
    addresses = recent | ({before} if before is not None else set())
    return len(addresses | {user.email}) > 1


def reset_for_link(secret: str) -> AuthenticatorReset | None:
    """The waiting reset the e-mailed link names, if it still works."""
    return (
        AuthenticatorReset.objects.filter(
            token_hash=_digest(secret), status=Decision.PENDING, expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
    )


def _forget_authenticator(reset: AuthenticatorReset, by: User, status: str, request: Any) -> None:
    TOTPDevice.objects.filter(user=reset.user).delete()
    reset.decide(by, status)
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"reset two-factor authentication for {reset.user.username} "
        f"(request {reset.pk} by {reset.requested_by.username}, "
        f"{'confirmed by the user' if status == Decision.CONFIRMED else 'approved'})",
        path=LINK_LOGGED if status == Decision.CONFIRMED else None,
    )


def confirm_authenticator_reset(
    *, reset: AuthenticatorReset, password: str, request: Any = None
) -> None:
    """The user confirms the reset from the e-mailed link with their own password (checked as
    at sign-in, so wrong ones count towards the account's lock-out)."""
    user = authenticate(request, username=reset.user.get_username(), password=password)
    if user is None or user.pk != reset.user_id:
        audit.record(
            request,
            AccessAction.SIGN_IN_FAILED,
            user=reset.user,
            detail="wrong password confirming an authenticator reset",
            path=LINK_LOGGED,
        )
        raise ValidationError({"password": "The password is not right"})
    with transaction.atomic():
        _forget_authenticator(
            _pending(AuthenticatorReset, reset.pk), reset.user, Decision.CONFIRMED, request
        )


#: How the access log names the e-mailed link's page: never with its secret.
LINK_LOGGED = "/account/authenticator-reset/(link)/"


@transaction.atomic
def approve_authenticator_reset(
    *, by: User, reset: AuthenticatorReset, request: Any = None
) -> None:
    """A second administrator approves the reset (the user could not confirm it)."""
    reset = _pending(AuthenticatorReset, reset.pk)
    if by.pk in (reset.requested_by_id, reset.user_id) or not access.is_system_admin(by):
        raise PermissionDenied("Another system administrator must approve this reset")
    _forget_authenticator(reset, by, Decision.APPROVED, request)


@transaction.atomic
def withdraw_authenticator_reset(
    *, by: User, reset: AuthenticatorReset, request: Any = None
) -> None:
    reset = _pending(AuthenticatorReset, reset.pk)
    if by.pk != reset.requested_by_id and not access.is_system_admin(by):
        raise PermissionDenied("Only an administrator can withdraw this reset")
    reset.decide(by, Decision.WITHDRAWN if by.pk == reset.requested_by_id else Decision.DECLINED)
    audit.record(
        request,
        AccessAction.ADMIN,
        user=by,
        detail=f"{reset.get_status_display().lower()} the authenticator reset for "
        f"{reset.user.username} (request {reset.pk})",
    )
