"""Every read of hand-offs a page needs, with the access policy applied (`access.notification_q`,
`access.referral_q`): a user reaches only what their organisation sent or received."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from lachealth.care import team
from lachealth.care.models import Child, TeamMember
from lachealth.health import ownership, status
from lachealth.health import selectors as health_selectors
from lachealth.health.models import ActionStatus, AssessmentTeam, HealthPlanAction
from lachealth.people import access
from lachealth.people.models import Organisation, OrganisationKind

from . import rules
from .models import (
    WAITING_STATUSES,
    HandoverSettings,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    unacknowledged_overdue,
    unsent_overdue,
)


def settings_for(area_codes: Iterable[str]) -> dict[str, rules.Settings]:
    """Each area's hand-off settings: its own where it set them, DOMAIN.md's defaults if not."""
    codes = set(area_codes)
    found = {s.area_id: s.rules() for s in HandoverSettings.objects.filter(area_id__in=codes)}
    return {code: found.get(code) or rules.Settings() for code in codes}


def serving(kind: str, area_codes: Iterable[str]) -> dict[str, int]:
    """The active organisation of `kind` that serves each area (the first by name if several)."""
    through = Organisation.areas.through
    rows = (
        through.objects.filter(
            area_id__in=set(area_codes), organisation__kind=kind, organisation__is_active=True
        )
        .order_by("organisation__name", "organisation_id")
        .values_list("area_id", "organisation_id")
    )
    found: dict[str, int] = {}
    for area, organisation in rows:
        found.setdefault(area, organisation)
    return found


RECEIVED, SENT = "received", "sent"
#: The notification lists' filters, as the page names them.
NOTIFICATION_FILTERS = {
    "open": "Waiting for someone to act",
    "awaiting_consent": "Health requests waiting for consent",
    "overdue": "Overdue",
    "acknowledged": "Acknowledged",
    "rejected": "Rejected",
    "no_recipient": "No team on lachealth to send to",
    "all": "All",
}


def notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(access.notification_q(user))


def boxes(user: Any) -> list[str]:
    """Which lists the user has: received (providers, ICBs) and/or sent (LAs)."""
    found = []
    if access.receives_handovers(user):
        found.append(RECEIVED)
    if access.sends_handovers(user):
        found.append(SENT)
    return found


def _box(user: Any, box: str) -> QuerySet[Notification]:
    if box == RECEIVED:
        return notifications(user).filter(
            recipient_id__in=sorted(access.receives_handovers(user)), sent_on__isnull=False
        )
    return notifications(user).filter(sender_id__in=sorted(access.sends_handovers(user)))


@dataclass(frozen=True)
class NotificationList:
    rows: QuerySet[Notification]
    counts: dict[str, int]


def notification_list(user: Any, *, box: str, show: str, as_of: date) -> NotificationList:
    """One box's notifications under one filter, with the count under every filter (one query)."""
    base = _box(user, box)
    open_q = Q(status__in=[NotificationStatus.SENT, NotificationStatus.AWAITING_CONSENT])
    filters = {
        "open": open_q,
        "awaiting_consent": Q(status=NotificationStatus.AWAITING_CONSENT),
        "overdue": unacknowledged_overdue(as_of) | unsent_overdue(as_of),
        "acknowledged": Q(status=NotificationStatus.ACKNOWLEDGED),
        "rejected": Q(status=NotificationStatus.REJECTED),
        "no_recipient": Q(status=NotificationStatus.NO_RECIPIENT),
    }
    counts = base.aggregate(
        all=Count("pk"), **{name: Count("pk", filter=q) for name, q in filters.items()}
    )
    rows = base.filter(filters[show]) if show in filters else base
    soonest_first = show in ("open", "overdue")
    order = ["acknowledge_by", "send_by", "pk"] if soonest_first else ["-event_date", "-pk"]
    rows = rows.select_related(
        "child", "child__responsible_area", "recipient", "recipient_area", "sender"
    ).order_by(*order)
    return NotificationList(rows=rows, counts=counts)


def visible_notification(user: Any, pk: int) -> Notification:
    """A notification the user may see, else 404: another team's, whatever the URL."""
    return get_object_or_404(
        notifications(user).select_related(
            "child",
            "child__responsible_area",
            "child__current_placement_area",
            "recipient",
            "recipient_area",
            "sender",
            "acknowledged_by",
            "rejected_by",
            "sent_by",
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class Contact:
    role: str
    organisation: Organisation | None

    @property
    def text(self) -> str:
        if self.organisation is None:
            return "No organisation on lachealth"
        mailbox = self.organisation.team_email
        return f"{self.organisation.name}" + (f" ({mailbox})" if mailbox else "")


@dataclass(frozen=True)
class Package:
    """What the receiving team needs to take a child on: contacts, clocks and the plan."""

    contacts: list[Contact]
    team: list[TeamMember]
    clocks: list[status.Clock]
    actions: list[HealthPlanAction]
    next_assessment: status.Clock | None
    #: the team that arranges the child's health assessments now, if one does
    assessment_team: AssessmentTeam | None = None


def package(notification: Notification, *, as_of: date) -> Package:
    child = notification.child
    area = child.responsible_area_id
    la = serving(OrganisationKind.LOCAL_AUTHORITY, [area]).get(area)
    icb = serving(OrganisationKind.ICB, [area]).get(area)
    provider = serving(OrganisationKind.HEALTH_PROVIDER, [area]).get(area)
    found = Organisation.objects.in_bulk([pk for pk in (la, icb, provider) if pk])
    running = status.child_clocks(health_selectors.child_facts(child), as_of)
    assessments = [c for c in running if c.code in ("IHA", "RHA")]
    return Package(
        contacts=[
            Contact("Responsible local authority", found.get(la) if la else None),
            Contact("Responsible ICB (pays for assessments)", found.get(icb) if icb else None),
            Contact(
                "Responsible area's LAC health team", found.get(provider) if provider else None
            ),
        ],
        team=team.current(child, as_of),
        clocks=running,
        actions=referrable_actions(child),
        next_assessment=assessments[0] if assessments else None,
        assessment_team=ownership.current(child),
    )


def referrals(user: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(access.referral_q(user))


REFERRAL_FILTERS = {
    "waiting": "Waiting to be seen",
    "unacknowledged": "Not yet acknowledged",
    "declined": "Declined",
    "seen": "Seen",
    "all": "All",
}


def referral_list(user: Any, *, show: str) -> QuerySet[Referral]:
    rows = referrals(user)
    if show == "waiting":
        rows = rows.filter(status__in=WAITING_STATUSES)
    elif show == "unacknowledged":
        rows = rows.filter(status=ReferralStatus.SENT)
    elif show in (ReferralStatus.DECLINED, ReferralStatus.SEEN):
        rows = rows.filter(status=show)
    return rows.select_related("child", "service", "referrer").order_by("referred_on", "pk")


def visible_referral(user: Any, pk: int) -> Referral:
    return get_object_or_404(
        referrals(user).select_related(
            "child", "child__responsible_area", "service", "referrer", "referred_by", "action"
        ),
        pk=pk,
    )


def services_for(child: Child) -> QuerySet[Organisation]:
    """Services that take referrals where the child lives or where their LA is."""
    areas = [a for a in (child.current_placement_area_id, child.responsible_area_id) if a]
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.SERVICE, is_active=True, areas__code__in=areas
        )
        .distinct()
        .order_by("name")
    )


def referrable_action(user: Any, pk: int) -> HealthPlanAction:
    """A health plan action of a child the user sees, to refer from (else 404)."""
    return get_object_or_404(
        HealthPlanAction.objects.filter(child__in=Child.objects.visible_to(user)).select_related(
            "child", "child__responsible_area", "owner"
        ),
        pk=pk,
    )


def referrable_actions(child: Child) -> list[HealthPlanAction]:
    """The child's open health plan actions, each of which may lead to a referral."""
    return list(
        HealthPlanAction.objects.filter(child=child, status=ActionStatus.OPEN)
        .select_related("owner")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class ChildHandovers:
    notifications: list[Notification]
    referrals: list[Referral]


def child_handovers(user: Any, child: Child) -> ChildHandovers:
    """The hand-offs about a child that the user's organisation is party to, with threads."""
    return ChildHandovers(
        notifications=list(
            notifications(user)
            .filter(child=child)
            .select_related("recipient", "recipient_area", "sender")
            .prefetch_related("messages__organisation", "messages__author")
            .order_by("event_date", "pk")
        ),
        referrals=list(
            referrals(user)
            .filter(child=child)
            .select_related("service", "referrer")
            .prefetch_related("messages__organisation", "messages__author")
            .order_by("referred_on", "pk")
        ),
    )
