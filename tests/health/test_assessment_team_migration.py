"""The migration that records which team arranges each looked-after child's assessments:
the team that last accepted an assessment request, else the provider of the latest
assessment; children looked after no longer, or with neither, get none."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ..conftest import BRADFORD, CALDERDALE
from ..factories import ensure_areas

BEFORE = [("handovers", "0003_longer_change_reasons"), ("health", "0010_assessment_teams")]
AFTER = [("handovers", "0004_transfer_notices")]


@pytest.mark.django_db(transaction=True)
def test_each_looked_after_child_gets_the_team_that_last_took_them_on():
    ensure_areas()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Child = old.get_model("care", "Child")
    Organisation = old.get_model("people", "Organisation")
    User = old.get_model("people", "User")
    Notification = old.get_model("handovers", "Notification")
    Assessment = old.get_model("health", "HealthAssessment")
    nurse = User.objects.create(username="nurse")
    bradford = Organisation.objects.create(name="Bradford LAC health", kind="PROVIDER")
    calderdale = Organisation.objects.create(name="Calderdale LAC health", kind="PROVIDER")

    def child(ref: str, looked_after: bool = True):  # type: ignore[no-untyped-def]
        return Child.objects.create(
            la_child_id=ref,
            date_of_birth=date(2015, 6, 1),
            sex="F",
            ethnicity="WBRI",
            responsible_area_id=BRADFORD,
            current_placement_area_id=CALDERDALE,
            looked_after=looked_after,
        )

    def accepted(who, kind, org, on):  # type: ignore[no-untyped-def]
        Notification.objects.create(
            child=who,
            kind=kind,
            episode_start=date(2026, 1, 5),
            event_date=date(2026, 1, 5),
            recipient_kind="provider",
            recipient_area_id=BRADFORD if org == bradford else CALDERDALE,
            recipient=org,
            status="acknowledged",
            send_by=date(2026, 1, 8),
            assessment_accepted_on=on,
        )

    def assessed(who, org, on):  # type: ignore[no-untyped-def]
        Assessment.objects.create(
            child=who,
            kind="IHA",
            completed_on=on,
            provider=org,
            practitioner=nurse,
            professional="medical",
            due_on=on,
            immunisations="yes",
        )

    both = child("T1")
    accepted(both, "health_request", bradford, date(2026, 1, 6))
    accepted(both, "out_of_area", calderdale, date(2026, 3, 2))
    assessed(both, bradford, date(2026, 6, 1))  # a request accepted outranks an assessment
    only_assessed = child("T2")
    assessed(only_assessed, bradford, date(2025, 4, 1))
    assessed(only_assessed, calderdale, date(2026, 2, 3))
    left = child("T3", looked_after=False)
    accepted(left, "health_request", bradford, date(2026, 1, 6))
    child("T4")  # nothing to go on
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    teams = {
        t.child_id: (t.team_id, t.since, t.how, t.until)
        for t in new.get_model("health", "AssessmentTeam").objects.all()
    }
    assert teams == {
        both.pk: (calderdale.pk, date(2026, 3, 2), "out_of_area", None),
        only_assessed.pk: (calderdale.pk, date(2026, 2, 3), "earlier", None),
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
