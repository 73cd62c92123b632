"""What the QA tests share: completed assessments of the world's children in the quarter
July to September 2026, by practitioners of two teams, and a date after it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from lachealth.health.models import HealthAssessment
from lachealth.people.models import Role

from ..factories import MembershipFactory

AS_OF = date(2026, 12, 2)
QUARTER = (date(2026, 7, 1), date(2026, 9, 30))


@pytest.fixture
def today():
    """2 December 2026 (not for the access matrix, whose world lives in February 2024)."""
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


def assessed(child, practitioner, provider, day: date, kind: str = "RHA") -> HealthAssessment:  # type: ignore[no-untyped-def]
    """A completed assessment as recorded (its clock's fields filled plainly)."""
    return HealthAssessment.objects.create(
        child=child,
        kind=kind,
        completed_on=day,
        provider=provider,
        practitioner=practitioner,
        professional="nurse",
        due_on=day,
        immunisations="yes",
        voice_of_child="Likes football",
        consent_recorded=True,
    )


@pytest.fixture
def quarter(world):  # type: ignore[no-untyped-def]
    """Twelve assessments in the quarter: Provider A's nurse did 8 of Bradford's children's,
    Provider C's nurse 3 (one of them for Bradford's child placed in Calderdale), and a
    second designated professional of the ICB, who also assesses, 1. Two more fall outside
    the quarter."""
    second = MembershipFactory(
        user__username="icb_designated_2",
        organisation=world.orgs["icb"],
        role=Role.DESIGNATED_PROFESSIONAL,
    ).user
    MembershipFactory(user=second, organisation=world.orgs["prov_a"], role=Role.HEALTH_PRACTITIONER)
    a_nurse, c_nurse = world.users["prov_a_nurse"], world.users["prov_c_nurse"]
    prov_a, prov_c = world.orgs["prov_a"], world.orgs["prov_c"]
    made = []
    for n in range(8):
        child = world.children["child_a"] if n % 2 else world.children["child_b"]
        made.append(assessed(child, a_nurse, prov_a, date(2026, 7, 1 + n * 3)))
    made.append(assessed(world.children["child_a_out"], c_nurse, prov_c, date(2026, 8, 3)))
    made.append(assessed(world.children["child_c"], c_nurse, prov_c, date(2026, 8, 5)))
    made.append(assessed(world.children["child_c"], c_nurse, prov_c, date(2026, 9, 30)))
    made.append(assessed(world.children["child_a_out"], second, prov_a, date(2026, 9, 1)))
    assessed(world.children["child_c"], c_nurse, prov_c, date(2026, 6, 30))
    assessed(world.children["child_c"], c_nurse, prov_c, date(2026, 10, 1))
    return made
