"""The team member's "From" and "Until" dates are bounded where they are typed: not after
today, and not before the earliest birth the record holds (the child's own birth is the
service's check); a date beyond them is refused naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from lachealth.care import team
from lachealth.care.models import TeamMember, TeamRole

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def pinned():  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False):
        yield


def day(name: str, on: date) -> dict[str, str]:
    return {f"{name}_0": str(on.day), f"{name}_1": str(on.month), f"{name}_2": str(on.year)}


def test_a_team_member_from_tomorrow_is_refused_naming_the_field(world, as_user):
    child = world.children["child_a"]
    url = reverse("care:team_add", args=[child.pk]) + "?role=carer"
    response = as_user("la_a_sw").post(url, {"name": "Jo Fox"} | day("start", date(2026, 12, 2)))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_start_0"' in page and "From must be today or in the past" in page
    assert not TeamMember.objects.exists()


def test_a_team_member_from_before_the_record_can_hold_is_refused(world, as_user):
    child = world.children["child_a"]
    url = reverse("care:team_add", args=[child.pk]) + "?role=carer"
    response = as_user("la_a_sw").post(url, {"name": "Jo Fox"} | day("start", date(1926, 12, 1)))
    assert (
        "From must be within the last 26 years, on or after 1 December 2000"
        in response.content.decode()
    )
    assert not TeamMember.objects.exists()


def test_a_team_member_until_next_year_is_refused_and_the_record_kept(world, as_user):
    child = world.children["child_a"]
    member = team.add_team_member(
        by=world.users["prov_a_nurse"],
        child=child,
        role=TeamRole.GP,
        details=team.MemberDetails(organisation="Moor Surgery", start=date(2026, 9, 1)),
        as_of=TODAY,
    )
    edit = reverse("care:team_edit", args=[child.pk, member.pk])
    data = (
        {"organisation": "Moor Surgery", "reason": "Moved practice"}
        | day("start", date(2026, 9, 1))
        | day("end", date(2027, 12, 1))
    )
    response = as_user("prov_a_nurse").post(edit, data)
    assert "Until must be today or in the past" in response.content.decode()
    member.refresh_from_db()
    assert member.end is None
