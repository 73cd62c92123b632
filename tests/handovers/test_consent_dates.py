"""Consent to the health assessment is dated on or after the child's birth (found by the form
fuzzer, tests/fuzz: a consent dated before the birth was accepted)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from lachealth.handovers import services
from lachealth.handovers.models import Notification

from .helpers import enter_care

AS_OF = date(2026, 11, 23)
BORN = date(2012, 5, 4)  # enter_care's child


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


@pytest.fixture
def waiting(world) -> Notification:  # type: ignore[no-untyped-def]
    child = enter_care(world, date_of_birth=BORN, as_of=AS_OF)
    return Notification.objects.get(child=child, kind="health_request")


def test_consent_dated_before_the_birth_is_refused_and_nothing_is_sent(world, waiting):
    with pytest.raises(ValidationError) as refused:
        services.send_health_request(
            by=world.users["la_a_sw"],
            notification=waiting,
            consent_given_by="parent",
            consent_on=date(2012, 5, 3),
            as_of=AS_OF,
        )
    assert refused.value.message_dict == {
        "consent_on": [
            "The date consent was given must be on or after the date of birth, 4 May 2012"
        ]
    }
    waiting.refresh_from_db()
    assert (waiting.status, waiting.consent_on) == ("awaiting_consent", None)
    assert waiting.history.count() == 1


def test_consent_on_the_day_of_birth_is_taken(world, waiting):
    services.send_health_request(
        by=world.users["la_a_sw"],
        notification=waiting,
        consent_given_by="parent",
        consent_on=BORN,
        as_of=AS_OF,
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.consent_on) == ("sent", BORN)


def test_the_send_page_names_the_consent_date_and_links_the_summary_to_it(waiting, as_user):
    response = as_user("la_a_sw").post(
        reverse("handovers:notification_send", args=[waiting.pk]),
        {
            "consent_given_by": "parent",
            "consent_on_0": "1",
            "consent_on_1": "1",
            "consent_on_2": "2010",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_consent_on_0"' in page
    assert "The date consent was given must be on or after the date of birth, 4 May 2012" in page
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_consent"
