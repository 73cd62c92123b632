"""The migration that puts review assessments recorded under the old rule on the law's date."""

from __future__ import annotations

import importlib
from datetime import date

from django.apps import apps

from lachealth.health.models import HealthAssessment

from ..conftest import BRADFORD
from ..factories import area, child_in_care

migration = importlib.import_module(
    "lachealth.health.migrations.0005_review_due_on_the_calendar_date"
)


def _assessment(world, child, kind, completed_on, due_on, late=0):  # type: ignore[no-untyped-def]
    return HealthAssessment.objects.create(
        child=child,
        kind=kind,
        completed_on=completed_on,
        provider=world.orgs["prov_a"],
        practitioner=world.users["prov_a_nurse"],
        professional="nurse",
        due_on=due_on,
        working_days_late=late,
        immunisations="yes",
    )


def test_reviews_stored_due_on_the_next_working_day_move_to_the_calendar_date(world):
    child = child_in_care(area(BRADFORD), la_child_id="MIG", date_of_birth=date(2012, 5, 1))
    _assessment(world, child, "IHA", date(2024, 2, 1), date(2024, 2, 7))
    # 1 February 2025 is a Saturday: the old rule stored Monday 3 February, and on time.
    rolled = _assessment(world, child, "RHA", date(2025, 2, 3), date(2025, 2, 3))
    # 3 February 2026 is a Tuesday: nothing to change, nor for a due date set by hand.
    weekday = _assessment(world, child, "RHA", date(2026, 2, 2), date(2026, 2, 3))
    by_hand = _assessment(world, child, "RHA", date(2026, 12, 1), date(2026, 11, 20), 7)
    migration.forwards(apps, None)
    rolled.refresh_from_db()
    assert (rolled.due_on, rolled.working_days_late, rolled.on_time) == (date(2025, 2, 1), 1, False)
    version = rolled.history.get(history_change_reason=migration.REASON)
    assert (version.due_on, version.working_days_late) == (date(2025, 2, 1), 1)
    assert HealthAssessment.objects.get(pk=weekday.pk).due_on == date(2026, 2, 3)
    assert HealthAssessment.objects.get(pk=by_hand.pk).working_days_late == 7
    migration.forwards(apps, None)  # run twice, changes nothing more
    assert HealthAssessment.objects.get(pk=rolled.pk).due_on == date(2025, 2, 1)
    migration.backwards(apps, None)
    rolled.refresh_from_db()
    assert (rolled.due_on, rolled.working_days_late) == (date(2025, 2, 3), 0)
