"""The demo's hand-offs: notifications in every state, including out-of-area notices into the
receiving area that its team has not acknowledged, referrals at every step, and threads."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from lachealth.care.models import Child
from lachealth.handovers.models import Message, Notification, NotificationStatus, Referral
from lachealth.health.models import AssessmentTeam

AS_OF = date(2026, 11, 23)
CALDERDALE = "E08000033"


def test_the_demo_has_handovers_in_every_state(areas):
    call_command("demo", "--as-of", AS_OF.isoformat(), stdout=StringIO(), stderr=StringIO())
    notifications = Notification.objects.order_by()
    assert set(notifications.values_list("status", flat=True)) == set(NotificationStatus.values)
    waiting = notifications.filter(
        kind="out_of_area", recipient_area=CALDERDALE, recipient_kind="provider", status="sent"
    )
    assert waiting.count() >= 3
    assert any(n.is_overdue(AS_OF) for n in waiting) and not all(
        n.is_overdue(AS_OF) for n in waiting
    )
    assert any(n.is_overdue(AS_OF) for n in notifications.filter(status="awaiting_consent"))
    for n in notifications.exclude(sent_on=None):
        assert n.event_date <= n.sent_on <= AS_OF
        if n.acknowledged_on:
            assert n.sent_on <= n.acknowledged_on <= AS_OF
    assert set(Referral.objects.order_by().values_list("status", flat=True)) == {
        "sent",
        "acknowledged",
        "accepted",
        "declined",
        "seen",
    }
    assert Message.objects.filter(notification__isnull=False).exists()
    # out-of-area teams that accepted took the assessments from the children's own area's
    # team, which was told; every looked-after child long in care has one team
    transfers = notifications.filter(kind="transfer")
    assert transfers.exists()
    for n in transfers:
        assert n.sender != n.recipient
        assert AssessmentTeam.objects.get(child=n.child, until=None).team == n.sender
    long_in_care = Child.objects.filter(looked_after=True, episodes__decom__lt=date(2026, 9, 1))
    assert (
        AssessmentTeam.objects.filter(until=None).count() >= long_in_care.distinct().count() * 0.9
    )
