"""The dates typed on the clinical summary's and the young person's own pages are bounded: an
entry's "From" not after today, its "Until" not after today (a medicine's course may end
within the year: the service's check), and the date of birth that opens an invitation within
the last 26 years. A date beyond them is refused naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from lachealth.health.models import ClinicalEntry, YoungPersonAccount
from lachealth.people.models import AccessLog

from .test_own_account import accept_data, invite, link_in


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


def day(name: str, on: date) -> dict[str, str]:
    return {f"{name}_0": str(on.day), f"{name}_1": str(on.month), f"{name}_2": str(on.year)}


def add_entry(client, world, kind: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    url = reverse("health:entry_add", args=[world.children["child_a"].pk])
    return client.post(f"{url}?kind={kind}", data)


def test_a_condition_from_tomorrow_is_refused_naming_the_field(world, as_user):
    response = add_entry(
        as_user("prov_a_nurse"),
        world,
        "condition",
        {"term": "Asthma"} | day("start", date(2026, 12, 3)),
    )
    page = response.content.decode()
    assert response.status_code == 200 and '<a href="#id_start_0"' in page
    assert "Onset or diagnosed must be today or in the past" in page
    assert not ClinicalEntry.objects.exists()


def test_a_condition_resolved_next_year_is_refused_naming_the_field(world, as_user):
    response = add_entry(
        as_user("prov_a_nurse"),
        world,
        "condition",
        {"term": "Asthma"} | day("end", date(2027, 12, 3)),
    )
    assert "Resolved on must be today or in the past" in response.content.decode()
    assert not ClinicalEntry.objects.exists()


def test_a_medicine_may_stop_within_the_year_ahead_but_not_years_ahead(world, as_user):
    client = as_user("prov_a_nurse")
    far = add_entry(
        client, world, "medicine", {"term": "Amoxicillin"} | day("end", date(2099, 1, 1))
    )
    assert "The date it stops must be within a year from today" in far.content.decode()
    assert not ClinicalEntry.objects.exists()
    near = add_entry(
        client, world, "medicine", {"term": "Amoxicillin"} | day("end", date(2026, 12, 9))
    )
    assert near.status_code == 302
    assert ClinicalEntry.objects.get().end == date(2026, 12, 9)


def test_a_date_of_birth_before_the_record_can_hold_is_refused_naming_the_field(
    world, as_user, young_person
):
    invite(as_user, young_person)
    url = link_in(mail.outbox[0])
    response = Client().post(url, accept_data(date_of_birth_2="1950"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Your date of birth must be within the last 26 years, on or after 2 December 2000" in page
    )
    assert not YoungPersonAccount.objects.exists()
    # Not a wrong answer counted against the link: no date of birth that far back is one.
    assert not AccessLog.objects.filter(action="sign_in_failed").exists()


def test_a_date_of_birth_in_the_future_is_refused_naming_the_field(world, as_user, young_person):
    invite(as_user, young_person)
    url = link_in(mail.outbox[0])
    response = Client().post(url, accept_data(date_of_birth_2="2027"))
    assert "Your date of birth must be today or in the past" in response.content.decode()
    assert not YoungPersonAccount.objects.exists()
