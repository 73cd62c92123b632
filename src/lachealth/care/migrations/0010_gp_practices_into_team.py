"""Each child's GP practice, recorded until now on the child, becomes the GP practice of
their team, from the day their first period of care began (or their birth, if none), with a
version saying why."""

from django.db import migrations
from django.utils import timezone

REASON = "GP practice moved from the child's details into the team around the child"


def move_gp_into_team(apps, schema_editor):
    Child = apps.get_model("care", "Child")
    TeamMember = apps.get_model("care", "TeamMember")
    Historical = apps.get_model("care", "HistoricalTeamMember")
    children = Child.objects.exclude(gp_practice_code="", gp_practice_name="")
    now = timezone.now()
    for child in children.iterator():
        first = child.episodes.order_by("decom").values_list("decom", flat=True).first()
        member = TeamMember.objects.create(
            child=child,
            role="gp",
            organisation=child.gp_practice_name,
            code=child.gp_practice_code.replace(" ", "").upper(),
            start=first or child.date_of_birth,
        )
        Historical.objects.create(
            id=member.pk,
            child_id=child.pk,
            role="gp",
            organisation=member.organisation,
            code=member.code,
            start=member.start,
            name="",
            telephone="",
            email="",
            address="",
            note="",
            withdrawn_reason="",
            history_date=now,
            history_type="+",
            history_change_reason=REASON,
        )


def put_gp_back(apps, schema_editor):
    Child = apps.get_model("care", "Child")
    TeamMember = apps.get_model("care", "TeamMember")
    for member in TeamMember.objects.filter(role="gp", end__isnull=True, withdrawn_reason=""):
        Child.objects.filter(pk=member.child_id).update(
            gp_practice_name=member.organisation[:150], gp_practice_code=member.code[:8]
        )


class Migration(migrations.Migration):
    dependencies = [("care", "0009_team_around_the_child")]

    operations = [migrations.RunPython(move_gp_into_team, put_gp_back)]
