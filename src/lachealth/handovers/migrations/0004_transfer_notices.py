"""Transfer notices (a team took a child's health assessments from another), and the team
that arranges each looked-after child's assessments today: the one that last accepted an
assessment request for them, else the provider of their latest assessment."""

from django.db import migrations, models


def record_assessment_teams(apps, schema_editor):
    Notification = apps.get_model("handovers", "Notification")
    HealthAssessment = apps.get_model("health", "HealthAssessment")
    AssessmentTeam = apps.get_model("health", "AssessmentTeam")
    taken = set(
        AssessmentTeam.objects.filter(until__isnull=True).values_list("child_id", flat=True)
    )
    teams = {}
    for child_id, team_id, on, kind in (
        Notification.objects.filter(
            assessment_accepted_on__isnull=False,
            recipient_kind="provider",
            recipient__isnull=False,
            child__looked_after=True,
        )
        .order_by("assessment_accepted_on", "pk")
        .values_list("child_id", "recipient_id", "assessment_accepted_on", "kind")
    ):
        teams[child_id] = (team_id, on, kind)
    for child_id, team_id, on in (
        HealthAssessment.objects.filter(withdrawn_reason="", child__looked_after=True)
        .exclude(child_id__in=list(teams))
        .order_by("completed_on", "pk")
        .values_list("child_id", "provider_id", "completed_on")
    ):
        teams[child_id] = (team_id, on, "earlier")
    AssessmentTeam.objects.bulk_create(
        AssessmentTeam(child_id=child_id, team_id=team_id, since=on, how=how)
        for child_id, (team_id, on, how) in teams.items()
        if child_id not in taken
    )


class Migration(migrations.Migration):
    dependencies = [
        ("handovers", "0003_longer_change_reasons"),
        ("health", "0010_assessment_teams"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalnotification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("health_request", "Health request"),
                    ("move", "Change of placement"),
                    ("legal_status", "Change of legal status"),
                    ("out_of_area", "Out-of-area placement"),
                    ("leaving_care", "Leaving care"),
                    ("transfer", "Health assessments taken over"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("health_request", "Health request"),
                    ("move", "Change of placement"),
                    ("legal_status", "Change of legal status"),
                    ("out_of_area", "Out-of-area placement"),
                    ("leaving_care", "Leaving care"),
                    ("transfer", "Health assessments taken over"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(record_assessment_teams, migrations.RunPython.noop),
    ]
