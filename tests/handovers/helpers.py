"""What hand-off tests start from: a child entering care through the care service, as the
LA's social worker records it (the service is what sends the notifications), a CAMHS with a
clinician, and a health plan action to refer from."""

from __future__ import annotations

from datetime import date
from typing import Any

from lachealth.care import services as care
from lachealth.care.models import Child
from lachealth.health.models import HealthAssessment, HealthPlanAction
from lachealth.people.models import Organisation, OrganisationKind, Role, User

from ..conftest import BRADFORD
from ..factories import MembershipFactory, OrganisationFactory, area


def enter_care(
    world: Any,
    *,
    placed: str = BRADFORD,
    decom: date = date(2026, 11, 20),
    ls: str = "C2",
    as_of: date | None = None,
    **details: Any,
) -> Child:
    """A Bradford child (LA A) entering care on `decom`, placed in `placed`."""
    return care.record_entry_to_care(
        by=world.users["la_a_sw"],
        responsible_area=area(BRADFORD),
        child_details={
            "la_child_id": "NEW1",
            "first_name": "Ada",
            "last_name": "Example",
            "date_of_birth": date(2012, 5, 4),
            "sex": "F",
            "ethnicity": "WBRI",
            "nhs_number": "",
            "upn": "",
        }
        | details,
        decom=decom,
        ls=ls,
        cin="N1",
        placement=care.PlacementDetails(
            place="U4", place_provider="PR1", placement_area=area(placed), pl_post=""
        ),
        as_of=as_of,
    )


def camhs_with_clinician(username: str = "camhs") -> tuple[Organisation, User]:
    """A CAMHS serving Bradford, with one clinician on lachealth (its active contact)."""
    service = OrganisationFactory(
        name="Bradford CAMHS", kind=OrganisationKind.SERVICE, areas=[area(BRADFORD)]
    )
    clinician = MembershipFactory(
        user__username=username, organisation=service, role=Role.HEALTH_PRACTITIONER
    ).user
    return service, clinician


def plan_action(world: Any, child: Child, need: str, **assessment: Any) -> HealthPlanAction:
    """An IHA by Provider A for `child`, whose health plan has one action: refer to CAMHS."""
    done = HealthAssessment.objects.create(
        child=child,
        kind="IHA",
        provider=world.orgs["prov_a"],
        practitioner=world.users["prov_a_nurse"],
        professional="medical",
        **assessment,
    )
    return HealthPlanAction.objects.create(
        assessment=done,
        child=child,
        need=need,
        action="Refer to CAMHS",
        owner=world.orgs["prov_a"],
        due_on=date(2026, 12, 1),
    )
