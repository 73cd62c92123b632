"""Putting the health record right: assessments, SDQs, bookings and actions withdrawn with a
reason (kept, but left out of every clock, list and export), bookings and actions corrected,
by the roles that enter them and for no other area's child."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lachealth.health import corrections, services
from lachealth.health.models import Appointment, HealthAssessment, HealthPlanAction, SdqResult
from lachealth.people.models import AccessLog

from .test_services import AS_OF, clock_codes, iha

pytestmark = pytest.mark.usefixtures("pinned")


@pytest.fixture
def pinned():  # type: ignore[no-untyped-def]
    with time_machine.travel("2024-02-12 10:00:00 +0000", tick=False):
        yield


def _plan(owner_kind="la"):  # type: ignore[no-untyped-def]
    return [services.PlannedAction("Dental", "See a dentist", owner_kind, date(2024, 3, 1))]


def test_withdrawing_an_iha_reopens_its_clock_and_withdraws_its_plan(world):
    child = world.children["child_a"]
    assessment = iha(world, actions=_plan())
    assert "RHA" in clock_codes(child)
    with pytest.raises(PermissionDenied):
        corrections.withdraw(by=world.users["prov_a_admin"], record=assessment, reason="x")
    with pytest.raises(ValidationError, match="Say why"):
        corrections.withdraw(by=world.users["prov_a_nurse"], record=assessment, reason=" ")
    corrections.withdraw(
        by=world.users["prov_a_nurse"], record=assessment, reason="Recorded on the wrong child"
    )
    assert not HealthAssessment.objects.exists() and not HealthPlanAction.objects.exists()
    kept = HealthAssessment.everything.get()
    assert kept.withdrawn_reason == "Recorded on the wrong child"
    assert kept.history.first().history_change_reason == "withdrawn: Recorded on the wrong child"
    assert HealthPlanAction.everything.get().withdrawn_reason.startswith("Its assessment was")
    reopened = clock_codes(child)
    assert reopened["IHA"].state == "overdue" and "RHA" not in reopened
    # The right assessment can be recorded on the same day.
    iha(world)
    assert HealthAssessment.objects.count() == 1 and HealthAssessment.everything.count() == 2
    with pytest.raises(ValidationError, match="already withdrawn"):
        corrections.withdraw(by=world.users["prov_a_nurse"], record=kept, reason="again")


def test_withdrawing_a_review_puts_the_next_back_on_the_laws_chain(world):
    child = world.children["child_a"]  # born 1 June 2015: reviews every 12 months
    first = iha(world)
    review = iha(world, kind="RHA", completed_on=date(2024, 2, 10))
    later = iha(world, kind="RHA", completed_on=date(2024, 2, 11))
    assert later.due_on == date(2025, 2, 10)
    corrections.withdraw(by=world.users["prov_a_nurse"], record=review, reason="Duplicate")
    later.refresh_from_db()
    assert later.due_on == date(2025, 2, 9)  # 12 months from the IHA of 9 February 2024
    assert later.history.first().history_change_reason.startswith("an assessment was withdrawn")
    assert first.pk != later.pk and child.assessments.count() == 2


def test_a_withdrawn_sdq_and_booking_leave_every_list(world):
    child = world.children["child_a"]
    sdq = services.record_sdq(
        by=world.users["prov_a_admin"],
        child=child,
        completed_on=date(2024, 2, 1),
        informant="carer",
        items=[1] * 25,
        as_of=AS_OF,
    )
    booking = services.book_appointment(
        by=world.users["prov_a_admin"],
        child=child,
        kind="IHA",
        starts_at=timezone.make_aware(datetime(2024, 2, 20, 10)),
        venue="Clinic",
        practitioner=world.users["prov_a_nurse"],
        as_of=AS_OF,
    )
    for record in (sdq, booking):
        corrections.withdraw(by=world.users["prov_a_admin"], record=record, reason="Wrong child")
    assert not child.sdqs.exists() and not child.appointments.exists()
    assert SdqResult.everything.count() == 1 and Appointment.everything.count() == 1
    with pytest.raises(PermissionDenied):
        corrections.withdraw(by=world.users["la_a_sw"], record=sdq, reason="x")


def test_an_action_is_corrected_with_who_follows_it_up(world):
    action = iha(world, actions=_plan("la")).actions.get()
    args = {
        "need": "Dental",
        "text": "Register with a dentist near the new home",
        "owner_kind": "gp",
        "owner_name": "",
        "due_on": date(2024, 3, 8),
        "reason": "The GP will refer",
    }
    with pytest.raises(ValidationError, match="on or after the assessment, 9 February 2024"):
        corrections.correct_action(
            by=world.users["prov_a_nurse"], action=action, **(args | {"due_on": date(2024, 2, 1)})
        )
    with pytest.raises(PermissionDenied):
        corrections.correct_action(by=world.users["la_a_sw"], action=action, **args)
    corrections.correct_action(by=world.users["prov_a_nurse"], action=action, **args)
    action.refresh_from_db()
    assert (action.owner_kind, action.owner, action.due_on) == (
        "gp",
        world.orgs["prov_a"],
        date(2024, 3, 8),
    )
    assert action.history.first().history_change_reason == "The GP will refer"


def test_a_booking_is_moved_until_it_has_an_outcome(world):
    child = world.children["child_a"]
    booking = services.book_appointment(
        by=world.users["prov_a_admin"],
        child=child,
        kind="IHA",
        starts_at=timezone.make_aware(datetime(2024, 2, 20, 10)),
        venue="Clinic",
        practitioner=world.users["prov_a_nurse"],
        as_of=AS_OF,
    )
    moved = timezone.make_aware(datetime(2024, 2, 22, 14, 30))
    with pytest.raises(ValidationError, match="today or in the future"):
        corrections.correct_booking(
            by=world.users["prov_a_admin"],
            appointment=booking,
            starts_at=timezone.make_aware(datetime(2024, 2, 1, 9)),
            venue="Clinic",
            practitioner=world.users["prov_a_nurse"],
            reason="x",
            as_of=AS_OF,
        )
    corrections.correct_booking(
        by=world.users["prov_a_admin"],
        appointment=booking,
        starts_at=moved,
        venue="Health Centre",
        practitioner=world.users["prov_a_nurse"],
        reason="The clinic was closed",
        as_of=AS_OF,
    )
    booking.refresh_from_db()
    assert (booking.starts_at, booking.venue) == (moved, "Health Centre")


# Pages


def test_no_other_area_or_role_reaches_the_correction_pages(world, as_user):
    assessment = iha(world, actions=_plan())
    action = assessment.actions.get()
    pages = [
        reverse("health:withdraw", args=["assessment", assessment.pk]),
        reverse("health:withdraw", args=["action", action.pk]),
        reverse("health:action_correct", args=[action.pk]),
    ]
    for page in pages:
        for user, status in (
            ("prov_c_nurse", 404),
            ("la_b_sw", 404),
            ("la_a_sw", 403),
            ("commissioner", 403),
        ):
            assert as_user(user).get(page).status_code == status, (user, page)
            assert as_user(user).post(page, {"reason": "x"}).status_code == status
        assert Client().get(page).status_code == 302
    assert as_user("prov_a_admin").get(pages[0]).status_code == 403
    unknown = reverse("health:withdraw", args=["episode", assessment.pk])
    assert as_user("prov_a_nurse").get(unknown).status_code == 404
    assert HealthAssessment.objects.count() == 1 and HealthPlanAction.objects.count() == 1


def test_a_nurse_withdraws_an_assessment_from_the_childs_page(world, as_user):
    assessment = iha(world)
    client = as_user("prov_a_nurse")
    child_page = reverse("care:child_detail", args=[world.children["child_a"].pk])
    url = reverse("health:withdraw", args=["assessment", assessment.pk])
    assert url in client.get(child_page).content.decode()
    refused = client.post(url, {})
    assert "Say why this entry is withdrawn" in refused.content.decode()
    assert HealthAssessment.objects.exists()
    assert client.post(url, {"reason": "Wrong child"}).status_code == 302
    assert not HealthAssessment.objects.exists()
    assert AccessLog.objects.filter(detail=f"withdrew assessment {assessment.pk}").exists()
    assert "was withdrawn: Wrong child" in client.get(url).content.decode()


def test_a_nurse_changes_an_action_from_its_page(world, as_user):
    action = iha(world, actions=_plan()).actions.get()
    client = as_user("prov_a_nurse")
    url = reverse("health:action_correct", args=[action.pk])
    page = client.get(url).content.decode()
    assert 'value="See a dentist"' in page
    data = {
        "need": "Dental",
        "action": "See a dentist",
        "owner_kind": "carer",
        "due_on_0": "1",
        "due_on_1": "3",
        "due_on_2": "2024",
    }
    assert "Say why you are making this change" in client.post(url, data).content.decode()
    assert client.post(url, data | {"reason": "The carer books it"}).status_code == 302
    assert HealthPlanAction.objects.get().owner_kind == "carer"


# Correcting an assessment's or an SDQ's details


def _correct(world, assessment, **changes):  # type: ignore[no-untyped-def]
    args = {
        "by": world.users["prov_a_nurse"],
        "assessment": assessment,
        "completed_on": assessment.completed_on,
        "practitioner": assessment.practitioner,
        "professional": assessment.professional,
        "details": {"immunisations": assessment.immunisations},
        "reason": "Typed from the wrong notes",
    } | changes
    return corrections.correct_assessment(**args)


def test_an_assessments_details_are_corrected_and_its_bmi_worked_out_again(world):
    assessment = iha(world)
    corrected = _correct(
        world,
        assessment,
        details={
            "immunisations": "no",
            "height_cm": 132,
            "weight_kg": 30,
            "health_needs": "Eczema",
        },
    )
    assert (corrected.immunisations, corrected.health_needs) == ("no", "Eczema")
    assert float(corrected.bmi) == round(30 / 1.32**2, 1)  # 17.2
    assert corrected.bmi_centile is not None
    version = corrected.history.first()
    assert version.history_change_reason == "Typed from the wrong notes"
    assert version.history_user == world.users["prov_a_nurse"]


def test_a_corrected_date_moves_the_reviews_due_after_it(world):
    child = world.children["child_a"]  # born 1 June 2015: reviews every 12 months
    first = iha(world, completed_on=date(2024, 2, 5))
    review = iha(world, kind="RHA", completed_on=date(2024, 2, 11))
    assert review.due_on == date(2025, 2, 5)
    assert first.working_days_late == 0  # due 20 working days from 10 January: 7 February
    _correct(world, first, completed_on=date(2024, 2, 8))
    review.refresh_from_db()
    first.refresh_from_db()
    assert review.due_on == date(2025, 2, 8)
    assert first.completed_on == date(2024, 2, 8) and first.working_days_late == 1
    assert clock_codes(child)["RHA"].due == date(2025, 2, 11)


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (date(2024, 2, 13), "today or in the past"),
        (date(2024, 1, 9), "on or after the day this period of care began"),
        (date(2024, 2, 11), "between the assessments either side: before 11 February 2024"),
    ],
)
def test_a_corrected_date_keeps_the_order_of_the_record(world, on, message):
    first = iha(world, completed_on=date(2024, 2, 5))
    iha(world, kind="RHA", completed_on=date(2024, 2, 11))
    with pytest.raises(ValidationError, match=message):
        _correct(world, first, completed_on=on)
    first.refresh_from_db()
    assert first.completed_on == date(2024, 2, 5) and first.history.count() == 1


def test_a_correction_is_refused_whole_when_anything_is_wrong(world):
    assessment = iha(world, actions=_plan())  # its action is due on 1 March 2024
    for changes, field in (
        ({"professional": "nurse"}, "professional"),
        ({"reason": "  "}, "reason"),
        ({"practitioner": world.users["prov_c_nurse"]}, "practitioner"),
        ({"details": {"immunisations": "yes", "dental_check_on": date(2024, 2, 10)}}, "dental"),
    ):
        with pytest.raises(ValidationError) as refused:
            _correct(world, assessment, **changes)
        assert field in str(refused.value)
    assessment.refresh_from_db()
    assert assessment.history.count() == 1
    with pytest.raises(PermissionDenied):
        _correct(world, assessment, by=world.users["prov_a_admin"])


def test_an_sdq_is_corrected_and_scored_again(world):
    child = world.children["child_a"]
    nurse = world.users["prov_a_nurse"]
    sdq = services.record_sdq(
        by=nurse, child=child, completed_on=date(2024, 2, 1), informant="carer", items=[1] * 25
    )
    other = services.record_sdq(
        by=nurse, child=child, completed_on=date(2024, 2, 2), informant="carer", items=[0] * 25
    )
    with pytest.raises(ValidationError, match="already recorded on this date"):
        corrections.correct_sdq(
            by=nurse,
            sdq=sdq,
            completed_on=other.completed_on,
            informant="carer",
            items=[1] * 25,
            impact=None,
            reason="Date",
        )
    fixed = corrections.correct_sdq(
        by=nurse,
        sdq=sdq,
        completed_on=date(2024, 1, 30),
        informant="teacher",
        items=[2] * 25,
        impact=None,
        reason="The teacher's copy, not the carer's",
    )
    # 20 difficulty items, 2 each but for the reverse-scored 7, 11, 14, 21 and 25 (0 each)
    assert (fixed.informant, fixed.total_difficulties, fixed.prosocial) == ("teacher", 30, 10)
    assert fixed.history.first().history_change_reason == "The teacher's copy, not the carer's"
    # unchanged dates of its own are not a clash with itself
    corrections.correct_sdq(
        by=nurse,
        sdq=fixed,
        completed_on=fixed.completed_on,
        informant="teacher",
        items=[2] * 25,
        impact=None,
        reason="Same again",
    )


def test_the_correction_pages(world, as_user):
    assessment = iha(world)
    nurse = as_user("prov_a_nurse")
    child_page = nurse.get(reverse("care:child_detail", args=[assessment.child_id]))
    url = reverse("health:assessment_correct", args=[assessment.pk])
    assert url in child_page.content.decode()
    form = nurse.get(url).content.decode()
    assert "Change the initial health assessment of 9 February 2024" in form
    assert 'value="yes" checked' in form  # immunisations, as recorded
    posted = {
        "completed_on_0": "9",
        "completed_on_1": "2",
        "completed_on_2": "2024",
        "practitioner": world.users["prov_a_nurse"].pk,
        "professional": "medical",
        "immunisations": "unknown",
    }
    refused = nurse.post(url, posted)
    assert "Say why you are making this change" in refused.content.decode()
    assert nurse.post(url, posted | {"reason": "Not checked after all"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.immunisations == "unknown"
    for user, status in (("prov_c_nurse", 404), ("la_a_sw", 403), ("prov_a_admin", 403)):
        assert as_user(user).get(url).status_code == status
        assert as_user(user).post(url, posted | {"reason": "x"}).status_code == status

    sdq = services.record_sdq(
        by=world.users["prov_a_nurse"],
        child=assessment.child,
        completed_on=date(2024, 2, 1),
        informant="carer",
        items=[1] * 25,
    )
    sdq_url = reverse("health:sdq_correct", args=[sdq.pk])
    page = nurse.get(sdq_url).content.decode()
    assert "Change the SDQ of 1 February 2024" in page and 'name="reason"' in page
    items = {f"item_{n}": "0" for n in range(1, 26)}
    done = nurse.post(
        sdq_url,
        items
        | {
            "completed_on_0": "1",
            "completed_on_1": "2",
            "completed_on_2": "2024",
            "informant": "carer",
            "reason": "All nought",
        },
    )
    assert done.status_code == 302
    sdq.refresh_from_db()
    assert sdq.total_difficulties == 10  # the five reverse-scored items score 2 each
    assert as_user("prov_c_nurse").get(sdq_url).status_code == 404
    assert as_user("la_a_sw").get(sdq_url).status_code == 403
