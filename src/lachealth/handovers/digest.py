"""The daily digest of hand-offs: for each team that receives notifications, sends them or takes
referrals, what is new and what is overdue, e-mailed to the team mailbox and the designated
professionals of its area. Counts and a link only: never a child's name or identifier.

Run by `lachealth remind` with the health clocks' digest; a recipient gets one a day, and only
on a day when something is new or overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from lachealth.mail import send_once
from lachealth.people.models import Membership, Organisation, OrganisationKind, Role

from .models import (
    HandoverDigestSent,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    unacknowledged_overdue,
    unsent_overdue,
)


@dataclass(frozen=True)
class Digest:
    organisation: Organisation
    lines: tuple[tuple[str, int], ...]  # (what, how many), in the order the e-mail says them
    link: str
    urgent: int  # new or overdue: a digest goes only when this is above nought

    @property
    def subject(self) -> str:
        return f"lachealth: {self.urgent} new or overdue hand-off{'s' if self.urgent != 1 else ''}"

    def body(self) -> str:
        return "\n".join(
            [
                f"{self.organisation.name}: notifications and referrals today.",
                "",
                *(f"{what}: {count}" for what, count in self.lines),
                "",
                f"Open them: {settings.SITE_URL}{self.link}",
                "",
                "This e-mail never names a child. Sign in to see who needs what.",
            ]
        )


def _by(rows: Iterable[dict[str, Any]], key: str) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in rows}


def digests(as_of: date) -> list[Digest]:
    """Every team's digest for `as_of` (empty ones left out). "New" means since yesterday."""
    yesterday = as_of - timedelta(days=1)
    sent = Q(status=NotificationStatus.SENT)
    overdue = unacknowledged_overdue(as_of)
    received = _by(
        Notification.objects.filter(recipient__isnull=False)
        .values("recipient_id")
        .annotate(
            new=Count("pk", filter=Q(sent_on__gte=yesterday)),
            waiting=Count("pk", filter=sent),
            overdue=Count("pk", filter=overdue),
        )
        .order_by(),
        "recipient_id",
    )
    unsent = Q(status=NotificationStatus.AWAITING_CONSENT)
    sending = _by(
        Notification.objects.filter(sender__isnull=False)
        .values("sender_id")
        .annotate(
            to_send=Count("pk", filter=unsent),
            to_send_overdue=Count("pk", filter=unsent_overdue(as_of)),
            unacknowledged_overdue=Count("pk", filter=overdue),
            rejected=Count("pk", filter=Q(rejected_on__gte=yesterday)),
        )
        .order_by(),
        "sender_id",
    )
    referred = _by(
        Referral.objects.values("service_id")
        .annotate(
            new=Count("pk", filter=Q(referred_on__gte=yesterday)),
            unacknowledged=Count("pk", filter=Q(status=ReferralStatus.SENT)),
            undecided=Count(
                "pk", filter=Q(status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED])
            ),
        )
        .order_by(),
        "service_id",
    )
    organisations = Organisation.objects.filter(
        is_active=True, pk__in={*received, *sending, *referred}
    ).order_by("name")
    notifications = reverse("handovers:notification_list")
    found = []
    for organisation in organisations:
        if organisation.pk in received:
            r = received[organisation.pk]
            found.append(
                Digest(
                    organisation,
                    (
                        ("New notifications", r["new"]),
                        ("Awaiting your acknowledgement", r["waiting"]),
                        ("Overdue for acknowledgement", r["overdue"]),
                    ),
                    f"{notifications}?box=received",
                    r["new"] + r["overdue"],
                )
            )
        if organisation.pk in sending:
            s = sending[organisation.pk]
            found.append(
                Digest(
                    organisation,
                    (
                        ("Health requests waiting for consent", s["to_send"]),
                        ("Of those, past the day they were due to be sent", s["to_send_overdue"]),
                        ("Sent, not acknowledged in time", s["unacknowledged_overdue"]),
                        ("Rejected since yesterday", s["rejected"]),
                    ),
                    f"{notifications}?box=sent",
                    s["to_send_overdue"] + s["unacknowledged_overdue"] + s["rejected"],
                )
            )
        if organisation.pk in referred:
            f = referred[organisation.pk]
            found.append(
                Digest(
                    organisation,
                    (
                        ("New referrals", f["new"]),
                        ("Not yet acknowledged", f["unacknowledged"]),
                        ("Waiting for a decision", f["undecided"]),
                    ),
                    reverse("handovers:referral_list"),
                    f["new"] + f["unacknowledged"],
                )
            )
    return [d for d in found if d.urgent]


def recipients(organisation: Organisation) -> list[str]:
    """The team mailbox, and the designated professionals of the organisation or of an ICB
    or provider serving its areas (services: the team mailbox only)."""
    found = [organisation.team_email] if organisation.team_email else []
    if organisation.kind != OrganisationKind.SERVICE:
        areas = organisation.areas.values("code")
        designated = (
            Membership.objects.filter(
                role=Role.DESIGNATED_PROFESSIONAL,
                is_active=True,
                user__is_active=True,
                organisation__is_active=True,
            )
            .filter(Q(organisation=organisation) | Q(organisation__areas__in=areas))
            .exclude(user__email="")
            .values_list("user__email", flat=True)
            .distinct()
        )
        found += sorted(designated)
    return list(dict.fromkeys(found))


def send_digests(
    as_of: date, *, progress: Callable[[list[Digest]], Iterable[Digest]] | None = None
) -> tuple[int, int]:
    """E-mail every team's hand-off digest for `as_of`; returns (sent, already sent before)."""
    found = digests(as_of)
    sent = skipped = 0
    for digest in progress(found) if progress else found:
        for recipient in recipients(digest.organisation):
            if send_once(
                partial(
                    HandoverDigestSent.objects.create,
                    recipient=recipient,
                    organisation=digest.organisation,
                    box=digest.link,
                    sent_on=as_of,
                    counts=dict(digest.lines),
                ),
                digest.subject,
                digest.body(),
                recipient,
            ):
                sent += 1
            else:
                skipped += 1
    return sent, skipped
