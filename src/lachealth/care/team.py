"""The team around the child: who records which member, and the writes that add, correct and
withdraw them.

The LA records its own people, the carer and the school; the health team records the named
nurse, the dentist, the optician and the services working with the child; either records
the GP practice, which the LA often knows first. One person holds each role at a time,
except services: adding a new social worker ends the last one the day before. Every write
is versioned with who and why; a member entered in error is withdrawn, never deleted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from lachealth.people import access, audit
from lachealth.people.models import AccessAction, OrganisationKind, Role, User
from lachealth.versioning import correction_reason, save_versioned, withdraw_versioned

from .models import Child, TeamMember, TeamRole

LA, HEALTH = "la", "health"

#: Which side records each role.
RECORDED_BY: dict[str, frozenset[str]] = {
    TeamRole.SOCIAL_WORKER: frozenset({LA}),
    TeamRole.TEAM_MANAGER: frozenset({LA}),
    TeamRole.PERSONAL_ADVISER: frozenset({LA}),
    TeamRole.IRO: frozenset({LA}),
    TeamRole.CARER: frozenset({LA}),
    TeamRole.SCHOOL: frozenset({LA}),
    TeamRole.DESIGNATED_TEACHER: frozenset({LA}),
    TeamRole.NAMED_NURSE: frozenset({HEALTH}),
    TeamRole.DENTIST: frozenset({HEALTH}),
    TeamRole.OPTICIAN: frozenset({HEALTH}),
    TeamRole.SERVICE: frozenset({HEALTH}),
    TeamRole.GP: frozenset({LA, HEALTH}),
}

#: Roles held by lachealth's own users, and the user roles that may hold them.
STAFF_ROLES: dict[str, frozenset[str]] = {
    TeamRole.SOCIAL_WORKER: frozenset({Role.SOCIAL_WORKER}),
    TeamRole.TEAM_MANAGER: frozenset({Role.SOCIAL_WORKER}),
    TeamRole.NAMED_NURSE: frozenset({Role.HEALTH_PRACTITIONER}),
}

#: Roles that several may hold at once.
MANY_AT_A_TIME = frozenset({TeamRole.SERVICE})

#: The order the child's page lists the team in: the LA's people, home, health, education.
ORDER: list[str] = [
    TeamRole.SOCIAL_WORKER,
    TeamRole.TEAM_MANAGER,
    TeamRole.PERSONAL_ADVISER,
    TeamRole.IRO,
    TeamRole.CARER,
    TeamRole.NAMED_NURSE,
    TeamRole.GP,
    TeamRole.DENTIST,
    TeamRole.OPTICIAN,
    TeamRole.SERVICE,
    TeamRole.SCHOOL,
    TeamRole.DESIGNATED_TEACHER,
]

#: Who every looked-after child should have, named on their page when missing.
EXPECTED: list[str] = [TeamRole.SOCIAL_WORKER, TeamRole.CARER, TeamRole.NAMED_NURSE, TeamRole.GP]

GP_CODE = re.compile(r"^[A-Z]\d{5}$")
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
URN = re.compile(r"^(SC)?\d{6,7}$")

#: What the code of each role is, and how it is checked.
CODE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    TeamRole.GP: (GP_CODE, "The GP practice code must be a letter and 5 digits, like B86001"),
    TeamRole.DENTIST: (ODS_CODE, "The ODS code must be 3 to 10 letters and digits, like V012345"),
    TeamRole.OPTICIAN: (ODS_CODE, "The ODS code must be 3 to 10 letters and digits, like TPF75"),
    TeamRole.SCHOOL: (URN, "The URN must be 6 or 7 digits, like 107654"),
    TeamRole.CARER: (URN, "The Ofsted URN must be 6 or 7 digits, or SC and 6 digits"),
}


#: Where the form asks for the person or place when neither name is given, and what it says.
NAME_MISSING: dict[str, tuple[str, str]] = {
    TeamRole.CARER: ("name", "Enter the carer's names, or the name of the home"),
    TeamRole.GP: ("organisation", "Enter the name of the GP practice"),
    TeamRole.DENTIST: ("organisation", "Enter the name of the dental practice"),
    TeamRole.OPTICIAN: ("organisation", "Enter the name of the optician's practice"),
    TeamRole.SCHOOL: ("organisation", "Enter the name of the school or college"),
    TeamRole.SERVICE: ("organisation", "Enter the name of the service, like CAMHS"),
}


@dataclass(frozen=True)
class MemberDetails:
    """What a team form gives: the person or place, how to reach them, and their dates."""

    start: date
    end: date | None = None
    user: Any = None
    name: str = ""
    organisation: str = ""
    code: str = ""
    telephone: str = ""
    email: str = ""
    address: str = ""
    note: str = ""


def role_phrase(role: str) -> str:
    """The role's name inside a sentence: "allocated social worker", but "GP practice"."""
    label = str(TeamRole(role).label)
    return label if label[1:2].isupper() else label[0].lower() + label[1:]


def sides_of(user: Any, child: Child) -> frozenset[str]:
    """The sides (LA, health) for which the user records this child's team."""
    sides = set()
    if access.can_record_care(user, child.responsible_area_id):
        sides.add(LA)
    if access.acts_for_child(user, access.HEALTH_RECORD_ROLES, child):
        sides.add(HEALTH)
    return frozenset(sides)


def roles_recorded_by(user: Any, child: Child) -> list[str]:
    """The roles this user may add to or correct in this child's team, in page order."""
    sides = sides_of(user, child)
    return [role for role in ORDER if RECORDED_BY[role] & sides]


def staff_for(role: str, child: Child) -> QuerySet[User]:
    """lachealth users who may hold a staff role for this child: the LA's social workers for
    a social worker or team manager, a practitioner serving the child for a named nurse."""
    if role == TeamRole.NAMED_NURSE:
        kind = OrganisationKind.HEALTH_PROVIDER
        areas = [a for a in (child.responsible_area_id, child.current_placement_area_id) if a]
    else:
        kind, areas = OrganisationKind.LOCAL_AUTHORITY, [child.responsible_area_id]
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=sorted(STAFF_ROLES[role]),
            memberships__organisation__is_active=True,
            memberships__organisation__kind=kind,
            memberships__organisation__areas__in=areas,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def normalise_telephone(value: str) -> str:
    """A UK telephone number as people write it (0113 496 0000); ValidationError if it is
    not one. A number from abroad keeps its country code."""
    text = value.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a telephone number, like 0113 496 0000") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a telephone number, like 0113 496 0000")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def _is_current(m: TeamMember, as_of: date) -> bool:
    return not m.withdrawn_reason and m.start <= as_of and (m.end is None or m.end >= as_of)


def current_and_earlier(child: Child, as_of: date) -> tuple[list[TeamMember], list[TeamMember]]:
    """The team on `as_of`, in page order (withdrawn members left out); and members who have
    left it, or are yet to join, or were withdrawn as entered in error, newest first."""
    members = list(child.team.select_related("user"))
    now = [m for m in members if _is_current(m, as_of)]
    before = [m for m in members if not _is_current(m, as_of)]
    return (
        sorted(now, key=lambda m: (ORDER.index(m.role), m.start, m.pk)),
        sorted(before, key=lambda m: (m.end or m.start, m.pk), reverse=True),
    )


def current(child: Child, as_of: date) -> list[TeamMember]:
    """The team on `as_of`, in page order (withdrawn members left out)."""
    return current_and_earlier(child, as_of)[0]


def _require(by: Any, child: Child, role: str) -> None:
    if not RECORDED_BY[role] & sides_of(by, child):
        who = {LA: "the child's local authority", HEALTH: "the health team"}
        sides = " or ".join(who[s] for s in sorted(RECORDED_BY[role]))
        raise PermissionDenied(f"Only {sides} record the {role_phrase(role)}")


def _check(child: Child, role: str, details: MemberDetails, as_of: date) -> MemberDetails:
    """The details as they will be saved, or ValidationError naming the field at fault."""
    errors: dict[str, str] = {}
    label = role_phrase(role)
    if role in STAFF_ROLES:
        if details.user is None:
            errors["user"] = f"Choose the {label}"
        elif not staff_for(role, child).filter(pk=details.user.pk).exists():
            errors["user"] = f"{details.user} cannot be this child's {label}"
    elif not (details.name.strip() or details.organisation.strip()):
        field, message = NAME_MISSING.get(role, ("name", "Enter their name"))
        errors[field] = message
    code = details.code.replace(" ", "").upper()
    if code and role in CODE_RULES:
        pattern, message = CODE_RULES[role]
        if not pattern.match(code):
            errors["code"] = message
    elif code:
        errors["code"] = f"The {label} has no ODS code or URN: leave it empty"
    telephone = details.telephone
    try:
        telephone = normalise_telephone(details.telephone)
    except ValidationError as exc:
        errors["telephone"] = exc.messages[0]
    if details.start < child.date_of_birth:
        errors["start"] = (
            f"The start date must be on or after the child's date of birth "
            f"({child.date_of_birth:%-d %B %Y})"
        )
    elif details.start > as_of:
        errors["start"] = "The start date must be today or in the past"
    if details.end is not None:
        if details.end < details.start:
            errors["end"] = "The end date must be on or after the start date"
        elif details.end > as_of:
            errors["end"] = "The end date must be today or in the past"
    if errors:
        raise ValidationError(errors)
    return MemberDetails(
        **(
            asdict(details)
            | {
                "user": details.user if role in STAFF_ROLES else None,
                "name": "" if role in STAFF_ROLES else details.name.strip(),
                "organisation": details.organisation.strip(),
                "code": code,
                "telephone": telephone,
                "email": details.email.strip().lower(),
                "address": details.address.strip(),
                "note": details.note.strip(),
            }
        )
    )


@transaction.atomic
def add_team_member(
    *,
    by: Any,
    child: Child,
    role: str,
    details: MemberDetails,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> TeamMember:
    """Add someone to the team. In a role one person holds, the current holder's time ends
    the day before the new one starts."""
    _require(by, child, role)
    as_of = as_of or timezone.localdate()
    child = Child.objects.select_for_update().get(pk=child.pk)
    checked = _check(child, role, details, as_of)
    if role not in MANY_AT_A_TIME:
        holders = child.team.filter(role=role, withdrawn_reason="").filter(
            Q(end__isnull=True) | Q(end__gte=checked.start)
        )
        for holder in holders:
            if holder.start >= checked.start:
                raise ValidationError(
                    {
                        "start": f"{holder.who} has been the {role_phrase(role)} "
                        f"since {holder.start:%-d %B %Y}: the new one must start after that"
                    }
                )
            holder.end = checked.start - timedelta(days=1)
            save_versioned(holder, by, reason=f"replaced from {checked.start:%-d %B %Y}")
    member = TeamMember(child=child, role=role, **asdict(checked))
    save_versioned(member, by)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=child, detail=f"added {role} to the team"
    )
    return member


@transaction.atomic
def correct_team_member(
    *,
    by: Any,
    member: TeamMember,
    details: MemberDetails,
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> TeamMember:
    """Correct a member's details or dates (or record when they left), saying why."""
    _require(by, member.child, member.role)
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.withdrawn:
        raise ValidationError({"reason": "This entry was withdrawn and cannot be changed"})
    why = correction_reason(reason)
    checked = _check(member.child, member.role, details, as_of or timezone.localdate())
    for name, value in asdict(checked).items():
        setattr(member, name, value)
    save_versioned(member, by, reason=why)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=member.child,
        detail=f"corrected {member.role} in the team",
    )
    return member


@transaction.atomic
def withdraw_team_member(
    *, by: Any, member: TeamMember, reason: str, request: HttpRequest | None = None
) -> TeamMember:
    """Withdraw a member entered in error: kept, with the reason, but no longer in the team."""
    _require(by, member.child, member.role)
    member = withdraw_versioned(member, by, reason)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=member.child,
        detail=f"withdrew {member.role} from the team",
    )
    return member
