"""What the health tests share: a young person of 17 with a record to build a passport from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lachealth.care import team
from lachealth.care.models import TeamRole
from lachealth.health.models import HealthAssessment, HealthPlanAction, SdqResult

from ..conftest import BRADFORD
from ..factories import area, child_in_care

AS_OF = date(2026, 12, 2)
DOB = date(2009, 6, 15)  # 17 on AS_OF; the passport is due on 15 December 2026


@pytest.fixture
def young_person(world):  # type: ignore[no-untyped-def]
    child = child_in_care(
        area(BRADFORD), la_child_id="P1", first_name="Sam", last_name="Reed", date_of_birth=DOB
    )
    nurse = world.users["prov_a_nurse"]
    rha = HealthAssessment.objects.create(
        child=child,
        kind="RHA",
        completed_on=date(2026, 6, 1),
        provider=world.orgs["prov_a"],
        practitioner=nurse,
        professional="nurse",
        due_on=date(2026, 6, 10),
        height_cm=Decimal("171.0"),
        weight_kg=Decimal("60.50"),
        immunisations="yes",
        immunisations_checked_on=date(2026, 6, 1),
        development_check=True,
        health_needs="Asthma reviewed; dentist overdue",
    )
    for day, total in ((date(2025, 6, 1), 18), (date(2026, 6, 1), 12)):
        SdqResult.objects.create(
            child=child,
            completed_on=day,
            informant="carer",
            items=[1] * 25,
            total_difficulties=total,
            band="high" if total > 16 else "average",
            recorded_by=nurse,
        )
    team.add_team_member(
        by=nurse,
        child=child,
        role=TeamRole.GP,
        details=team.MemberDetails(
            start=date(2024, 1, 10),
            organisation="Park Surgery",
            code="B86001",
            telephone="0113 496 0000",
        ),
        as_of=AS_OF,
    )
    HealthPlanAction.objects.create(
        assessment=rha,
        child=child,
        need="Dental",
        action="Register with a dentist near the new flat",
        owner=world.orgs["prov_a"],
        owner_kind="young_person",
        due_on=date(2027, 1, 31),
    )
    return child
