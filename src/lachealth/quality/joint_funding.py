"""Joint-funded placements: the split of a child's placement between their council and an
ICB serving their area, recorded by the child's LA staff or the designated professionals
serving them; agreements for one child never overlap."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from lachealth.care.models import Child
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Organisation, OrganisationKind, Role
from lachealth.problems import Problems
from lachealth.versioning import save_versioned

from .models import JointFunding
from .providers import HORIZON, TEXT_MAX, said

#: Health staff who record a child's joint funding (with the child's LA staff).
FUNDING_HEALTH_ROLES = frozenset({Role.DESIGNATED_PROFESSIONAL})
#: How far ahead an agreement may be agreed to end (it is reviewed before then).
FUNDING_HORIZON_YEARS = 5


FURTHEST_END_MESSAGE = f"The end date must be within {FUNDING_HORIZON_YEARS} years of today"


def _furthest_end(as_of: date) -> date:
    return as_of + timedelta(days=365 * FUNDING_HORIZON_YEARS)


def may_record_funding(user: Any, child: Child, icb: Organisation | None = None) -> bool:
    """The child's LA staff, and designated professionals serving the child; these only for
    an agreement of their own ICB (a designated professional of the area a child is placed
    in never commits another ICB's money)."""
    if child.responsible_area_id in access.areas_for(user, access.LA_CHILD_ROLES):
        return True
    if not access.acts_for_child(user, FUNDING_HEALTH_ROLES, child):
        return False
    return icb is None or icb.pk in access.organisations_for(user, FUNDING_HEALTH_ROLES)


def council_for(child: Child, by: Any = None) -> Organisation | None:
    """The child's LA: the local authority serving their responsible area (the user's own
    where several do)."""
    councils = Organisation.objects.filter(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        areas=child.responsible_area_id,
        is_active=True,
    ).order_by("pk")
    own = access.organisations_for(by, access.LA_CHILD_ROLES) if by is not None else frozenset()
    return next((c for c in councils if c.pk in own), None) or councils.first()


def icbs_for(child: Child) -> QuerySet[Organisation]:
    """The ICBs serving the child's responsible area: one of them funds with the council."""
    return Organisation.objects.filter(
        kind=OrganisationKind.ICB, areas=child.responsible_area_id, is_active=True
    ).order_by("name")


def current_funding(child: Child, as_of: date) -> JointFunding | None:
    """The agreement in force on `as_of`, or else the next to start."""
    found = child.joint_fundings.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))  # type: ignore[attr-defined]
    return found.filter(starts_on__lte=as_of).first() or found.order_by("starts_on").first()


def _describe(funding: JointFunding) -> str:
    ends = f"to {said(funding.ends_on)}" if funding.ends_on else "with no end date"
    return f"The agreement from {said(funding.starts_on)} {ends}"


def record_joint_funding(
    *,
    by: Any,
    child: Child,
    icb: Organisation,
    starts_on: date,
    ends_on: date | None,
    council_share: int,
    council_responsibilities: str,
    icb_responsibilities: str,
    agreed_on: date,
    as_of: date,
    request: HttpRequest | None = None,
) -> JointFunding:
    """Record the split the council and the ICB agreed for the child's placement."""
    if not may_record_funding(by, child, icb):
        raise PermissionDenied(
            "The child's LA staff and the designated professionals serving them record joint "
            "funding"
        )
    problems = Problems()
    council = council_for(child, by)
    if council is None:
        problems.add(None, f"No local authority on lachealth serves {child.responsible_area}")
    if not icbs_for(child).filter(pk=icb.pk).exists():
        problems.add(
            "icb",
            f"{icb.name} does not serve {child.responsible_area}: choose an ICB serving the "
            "child's responsible area",
        )
    if not 0 <= council_share <= 100:
        problems.add("council_share", "The council's share must be between 0 and 100%")
    for field, text, whose in (
        ("council_responsibilities", council_responsibilities, "the council"),
        ("icb_responsibilities", icb_responsibilities, "the ICB"),
    ):
        if not text.strip():
            problems.add(field, f"Say what {whose} is responsible for")
        elif len(text) > TEXT_MAX:
            problems.add(
                field, f"What {whose} is responsible for must be {TEXT_MAX} characters or fewer"
            )
    if starts_on < child.date_of_birth:
        problems.add("starts_on", "The start date must be on or after the child's date of birth")
    elif starts_on > as_of + HORIZON:
        problems.add("starts_on", "The start date must be within 2 years of today")
    if ends_on is not None and ends_on < starts_on:
        problems.add(
            "ends_on", f"The end date must be on or after the start date, {said(starts_on)}"
        )
    elif ends_on is not None and ends_on > _furthest_end(as_of):
        problems.add("ends_on", FURTHEST_END_MESSAGE)
    if agreed_on > as_of:
        problems.add("agreed_on", "The date agreed must be today or in the past")
    elif agreed_on < child.date_of_birth:
        problems.add("agreed_on", "The date agreed must be on or after the child's date of birth")
    problems.raise_any()
    with transaction.atomic():
        Child.objects.select_for_update().filter(pk=child.pk).first()  # one writer at a time
        overlapping = child.joint_fundings.filter(  # type: ignore[attr-defined]
            Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
        )
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=ends_on)
        clash = overlapping.order_by("starts_on").first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": f"{_describe(clash)} overlaps this one: end it first, or "
                    "date this one after it"
                }
            )
        funding = JointFunding(
            child=child,
            council=council,
            icb=icb,
            starts_on=starts_on,
            ends_on=ends_on,
            council_share=council_share,
            council_responsibilities=council_responsibilities.strip(),
            icb_responsibilities=icb_responsibilities.strip(),
            agreed_on=agreed_on,
            recorded_by=by,
        )
        save_versioned(funding, by, reason="agreed")
        audit.record(
            request,
            AccessAction.CREATE,
            user=by,
            child=child,
            detail=f"recorded joint funding from {starts_on.isoformat()}",
        )
    return funding


def end_joint_funding(
    *,
    by: Any,
    funding: JointFunding,
    ends_on: date,
    as_of: date,
    request: HttpRequest | None = None,
) -> JointFunding:
    """End an agreement with no end date (or bring its end forward)."""
    child = funding.child
    if not may_record_funding(by, child, funding.icb):
        raise PermissionDenied(
            "The child's LA staff and the designated professionals serving them record joint "
            "funding"
        )
    with transaction.atomic():
        funding = JointFunding.objects.select_for_update().get(pk=funding.pk)
        problems = Problems()
        if funding.ends_on is not None and funding.ends_on < as_of:
            problems.add("ends_on", f"This agreement already ended on {said(funding.ends_on)}")
        elif funding.ends_on is not None and ends_on > funding.ends_on:
            problems.add(
                "ends_on",
                f"The end date must be on or before {said(funding.ends_on)}, the end agreed: "
                "record a new agreement to go on after it",
            )
        elif ends_on < funding.starts_on:
            problems.add(
                "ends_on",
                f"The end date must be on or after the start date, {said(funding.starts_on)}",
            )
        elif ends_on > _furthest_end(as_of):
            problems.add("ends_on", FURTHEST_END_MESSAGE)
        problems.raise_any()
        funding.ends_on = ends_on
        save_versioned(funding, by, reason=f"ended on {ends_on.isoformat()}")
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            child=child,
            detail=f"ended joint funding on {ends_on.isoformat()}",
        )
    return funding
