"""The young person's own account: their health team invites them by e-mail; the link lets
them make an account once, within `INVITATION_DAYS`, after confirming their date of birth;
they sign in with a password and a second step (an authenticator app, or a code by e-mail for
those without a smartphone). The account reaches their own passport, appointments and
contacts, and lets them give feedback and ask for corrections; it ends on their 25th birthday
or when the team withdraws it. Every write here is a service; every view is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice

from lachealth.care.models import Child
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, User
from lachealth.versioning import save_versioned

from . import clocks
from .models import (
    CorrectionRequest,
    Feedback,
    HealthAssessment,
    Invitation,
    Passport,
    YoungPersonAccount,
)

LINK_GONE = "This link has expired or has been used already. Ask your health team for a new one."
ADDRESS_IN_USE = "This e-mail address is already in use: ask the young person for their own"
#: Days an invitation link works.
INVITATION_DAYS = 7
#: Who invites a young person and withdraws their account: their health team.
INVITER_ROLES = access.HEALTH_RECORD_ROLES
#: The second step a young person chooses.
SECOND_STEPS = {"app": "An authenticator app", "email": "A code sent to my e-mail"}


def hash_token(token: str) -> str:
    """What is kept of an invitation link's token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def active_account(user: Any, as_of: date | None = None) -> YoungPersonAccount | None:
    """The user's own account if it is theirs and still open on `as_of`, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    found = YoungPersonAccount.objects.filter(user_id=user.pk).select_related("child").first()
    if found is None or not found.active_on(as_of or timezone.localdate()):
        return None
    return found


def _require_inviter(by: Any, child: Child) -> None:
    if not access.acts_for_child(by, INVITER_ROLES, child):
        raise PermissionDenied("Only the young person's health team invites them")


def invite(
    *,
    by: Any,
    child: Child,
    email: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> Invitation:
    """Send the young person a link to make their own account (a new one replaces any link
    sent before). Refused under 16, from the 25th birthday, for a young person who has an
    account, and to an address someone else uses."""
    _require_inviter(by, child)
    email = email.strip().lower()
    if as_of < clocks.birthday(child.date_of_birth, clocks.PASSPORT_FROM_AGE):
        raise ValidationError(
            {"email": f"{child} is not 16 yet: invite them from their 16th birthday"}
        )
    if as_of >= clocks.birthday(child.date_of_birth, clocks.PASSPORT_ON_REQUEST_UNTIL_AGE):
        raise ValidationError({"email": f"{child} is 25: their own account has ended"})
    if YoungPersonAccount.objects.filter(child=child).exists():
        raise ValidationError({"email": f"{child} has an account already: it cannot be made again"})
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError({"email": ADDRESS_IN_USE})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # One invitation at a time per young person: two nurses sending at once queue here.
        Child.objects.select_for_update().filter(pk=child.pk).first()
        now = timezone.now()
        if (
            Invitation.objects.waiting(now)
            .filter(email__iexact=email)
            .exclude(child=child)
            .exists()
        ):
            raise ValidationError({"email": ADDRESS_IN_USE})
        Invitation.objects.waiting(now).filter(child=child).update(revoked_at=now)
        made = Invitation.objects.create(
            child=child,
            email=email,
            token_hash=hash_token(token),
            invited_by=by,
            sent_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        link = settings.SITE_URL + reverse("health:accept", args=[token])
        send_mail(
            "Your health passport on lachealth",
            f"Hello {child.first_name or ''},\n\n"
            "Your health team has invited you to see your health passport, your next health "
            "appointments and who to contact, online.\n\n"
            f"Make your account here within {INVITATION_DAYS} days:\n{link}\n\n"
            "You will be asked for your date of birth. If you were not expecting this, you can "
            "ignore this e-mail.\n",
            None,
            [email],
        )
        audit.record(
            request,
            AccessAction.CREATE,
            user=by,
            child=child,
            detail="invited the young person to their own account",
        )
    return made


def invitation_for(token: str) -> Invitation | None:
    """The invitation a link carries, if it can still be used (not used, revoked or expired)."""
    found = Invitation.objects.filter(token_hash=hash_token(token)).select_related("child").first()
    return found if found is not None and found.waiting(timezone.now()) else None


@dataclass(frozen=True)
class Acceptance:
    date_of_birth: date
    password: str
    second_step: str  # a key of SECOND_STEPS


def accept(*, token: str, answer: Acceptance, request: HttpRequest | None = None) -> User:
    """Make the young person's account from their invitation: their date of birth must match
    the record; the link then stops working. Returns the new user (signed in by the view)."""
    with transaction.atomic():
        found = (
            Invitation.objects.select_for_update()
            .filter(token_hash=hash_token(token))
            .select_related("child")
            .first()
        )
        # Checked again on the locked row: two tabs, or two links sent at once, make one
        # account at most.
        if found is None or not found.waiting(timezone.now()):
            raise ValidationError(LINK_GONE)
        if YoungPersonAccount.objects.filter(child=found.child).exists():
            raise ValidationError(LINK_GONE)
        if answer.date_of_birth == found.child.date_of_birth:
            return _make_account(found, answer, request)
    # A wrong date of birth is counted outside that transaction, so that it stays: after
    # MAX_TRIES the link stops working, and each try is in the access log.
    left = MAX_TRIES - _count_wrong_date(found, request)
    raise ValidationError(
        {
            "date_of_birth": "The date of birth is not the one your health team has. "
            + (
                f"Check it: the link stops working after {left} more "
                f"{'try' if left == 1 else 'tries'}"
                if left > 0
                else "The link no longer works: ask your health team for a new one"
            )
        }
    )


#: Wrong dates of birth an invitation link takes before it stops working.
MAX_TRIES = 5


def _count_wrong_date(found: Invitation, request: HttpRequest | None) -> int:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=found.pk)
        locked.wrong_dates_of_birth += 1
        if locked.wrong_dates_of_birth >= MAX_TRIES:
            locked.revoked_at = timezone.now()
        locked.save(update_fields=["wrong_dates_of_birth", "revoked_at"])
        audit.record(
            request,
            AccessAction.SIGN_IN_FAILED,
            child=found.child,
            detail=f"wrong date of birth on an invitation link ({locked.wrong_dates_of_birth} "
            f"of {MAX_TRIES})",
        )
    return locked.wrong_dates_of_birth


def _make_account(found: Invitation, answer: Acceptance, request: HttpRequest | None) -> User:
    child = found.child
    if answer.second_step not in SECOND_STEPS:
        raise ValidationError({"second_step": "Choose how you will confirm it is you"})
    if User.objects.filter(username__iexact=found.email).exists():
        raise ValidationError(
            {"__all__": "This e-mail address is already in use. Ask your health team for help"}
        )
    user = User(
        username=found.email,
        email=found.email,
        first_name=child.first_name,
        last_name=child.last_name,
    )
    validate_password(answer.password, user)
    user.set_password(answer.password)
    user.save()
    YoungPersonAccount.objects.create(
        user=user,
        child=child,
        invited_by=found.invited_by,
        ends_on=clocks.birthday(child.date_of_birth, clocks.PASSPORT_ON_REQUEST_UNTIL_AGE),
    )
    if answer.second_step == "email":
        EmailDevice.objects.create(user=user, name="E-mail", email=found.email, confirmed=True)
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    audit.record(
        request, AccessAction.CREATE, user=user, child=child, detail="made their own account"
    )
    return user


def withdraw(
    *, by: Any, child: Child, reason: str, as_of: date, request: HttpRequest | None = None
) -> YoungPersonAccount:
    """The health team ends the young person's access (and any link not yet used)."""
    _require_inviter(by, child)
    found = YoungPersonAccount.objects.filter(child=child).first()
    if found is None or found.withdrawn_on is not None:
        raise ValidationError({"reason": f"{child} has no open account to withdraw"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is withdrawn"})
    found.withdrawn_on = as_of
    found.withdrawn_by = by
    found.withdrawn_reason = reason.strip()
    save_versioned(found, by, reason=reason.strip())
    now = timezone.now()
    Invitation.objects.waiting(now).filter(child=child).update(revoked_at=now)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail="withdrew the young person's own account",
    )
    return found


def give_feedback(
    *,
    by: Any,
    listened: str,
    understood: str,
    anything_else: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> Feedback:
    """The young person says what they thought of their last health assessment."""
    account = active_account(by, as_of)
    if account is None:
        raise PermissionDenied("Only a young person with an open account gives feedback here")
    last = HealthAssessment.objects.filter(child=account.child).order_by("-completed_on").first()
    if last is None:
        raise ValidationError("You have had no health assessment to tell us about yet")
    # One answer per assessment, the latest kept: the figures count young people, not posts.
    made = Feedback.objects.filter(child=account.child, assessment=last).first() or Feedback(
        child=account.child, assessment=last
    )
    made.listened, made.understood = listened, understood
    made.anything_else, made.given_on = anything_else.strip(), as_of
    made.full_clean()
    made.save()
    audit.record(
        request,
        AccessAction.CREATE,
        user=by,
        child=account.child,
        detail="gave feedback on their health assessment",
    )
    return made


def ask_correction(
    *,
    by: Any,
    section: str,
    what: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> CorrectionRequest:
    """The young person asks for something in their latest passport to be corrected."""
    account = active_account(by, as_of)
    if account is None:
        raise PermissionDenied("Only a young person with an open account asks for corrections")
    latest = Passport.objects.filter(child=account.child).order_by("-version").first()
    if latest is None:
        raise ValidationError({"section": "You have no health passport yet to correct"})
    if section not in latest.sections:
        raise ValidationError({"section": "Choose a part of your passport"})
    if not what.strip():
        raise ValidationError({"what": "Say what is wrong and what it should say"})
    made = CorrectionRequest(
        child=account.child, passport=latest, section=section, what=what.strip(), asked_on=as_of
    )
    made.full_clean()
    save_versioned(made, by)
    audit.record(
        request,
        AccessAction.CREATE,
        user=by,
        child=account.child,
        detail="asked for a correction to their passport",
    )
    return made


def answer_correction(
    *,
    by: Any,
    asked: CorrectionRequest,
    answer: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> CorrectionRequest:
    """The health team answers a correction the young person asked for."""
    if not access.acts_for_child(by, access.HEALTH_RECORD_ROLES, asked.child):
        raise PermissionDenied("Only the young person's health team answers them")
    with transaction.atomic():
        return _answer(
            by,
            CorrectionRequest.objects.select_for_update().get(pk=asked.pk),
            answer,
            as_of,
            request,
        )


def _answer(
    by: Any, asked: CorrectionRequest, answer: str, as_of: date, request: HttpRequest | None
) -> CorrectionRequest:
    if asked.answered_on is not None:
        raise ValidationError({"answer": "This request has been answered already"})
    if not answer.strip():
        raise ValidationError({"answer": "Say what you did about it"})
    asked.answer = answer.strip()
    asked.answered_on = as_of
    asked.answered_by = by
    save_versioned(asked, by)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=asked.child,
        detail="answered the young person's correction request",
    )
    return asked


def team_panel(child: Child) -> dict[str, Any]:
    """What the child's page shows their health team of the young person's own account:
    the account or the link sent, their latest feedback and their correction requests."""
    return {
        "account": YoungPersonAccount.objects.filter(child=child).first(),
        "pending": Invitation.objects.waiting(timezone.now()).filter(child=child).first(),
        "feedback": list(Feedback.objects.filter(child=child)[:5]),
        "corrections": list(CorrectionRequest.objects.filter(child=child)),
    }
