"""The hand-off side of each user's home page (`people.home`): notifications the team must
acknowledge (and how many are overdue), health requests the LA must send with consent, and
referrals a service must acknowledge or a health team is waiting on. Each count links to its
list."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from lachealth.people import access
from lachealth.people.home import Count, Section, link

from . import selectors


def sections(request: HttpRequest) -> list[Section]:
    user = request.user
    as_of = timezone.localdate()
    counts: list[Count] = []
    if access.receives_handovers(user):
        got = selectors.notification_list(user, box=selectors.RECEIVED, show="open", as_of=as_of)
        counts += [
            Count(
                "Notifications to acknowledge",
                got.counts["open"],
                link("handovers:notification_list", box="received", show="open"),
            ),
            Count(
                "Notifications overdue for acknowledgement",
                got.counts["overdue"],
                link("handovers:notification_list", box="received", show="overdue"),
                urgent=True,
            ),
        ]
    if access.sends_handovers(user):
        sent = selectors.notification_list(user, box=selectors.SENT, show="open", as_of=as_of)
        counts.append(
            Count(
                "Health requests waiting for consent",
                sent.counts["awaiting_consent"],
                link("handovers:notification_list", box="sent", show="awaiting_consent"),
                urgent=True,
            )
        )
    if access.scope_of(user).service_ids:
        counts.append(
            Count(
                "Referrals to acknowledge",
                selectors.referral_list(user, show="unacknowledged").count(),
                link("handovers:referral_list", show="unacknowledged"),
                urgent=True,
            )
        )
    if access.sees_referrals(user):
        counts.append(
            Count(
                "Referrals waiting to be seen",
                selectors.referral_list(user, show="waiting").count(),
                link("handovers:referral_list", show="waiting"),
            )
        )
    return [Section("Hand-offs", counts)]
