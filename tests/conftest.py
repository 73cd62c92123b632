"""Shared fixtures: a small world of areas, organisations, users in every role, and children."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from lachealth.care import team
from lachealth.care.models import Child, TeamRole
from lachealth.health.models import HealthAssessment, HealthPlanAction, SdqResult
from lachealth.people.models import OrganisationKind, Role, User

from .factories import (
    MembershipFactory,
    OrganisationFactory,
    TOTPDeviceFactory,
    UserFactory,
    area,
    child_in_care,
    ensure_areas,
)

BRADFORD, LEEDS, CALDERDALE = "E08000032", "E08000035", "E08000033"


@dataclass
class World:
    users: dict[str, User]
    children: dict[str, Child]
    orgs: dict


@pytest.fixture
def areas(db) -> None:  # type: ignore[no-untyped-def]
    """The shipped areas (see `ensure_areas`)."""
    ensure_areas()


@pytest.fixture
def world(areas) -> World:  # type: ignore[no-untyped-def]
    return make_world()


def make_world() -> World:
    """The world's organisations, users in every role and children (the areas must exist)."""
    a, b, c = area(BRADFORD), area(LEEDS), area(CALDERDALE)
    orgs = {
        "la_a": OrganisationFactory(name="LA A", kind=OrganisationKind.LOCAL_AUTHORITY, areas=[a]),
        "la_b": OrganisationFactory(name="LA B", kind=OrganisationKind.LOCAL_AUTHORITY, areas=[b]),
        "la_c": OrganisationFactory(name="LA C", kind=OrganisationKind.LOCAL_AUTHORITY, areas=[c]),
        "prov_a": OrganisationFactory(
            name="Provider A", kind=OrganisationKind.HEALTH_PROVIDER, areas=[a]
        ),
        "prov_c": OrganisationFactory(
            name="Provider C", kind=OrganisationKind.HEALTH_PROVIDER, areas=[c]
        ),
        "icb": OrganisationFactory(name="ICB", kind=OrganisationKind.ICB, areas=[a, b, c]),
    }
    roles = {
        "la_a_sw": ("la_a", Role.SOCIAL_WORKER),
        "la_a_data": ("la_a", Role.DATA_OFFICER),
        "la_b_data": ("la_b", Role.DATA_OFFICER),
        "la_b_sw": ("la_b", Role.SOCIAL_WORKER),
        # the LA of the area that receives child_a_out: it must not see that child
        "la_c_sw": ("la_c", Role.SOCIAL_WORKER),
        "prov_a_nurse": ("prov_a", Role.HEALTH_PRACTITIONER),
        "prov_a_admin": ("prov_a", Role.HEALTH_ADMIN),
        "prov_c_nurse": ("prov_c", Role.HEALTH_PRACTITIONER),
        "icb_designated": ("icb", Role.DESIGNATED_PROFESSIONAL),
        "commissioner": ("icb", Role.COMMISSIONER),
        "sysadmin": ("la_a", Role.SYSTEM_ADMIN),
    }
    users = {}
    for name, (org, role) in roles.items():
        users[name] = MembershipFactory(user__username=name, organisation=orgs[org], role=role).user
    users["norole"] = UserFactory(username="norole")
    children = {
        "child_a": child_in_care(a, la_child_id="A1", last_name="Ashby"),
        "child_a_out": child_in_care(a, c, la_child_id="A2", last_name="Outram"),
        "child_b": child_in_care(b, la_child_id="B1", last_name="Bexley"),
        "child_c": child_in_care(c, la_child_id="C1", last_name="Calder"),
    }
    return World(users=users, children=children, orgs=orgs)


def sign_in(client: Client, user: User) -> Client:
    """Sign a test client in as `user`, past both the password and the one-time-code step."""
    client.force_login(user)
    device = TOTPDeviceFactory(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_user(client, world):  # type: ignore[no-untyped-def]
    """`as_user("la_a_sw")` gives a client signed in as that world user."""

    def _as(name: str) -> Client:
        return sign_in(Client(), world.users[name])

    return _as


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The access matrix's world (tests/matrix/world.py), built once for a test module in a
    transaction rolled back after it; each test adds its own savepoint (`db`)."""
    from .matrix.world import NOW, build

    # Thousands of refusals, each logged as a warning, are the matrix working, not news.
    requests = logging.getLogger("django.request")
    level = requests.level
    requests.setLevel(logging.ERROR)
    try:
        with (
            time_machine.travel(NOW, tick=False),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            yield build()
            transaction.set_rollback(True)
    finally:
        requests.setLevel(level)


#: The date of birth of `young_person`: 17 on 2 December 2026, their passport due on 15
#: December 2026 (17 years 6 months).
YOUNG_PERSON_DOB = date(2009, 6, 15)


@pytest.fixture
def young_person(world):  # type: ignore[no-untyped-def]
    child = child_in_care(
        area(BRADFORD),
        la_child_id="P1",
        first_name="Sam",
        last_name="Reed",
        date_of_birth=YOUNG_PERSON_DOB,
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
        as_of=date(2026, 12, 2),
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
