"""Bounds and refusals of the health record's forms, each found by the form fuzzer
(tests/fuzz): an appointment is booked within a year, a health plan action falls due within
two years of its assessment, an assessment's free text is at most 5,000 characters, a new
summary row is an entry only with its kind and description, and an entry of the clinical
summary ticked on the assessment that is no longer current is named in the error summary."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lachealth.health import corrections, services
from lachealth.health.models import Appointment, HealthAssessment, HealthPlanAction

from ..fuzz import scenes

AS_OF = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 30))


def book(world, day: date) -> Appointment:  # type: ignore[no-untyped-def]
    return services.book_appointment(
        by=world.users["prov_a_admin"],
        child=world.children["child_a"],
        kind="IHA",
        starts_at=at(day),
        venue="Clinic",
        practitioner=world.users["prov_a_nurse"],
    )


def test_an_appointment_is_booked_up_to_a_year_ahead(world):
    assert book(world, date(2027, 11, 23)).pk
    with pytest.raises(ValidationError) as refused:
        book(world, date(2027, 11, 24))
    assert refused.value.message_dict == {
        "day": [
            "Date of the appointment must be within the next year, on or before 23 November 2027"
        ]
    }
    assert Appointment.objects.count() == 1


def test_the_booking_page_names_the_day_of_a_booking_years_ahead(world, as_user):
    response = as_user("prov_a_admin").post(
        reverse("health:book", args=[world.children["child_a"].pk]),
        {
            "kind": "IHA",
            "day_0": "24",
            "day_1": "11",
            "day_2": "2036",
            "start_time": "10:30",
            "venue": "Clinic",
            "practitioner": world.users["prov_a_nurse"].pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and '<a href="#id_day_0"' in page
    assert (
        "Date of the appointment must be within the next year, on or before 23 November 2027"
        in page
    )
    assert not Appointment.objects.exists()


def test_a_booking_is_not_corrected_to_years_ahead(world):
    booked = scenes.booking(world)
    with pytest.raises(ValidationError) as refused:
        corrections.correct_booking(
            by=world.users["prov_a_admin"],
            appointment=booked,
            starts_at=at(date(2036, 11, 24)),
            venue="Clinic",
            practitioner=world.users["prov_a_nurse"],
            reason="Moved",
        )
    assert "day" in refused.value.message_dict
    booked.refresh_from_db()
    assert booked.starts_at == timezone.make_aware(datetime(2026, 11, 23, 9, 0))


def test_a_plan_action_falls_due_within_two_years_of_its_assessment(world):
    def assess(due_on: date) -> HealthAssessment:
        return services.record_assessment(
            by=world.users["prov_a_nurse"],
            child=world.children["child_a"],
            kind="IHA",
            completed_on=date(2026, 11, 20),
            practitioner=world.users["prov_a_nurse"],
            professional="medical",
            details={"immunisations": "yes"},
            actions=[services.PlannedAction("Teeth", "See a dentist", "health", due_on)],
        )

    with pytest.raises(ValidationError) as refused:
        assess(date(2028, 11, 21))
    assert refused.value.message_dict == {
        "actions": [
            "The action “See a dentist” is due more than 2 years after the assessment: give a "
            "due date on or before 20 November 2028"
        ]
    }
    assert not HealthAssessment.objects.exists() and not HealthPlanAction.objects.exists()
    assert assess(date(2028, 11, 20)).actions.get().due_on == date(2028, 11, 20)


def test_a_plan_action_is_not_corrected_to_years_after_its_assessment(world):
    action = scenes.assessment(world).actions.get()
    with pytest.raises(ValidationError) as refused:
        corrections.correct_action(
            by=world.users["prov_a_nurse"],
            action=action,
            need=action.need,
            text=action.action,
            owner_kind=action.owner_kind,
            owner_name="",
            due_on=date(2036, 11, 24),
            reason="Later",
        )
    assert refused.value.message_dict == {
        "due_on": [
            "The due date must be within 2 years of the assessment, on or before 20 November 2028"
        ]
    }
    action.refresh_from_db()
    assert action.due_on == date(2026, 12, 18)


def assess_on_the_page(client, world, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("health:assessment_create", args=[world.children["child_a"].pk]),
        {
            "kind": "IHA",
            "completed_on_0": "20",
            "completed_on_1": "11",
            "completed_on_2": "2026",
            "practitioner": world.users["prov_a_nurse"].pk,
            "professional": "medical",
            "immunisations": "yes",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "entries-TOTAL_FORMS": "1",
            "entries-INITIAL_FORMS": "0",
        }
        | extra,
    )


def test_an_assessments_free_text_is_at_most_5000_characters(world, as_user):
    client = as_user("prov_a_nurse")
    page = assess_on_the_page(
        client, world, voice_of_child="x" * 5_001, health_needs="y" * 5_001
    ).content.decode()
    assert "The child&#39;s voice must be 5,000 characters or fewer" in page
    assert "Health needs must be 5,000 characters or fewer" in page
    assert not HealthAssessment.objects.exists()
    response = assess_on_the_page(client, world, voice_of_child="x" * 5_000)
    assert response.status_code == 302


def test_an_entry_ticked_that_is_no_longer_current_is_named_in_the_error_summary(world, as_user):
    scenes.entry(world)
    response = assess_on_the_page(as_user("prov_a_nurse"), world, **{"summary-ended": ["99999"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_summary-ended"' in page
    assert "An entry ticked is no longer current: reload the page" in page
    assert not HealthAssessment.objects.exists()


def test_a_new_summary_row_with_only_share_ticked_asks_for_its_kind_and_description(world, as_user):
    """It was a server error (found by the fuzzer on PostgreSQL): the row was taken as an
    entry of no kind."""
    response = assess_on_the_page(as_user("prov_a_nurse"), world, **{"entries-0-shareable": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "New summary entry 1: Choose what it is" in page
    assert "New summary entry 1: Enter the description" in page
    assert not HealthAssessment.objects.exists()
