"""Health services: the rules and permissions that hold whatever page or script calls them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lachealth.care import services as care_services
from lachealth.health import selectors, services
from lachealth.health.models import Appointment, HealthAssessment, HealthPlanAction, SdqResult
from lachealth.people.models import Membership

from ..conftest import BRADFORD
from ..factories import area, child_in_care

AS_OF = date(2024, 2, 12)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2024-02-12 09:00 +0000", tick=False):
        yield


def iha(world, child=None, **kwargs):  # type: ignore[no-untyped-def]
    nurse = world.users["prov_a_nurse"]
    args = {
        "by": nurse,
        "child": child or world.children["child_a"],
        "kind": "IHA",
        "completed_on": date(2024, 2, 9),
        "practitioner": nurse,
        "professional": "medical",
        "details": {"immunisations": "yes"},
        "as_of": AS_OF,
    } | kwargs
    return services.record_assessment(**args)


def clock_codes(child, as_of=AS_OF):  # type: ignore[no-untyped-def]
    from lachealth.care.models import Child
    from lachealth.health.status import child_clocks

    facts = selectors.child_facts(Child.objects.get(pk=child.pk))
    return {c.code: c.status for c in child_clocks(facts, as_of)}


@pytest.mark.parametrize("field", ["dental_check_on", "immunisations_checked_on"])
def test_check_dates_must_lie_between_birth_and_the_assessment(world, field):
    for bad in (date(2010, 1, 1), date(2024, 2, 10)):
        with pytest.raises(ValidationError) as exc:
            iha(world, details={"immunisations": "yes", field: bad})
        assert field in exc.value.message_dict
    assert not HealthAssessment.objects.exists()


def test_one_impossible_record_does_not_hide_the_rest_of_the_worklist(world, as_user):
    bad = HealthAssessment.objects.create(
        child=world.children["child_a"],
        kind="IHA",
        completed_on=date(2024, 2, 1),
        provider=world.orgs["prov_a"],
        practitioner=world.users["prov_a_nurse"],
        professional="medical",
        due_on=date(2024, 2, 7),
        immunisations="yes",
        dental_check_on=date(2001, 1, 1),
    )  # before birth: written around the service
    page = as_user("prov_a_nurse").get(reverse("health:worklist")).content.decode()
    assert "Outram" in page and bad.child.last_name not in page


def test_short_breaks_then_full_care_starts_the_clocks_at_full_care(world):
    child = child_in_care(area(BRADFORD), la_child_id="SB2")
    child.episodes.update(ls="V4", decom=date(2021, 3, 1))
    care_services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2024, 1, 15),
        ls="C2",
        placement=None,
        as_of=AS_OF,
    )
    statuses = clock_codes(child)
    assert statuses["IHA"].due == date(2024, 2, 12)  # 20 working days after 15 January 2024


def test_no_clocks_from_the_18th_birthday(world):
    child = child_in_care(area(BRADFORD), la_child_id="OLD", date_of_birth=date(2006, 2, 1))
    assert clock_codes(child) == {}
    assert clock_codes(child, date(2024, 1, 31)) != {}


def test_a_blank_sdq_is_refused_and_an_unscorable_one_does_not_stop_the_clock(world):
    admin = world.users["prov_a_admin"]
    child = world.children["child_a"]
    with pytest.raises(ValidationError, match="no item was answered"):
        services.record_sdq(
            by=admin,
            child=child,
            completed_on=date(2024, 2, 1),
            informant="carer",
            items=[None] * 25,
            as_of=AS_OF,
        )
    few = [None] * 25
    few[0] = 1
    services.record_sdq(
        by=admin,
        child=child,
        completed_on=date(2024, 2, 1),
        informant="carer",
        items=few,
        as_of=AS_OF,
    )
    assert SdqResult.objects.get().total_difficulties is None
    assert clock_codes(child)["SDQ"].state == "overdue"


@pytest.mark.parametrize(
    ("owner_kind", "follows_up"),
    [
        ("la", "la_a"),
        ("carer", "la_a"),
        ("school", "la_a"),
        ("health", "prov_a"),
        ("gp", "prov_a"),
        ("service", "prov_a"),
        ("young_person", "prov_a"),
    ],
)
def test_each_action_is_followed_up_by_the_childs_la_or_the_health_team(
    world, owner_kind, follows_up
):
    planned = services.PlannedAction("Dental", "See a dentist", owner_kind, date(2024, 3, 1))
    action = iha(world, actions=[planned]).actions.get()
    assert (action.owner_kind, action.owner) == (owner_kind, world.orgs[follows_up])


def test_an_action_for_the_la_needs_an_la_on_lachealth(world):
    world.orgs["la_a"].is_active = False
    world.orgs["la_a"].save()
    planned = services.PlannedAction("Dental", "See a dentist", "carer", date(2024, 3, 1))
    with pytest.raises(ValidationError, match="No local authority on lachealth serves Bradford"):
        iha(world, actions=[planned])
    assert not HealthAssessment.objects.exists() and not HealthPlanAction.objects.exists()


def test_only_the_owning_organisations_staff_complete_an_action(world):
    planned = services.PlannedAction("Dental", "See a dentist", "la", date(2024, 3, 1))
    action = iha(world, actions=[planned]).actions.get()
    for user in ("sysadmin", "prov_a_nurse", "la_b_sw"):  # sysadmin is at LA A, but no LA role
        with pytest.raises(PermissionDenied):
            services.complete_action(by=world.users[user], action=action, note="done")
    services.complete_action(by=world.users["la_a_data"], action=action, note="Registered")
    action.refresh_from_db()
    assert action.status == "done"


def book(world, child, day, kind="IHA"):  # type: ignore[no-untyped-def]
    return services.book_appointment(
        by=world.users["prov_a_admin"],
        child=child,
        kind=kind,
        starts_at=timezone.make_aware(
            datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
        ),
        venue="Clinic",
        practitioner=world.users["prov_a_nurse"],
        as_of=day,
    )


def test_outcomes_belong_to_the_booking_provider_and_to_the_past(world):
    child = world.children["child_a_out"]  # placed in C: provider C may book it too
    appointment = book(world, child, date(2024, 2, 14))
    with pytest.raises(PermissionDenied, match="booked"):
        services.record_outcome(
            by=world.users["prov_c_nurse"],
            appointment=appointment,
            outcome="declined",
            reason="No",
            as_of=AS_OF,
        )
    with pytest.raises(ValidationError, match="has not happened yet"):
        services.record_outcome(
            by=world.users["prov_a_admin"], appointment=appointment, outcome="attended", as_of=AS_OF
        )
    services.record_outcome(
        by=world.users["prov_a_admin"],
        appointment=appointment,
        outcome="rescheduled",
        reason="Carer ill",
        as_of=AS_OF,
    )


def test_recording_an_assessment_marks_only_the_appointment_it_answers(world):
    child = world.children["child_a"]
    earlier = book(world, child, date(2024, 2, 5))
    answered = book(world, child, date(2024, 2, 9))
    later = book(world, child, date(2024, 2, 12))
    review = book(world, child, date(2024, 2, 9), kind="RHA")
    iha(world)
    states = {a.pk: a.outcome for a in Appointment.objects.all()}
    assert states == {earlier.pk: "", answered.pk: "attended", later.pk: "", review.pk: ""}
    assert answered.history.first().history_user == world.users["prov_a_nurse"]


def test_cross_area_posts_are_refused_and_write_nothing(world, as_user):
    child = world.children["child_a"]
    nurse_c = as_user("prov_c_nurse")  # serves Calderdale; child_a lives in Bradford
    for name, data in [
        ("health:book", {"kind": "IHA"}),
        ("health:sdq_create", {}),
        ("health:assessment_create", {"kind": "IHA"}),
    ]:
        assert nurse_c.post(reverse(name, args=[child.pk]), data).status_code == 404
    assert not Appointment.objects.exists() and not HealthAssessment.objects.exists()


def test_la_staff_do_not_see_clinical_detail(world, as_user):
    iha(
        world,
        details={"immunisations": "yes", "height_cm": Decimal("130"), "weight_kg": Decimal("27")},
    )
    services.record_sdq(
        by=world.users["prov_a_admin"],
        child=world.children["child_a"],
        completed_on=date(2024, 2, 1),
        informant="carer",
        items=[1] * 25,
        as_of=AS_OF,
    )
    url = reverse("care:child_detail", args=[world.children["child_a"].pk])
    la_page = as_user("la_a_sw").get(url).content.decode()
    health_page = as_user("prov_a_nurse").get(url).content.decode()
    assert "BMI centile" in health_page and "Total difficulties" in health_page
    assert "BMI centile" not in la_page and "Total difficulties" not in la_page
    assert "Initial health assessment, 9 February 2024" in la_page


def test_a_practitioner_who_left_the_provider_cannot_be_booked(world):
    Membership.objects.filter(user=world.users["prov_a_nurse"]).update(is_active=False)
    with pytest.raises(ValidationError, match="not a health practitioner"):
        services.book_appointment(
            by=world.users["prov_a_admin"],
            child=world.children["child_a"],
            kind="IHA",
            starts_at=timezone.now() + timedelta(days=2),
            venue="Clinic",
            practitioner=world.users["prov_a_nurse"].__class__.objects.get(
                pk=world.users["prov_a_nurse"].pk
            ),
        )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"substance_misuse": True}, "intervention_received", "received an intervention"),
        (
            {"substance_misuse": True, "intervention_received": False},
            "intervention_offered",
            "was offered",
        ),
        ({"intervention_received": True}, "intervention_received", "Only answer"),
        (
            {"substance_misuse": True, "intervention_received": True, "intervention_offered": True},
            "intervention_offered",
            "none was received",
        ),
    ],
)
def test_substance_misuse_interventions_are_asked_as_the_return_asks(
    world, details, field, message
):
    with pytest.raises(ValidationError) as exc:
        iha(world, details={"immunisations": "yes"} | details)
    assert message in exc.value.message_dict[field][0]
    assert not HealthAssessment.objects.exists()
    done = iha(
        world,
        details={
            "immunisations": "yes",
            "substance_misuse": True,
            "intervention_received": False,
            "intervention_offered": True,
        },
    )
    assert (done.intervention_received, done.intervention_offered) == (False, True)


def test_a_review_due_on_a_saturday_is_shown_with_its_day_to_act_by_and_late_on_monday(
    world, as_user
):
    """Twelve calendar months after 1 February 2024 is Saturday 1 February 2025: the review is
    due that day (never Monday 3 February), the team acts by Friday 31 January, and a review
    done on the Monday is a working day late and not counted on time."""
    child = child_in_care(area(BRADFORD), la_child_id="SAT", last_name="Saturday")
    child.date_of_birth = date(2012, 5, 1)
    child.save()
    first = iha(world, child=child, completed_on=date(2024, 2, 1))
    with time_machine.travel("2025-01-27 09:00 +0000", tick=False):
        nurse = as_user("prov_a_nurse")  # signed in that day
        assert clock_codes(child, date(2025, 1, 27))["RHA"].due == date(2025, 2, 1)
        page = nurse.get(reverse("health:worklist"), {"clock": "RHA"}).content.decode()
        assert "1 February 2025 (a Saturday)" in page and "Act by 31 January 2025" in page
        csv = nurse.get(reverse("health:worklist"), {"clock": "RHA", "format": "csv"})
        row = next(r for r in csv.content.decode().splitlines() if "Saturday" in r)
        assert ",2025-02-01,2025-01-31," in row
        child_page = nurse.get(reverse("care:child_detail", args=[child.pk])).content.decode()
        assert "Act by 31 January 2025" in child_page
    review = iha(
        world,
        child=child,
        kind="RHA",
        professional="nurse",
        completed_on=date(2025, 2, 3),
        as_of=date(2025, 2, 10),
    )
    assert first.on_time and (review.due_on, review.working_days_late) == (date(2025, 2, 1), 1)
    assert not review.on_time and review.late_by == "1 working day"
    with time_machine.travel("2025-02-10 09:00 +0000", tick=False):
        url = reverse("care:child_detail", args=[child.pk])
        child_page = as_user("prov_a_nurse").get(url).content.decode()
    assert "1 working day late (due 1 February 2025)" in child_page


def test_an_impossible_date_in_the_record_is_said_on_the_childs_page_not_a_server_error(
    world, as_user
):
    child = child_in_care(area(BRADFORD), la_child_id="FAR", last_name="Faraway")
    child.episodes.update(decom=date(9999, 1, 4))  # written around the services
    page = as_user("prov_a_nurse").get(reverse("care:child_detail", args=[child.pk]))
    assert page.status_code == 200
    assert "Clocks cannot be worked out" in page.content.decode()
    worklist = as_user("prov_a_nurse").get(reverse("health:worklist"))
    assert worklist.status_code == 200 and "Faraway" not in worklist.content.decode()
