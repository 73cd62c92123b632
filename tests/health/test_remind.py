"""`lachealth remind`: one digest a day per team mailbox and practitioner, naming no child."""

from __future__ import annotations

from io import StringIO

import time_machine
from django.core.management import call_command

from lachealth.health.models import DigestSent


def test_daily_digest_is_sent_once_and_names_no_child(world, mailoutbox):
    world.orgs["prov_a"].team_email = "lac.team@example.nhs.uk"
    world.orgs["prov_a"].save()
    nurse = world.users["prov_a_nurse"]
    nurse.email = "nurse@example.nhs.uk"
    nurse.save()
    with time_machine.travel("2024-02-12 07:00 +0000", tick=False):  # IHAs now overdue
        call_command("remind", stdout=StringIO(), stderr=StringIO())
        recipients = sorted(r for m in mailoutbox for r in m.to)
        assert "lac.team@example.nhs.uk" in recipients and "nurse@example.nhs.uk" in recipients
        team = next(m for m in mailoutbox if m.to == ["lac.team@example.nhs.uk"])
        assert "Overdue: 4" in team.body and "/worklist/" in team.body  # 2 IHAs, 2 SDQs
        for message in mailoutbox:
            for child in world.children.values():
                assert child.last_name not in message.body + message.subject
                assert child.la_child_id not in message.body
        count = len(mailoutbox)
        out = StringIO()
        call_command("remind", stdout=out, stderr=StringIO())
        assert len(mailoutbox) == count
        assert f"{count} already sent today" in out.getvalue()
    assert DigestSent.objects.count() == count


def test_no_digest_when_nothing_is_due(world, mailoutbox):
    world.orgs["prov_a"].team_email = "lac.team@example.nhs.uk"
    world.orgs["prov_a"].save()
    with time_machine.travel("2023-06-01 07:00 +0000", tick=False):  # before anyone is in care
        call_command("remind", stdout=StringIO(), stderr=StringIO())
    assert mailoutbox == []
