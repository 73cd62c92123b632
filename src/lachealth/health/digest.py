"""The daily digest of due-soon and overdue clocks, for each provider's team mailbox and
practitioners. It carries counts and a link only: no child's name or identifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.urls import reverse

from lachealth.mail import send_once
from lachealth.people.models import Membership, Organisation, OrganisationKind, Role

from . import selectors
from .clocks import ClockState
from .models import DigestSent


@dataclass(frozen=True)
class Digest:
    recipient: str
    organisation: Organisation
    overdue: int
    due_soon: int
    mine_overdue: int | None = None  # for a practitioner: children booked with them
    mine_due_soon: int | None = None

    def body(self) -> str:
        link = settings.SITE_URL + reverse("health:worklist")
        lines = [
            f"{self.organisation.name}: statutory health clocks on your worklist today.",
            "",
            f"Overdue: {self.overdue}",
            f"Due within 10 working days: {self.due_soon}",
        ]
        if self.mine_overdue is not None:
            lines += [
                "",
                "Of those, for children booked with you:",
                f"Overdue: {self.mine_overdue}",
                f"Due soon: {self.mine_due_soon}",
            ]
        lines += [
            "",
            f"Open the worklist: {link}",
            "",
            "This e-mail never names a child. Sign in to see who needs what.",
        ]
        return "\n".join(lines)


def digests_for(provider: Organisation, as_of: date) -> list[Digest]:
    areas = frozenset(provider.areas.values_list("code", flat=True))
    rows = [
        r
        for r in selectors.clock_rows(selectors.served_children(areas), areas, as_of=as_of)
        if r.clock.status.state in (ClockState.OVERDUE, ClockState.DUE_SOON)
    ]
    overdue = sum(r.clock.status.state == ClockState.OVERDUE for r in rows)
    due_soon = len(rows) - overdue
    if not rows:
        return []
    result = []
    if provider.team_email:
        result.append(Digest(provider.team_email, provider, overdue, due_soon))
    practitioners = (
        Membership.objects.filter(
            organisation=provider,
            is_active=True,
            role=Role.HEALTH_PRACTITIONER,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
    )
    for membership in practitioners:
        mine = [r for r in rows if r.next_practitioner_id == membership.user_id]
        mine_overdue = sum(r.clock.status.state == ClockState.OVERDUE for r in mine)
        result.append(
            Digest(
                membership.user.email,
                provider,
                overdue,
                due_soon,
                mine_overdue,
                len(mine) - mine_overdue,
            )
        )
    return result


def send_digests(as_of: date, *, progress=None) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """E-mail every provider's digests for `as_of`; returns (sent, already sent before)."""
    providers = list(
        Organisation.objects.filter(kind=OrganisationKind.HEALTH_PROVIDER, is_active=True).order_by(
            "name"
        )
    )
    sent = skipped = 0
    for provider in progress(providers) if progress else providers:
        for digest in digests_for(provider, as_of):
            if send_once(
                partial(
                    DigestSent.objects.create,
                    recipient=digest.recipient,
                    organisation=provider,
                    sent_on=as_of,
                    overdue=digest.overdue,
                    due_soon=digest.due_soon,
                ),
                f"lachealth: {digest.overdue} overdue, {digest.due_soon} due soon",
                digest.body(),
                digest.recipient,
            ):
                sent += 1
            else:
                skipped += 1
    return sent, skipped
