"""The daily hand-off digest: new and overdue counts to each team mailbox and its designated
professionals, once a day, naming no child."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from lachealth.handovers.models import HandoverDigestSent

from ..conftest import CALDERDALE
from .helpers import enter_care


def handoffs(mailoutbox, to: str) -> list:  # type: ignore[no-untyped-def]
    """The hand-off digests sent to `to` (the health clocks' digest goes to team mailboxes too)."""
    return [m for m in mailoutbox if m.to == [to] and "hand-off" in m.subject]


def remind(day: str) -> str:
    out = StringIO()
    call_command("remind", "--date", day, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_digest_tells_each_team_and_its_designated_professional_and_names_no_child(
    world, mailoutbox
):
    for key, mailbox in (("prov_c", "lac.calderdale@example.nhs.uk"), ("la_a", "lac@la-a.example")):
        world.orgs[key].team_email = mailbox
        world.orgs[key].save()
    designated = world.users["icb_designated"]
    designated.email = "designated@icb.example.nhs.uk"
    designated.save()
    child = enter_care(
        world,
        placed=CALDERDALE,
        as_of=date(2026, 11, 23),
        la_child_id="DIG1",
        first_name="Zed",
        last_name="Quillfeather",
        nhs_number="9990000018",
    )
    remind("2026-11-24")  # the day after: the notice is new
    provider = handoffs(mailoutbox, "lac.calderdale@example.nhs.uk")
    assert len(provider) == 1 and "New notifications: 1" in provider[0].body
    assert "/notifications/?box=received" in provider[0].body
    # The ICB's own notice and Provider C's both reach the ICB's designated nurse.
    assert len(handoffs(mailoutbox, "designated@icb.example.nhs.uk")) == 2
    for message in mailoutbox:
        for secret in (child.first_name, child.last_name, child.la_child_id, child.nhs_number):
            assert secret not in message.subject + message.body
    mailoutbox.clear()
    out = remind("2026-12-07")  # past the 5 working days, nobody acknowledged
    (provider,) = handoffs(mailoutbox, "lac.calderdale@example.nhs.uk")
    assert "Overdue for acknowledgement: 1" in provider.body
    (la,) = handoffs(mailoutbox, "lac@la-a.example")
    assert "Sent, not acknowledged in time: 2" in la.body  # to Provider C and to the ICB
    assert "Health requests waiting for consent: 1" in la.body
    count = sum("hand-off" in m.subject for m in mailoutbox)
    before = len(mailoutbox)
    again = remind("2026-12-07")
    assert len(mailoutbox) == before and f"hand-offs: 0 digests sent, {count} already" in again
    assert "hand-offs: " in out
    assert HandoverDigestSent.objects.filter(sent_on=date(2026, 12, 7)).count() == count


def test_no_hand_off_digest_on_a_quiet_day(world, mailoutbox):
    world.orgs["prov_a"].team_email = "lac.team@example.nhs.uk"
    world.orgs["prov_a"].save()
    remind("2026-11-24")
    assert not HandoverDigestSent.objects.exists()
