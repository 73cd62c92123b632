"""One team arranges a child's health assessments at a time: the Bradford and Calderdale case
(both teams accepted, neither was told), explicit take-overs, the notice to the team that
lost them with its booking to cancel, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from lachealth.care import services as care
from lachealth.handovers import services as handovers
from lachealth.handovers.models import Message, Notification
from lachealth.health import ownership, services
from lachealth.health.models import Appointment, AssessmentTeam, HealthAssessment

from ..conftest import CALDERDALE
from ..factories import area
from ..handovers.helpers import enter_care

ENTERED = date(2026, 11, 2)  # a Monday
MOVED = date(2026, 11, 16)
TODAY = date(2026, 11, 23)


def _consent_and_accept(world, child, as_of):  # type: ignore[no-untyped-def]
    request = Notification.objects.get(child=child, kind="health_request")
    handovers.send_health_request(
        by=world.users["la_a_sw"],
        notification=request,
        consent_given_by="parent",
        consent_on=ENTERED,
        as_of=as_of,
    )
    return handovers.accept_assessment_request(
        by=world.users["prov_a_nurse"], notification=request, as_of=as_of
    )


def _book(world, nurse, child, day, as_of):  # type: ignore[no-untyped-def]
    return services.book_appointment(
        by=world.users[nurse],
        child=child,
        kind="IHA",
        starts_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10)),
        venue="Clinic",
        practitioner=world.users[nurse],
        as_of=as_of,
    )


def _move_to_calderdale(world, child):  # type: ignore[no-untyped-def]
    care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=MOVED,
        ls="C2",
        placement=care.PlacementDetails(
            place="U4", place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
        ),
        reason_place_change="CARPL",
        as_of=MOVED,
    )
    child.refresh_from_db()
    return Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")


@pytest.fixture
def bradford_case(world):  # type: ignore[no-untyped-def]
    """Bradford accepted the health request and booked an IHA at its clinic; the child then
    moved to Calderdale, whose team has the out-of-area notice."""
    child = enter_care(world, decom=ENTERED, as_of=ENTERED)
    _consent_and_accept(world, child, ENTERED)
    booking = _book(world, "prov_a_nurse", child, date(2026, 11, 27), ENTERED)
    notice = _move_to_calderdale(world, child)
    return child, booking, notice


def test_accepting_the_health_request_makes_that_team_arrange_the_assessments(world):
    child = enter_care(world, decom=ENTERED, as_of=ENTERED)
    assert ownership.current(child) is None
    _consent_and_accept(world, child, ENTERED)
    team = ownership.current(child)
    assert (team.team, team.since, team.how, team.taken_by) == (
        world.orgs["prov_a"],
        ENTERED,
        "health_request",
        world.users["prov_a_nurse"],
    )
    assert team.description == "Provider A since 2 November 2026 (accepted the health request)"


def test_accepting_the_out_of_area_notice_transfers_them_and_tells_the_other_team(
    world, bradford_case
):
    child, booking, notice = bradford_case
    handovers.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=TODAY
    )
    teams = AssessmentTeam.objects.filter(child=child).order_by("since", "pk")
    assert [(t.team.name, t.since, t.until, t.how) for t in teams] == [
        ("Provider A", ENTERED, TODAY, "health_request"),
        ("Provider C", TODAY, None, "out_of_area"),
    ]
    told = Notification.objects.get(child=child, kind="transfer")
    assert (told.sender, told.recipient, told.status, told.sent_on, told.event_date) == (
        world.orgs["prov_c"],
        world.orgs["prov_a"],
        "sent",
        TODAY,
        TODAY,
    )
    assert told.acknowledge_by == date(2026, 11, 30)  # 5 working days
    # Bradford's booking, still open, is what it is offered to cancel
    assert ownership.open_bookings(child, world.orgs["prov_a"].pk, TODAY) == [booking]
    # a second acceptance, or the same team taking again, changes nothing
    handovers.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=TODAY
    )
    assert AssessmentTeam.objects.filter(child=child).count() == 2
    assert Notification.objects.filter(child=child, kind="transfer").count() == 1


def test_no_second_team_books_while_another_arranges_them(world, bradford_case):
    child, booking, notice = bradford_case
    handovers.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        _book(world, "prov_a_nurse", child, date(2026, 12, 4), TODAY)
    assert "Provider C arranges this child's health assessments, since 23 November 2026" in str(
        refused.value
    )
    assert list(Appointment.objects.filter(child=child)) == [booking]


def test_nor_records_an_assessment(world, bradford_case):
    child, _, _ = bradford_case
    ownership.take(
        child=child,
        team=world.orgs["prov_c"],
        by=world.users["prov_c_nurse"],
        how="took_over",
        reason="Placed with us now",
        as_of=TODAY,
    )
    with pytest.raises(ValidationError, match="take them over first"):
        services.record_assessment(
            by=world.users["prov_a_nurse"],
            child=child,
            kind="IHA",
            completed_on=TODAY,
            practitioner=world.users["prov_a_nurse"],
            professional="medical",
            details={"immunisations": "yes"},
            as_of=TODAY,
        )
    assert not HealthAssessment.objects.filter(child=child).exists()


def test_taking_over_needs_a_reason_which_the_other_team_reads(world, bradford_case):
    child, _, _ = bradford_case
    with pytest.raises(ValidationError) as refused:
        ownership.take(
            child=child,
            team=world.orgs["prov_c"],
            by=world.users["prov_c_nurse"],
            how="took_over",
            reason="  ",
            as_of=TODAY,
        )
    assert "reason" in refused.value.message_dict
    assert ownership.current(child).team == world.orgs["prov_a"]
    assert not Notification.objects.filter(child=child, kind="transfer").exists()
    ownership.take(
        child=child,
        team=world.orgs["prov_c"],
        by=world.users["prov_c_nurse"],
        how="took_over",
        reason="Agreed by phone with Bradford",
        as_of=TODAY,
    )
    told = Notification.objects.get(child=child, kind="transfer")
    assert [m.text for m in Message.objects.filter(notification=told)] == [
        "We took over the health assessments: Agreed by phone with Bradford"
    ]
    assert [m.organisation for m in Message.objects.filter(notification=told)] == [
        world.orgs["prov_c"]
    ]


def test_a_team_cannot_take_them_from_before_the_other_had_them(world, bradford_case):
    child, _, _ = bradford_case
    with pytest.raises(ValidationError, match="cannot take them from an earlier day"):
        ownership.take(
            child=child,
            team=world.orgs["prov_c"],
            by=world.users["prov_c_nurse"],
            how="took_over",
            reason="Backdated",
            as_of=date(2026, 10, 1),
        )
    assert AssessmentTeam.objects.filter(child=child).count() == 1


def test_taking_them_back_sends_a_new_notice_to_the_other_team(world, bradford_case):
    child, _, notice = bradford_case
    handovers.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=TODAY
    )
    ownership.take(
        child=child,
        team=world.orgs["prov_a"],
        by=world.users["prov_a_nurse"],
        how="took_over",
        reason="Calderdale cannot see the child before the deadline",
        as_of=date(2026, 11, 24),
    )
    assert ownership.current(child).team == world.orgs["prov_a"]
    notices = Notification.objects.filter(child=child, kind="transfer").order_by("pk")
    assert [(n.sender.name, n.recipient.name) for n in notices] == [
        ("Provider C", "Provider A"),
        ("Provider A", "Provider C"),
    ]
    # and Calderdale in turn: the one notice to Bradford is sent again, not duplicated
    ownership.take(
        child=child,
        team=world.orgs["prov_c"],
        by=world.users["prov_c_nurse"],
        how="took_over",
        reason="Agreed again",
        as_of=date(2026, 11, 25),
    )
    to_a = Notification.objects.get(child=child, kind="transfer", recipient=world.orgs["prov_a"])
    assert (to_a.event_date, to_a.status, to_a.acknowledged_on) == (
        date(2026, 11, 25),
        "sent",
        None,
    )


def test_the_first_booking_claims_them_when_no_team_has(world):
    child = world.children["child_a"]
    with time_machine.travel(datetime(2026, 11, 23, 9), tick=False):
        _book(world, "prov_a_nurse", child, date(2026, 11, 30), TODAY)
    team = ownership.current(child)
    assert (team.team, team.how) == (world.orgs["prov_a"], "booked")
    assert not Notification.objects.filter(child=child, kind="transfer").exists()


def test_a_refused_booking_claims_nothing(world):
    child = world.children["child_a"]
    with pytest.raises(ValidationError):
        _book(world, "prov_a_nurse", child, date(2026, 11, 1), TODAY)  # in the past
    assert ownership.current(child) is None


# ---- pages ----------------------------------------------------------------------------------


@pytest.fixture
def transferred(world, bradford_case):  # type: ignore[no-untyped-def]
    child, booking, notice = bradford_case
    handovers.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=TODAY
    )
    return child, booking


def test_both_worklists_and_the_childs_page_say_which_team(world, as_user, transferred):
    child, _ = transferred
    with time_machine.travel(datetime(2026, 11, 23, 9), tick=False):
        bradford = as_user("prov_a_nurse").get("/worklist/?weeks=8")
        calderdale = as_user("prov_c_nurse").get("/worklist/?weeks=8")
        page = as_user("prov_a_nurse").get(f"/children/{child.pk}/")
        social_worker = as_user("la_a_sw").get(f"/children/{child.pk}/")
    text = bradford.content.decode()
    assert "Arranged by Provider C" in text
    assert f'href="/children/{child.pk}/take-over/"' in text
    assert f'href="/children/{child.pk}/book/"' not in text
    assert "Arranged by your team" in calderdale.content.decode()
    body = page.content.decode()
    assert "Provider C</span>" not in body
    assert "Health assessments arranged by:</strong>\n  Provider C, since 23 November 2026" in body
    assert "Take over the health assessments" in body
    assert "Your team's booking may not be needed" in body
    assert "Cancel this booking" in body
    assert "Provider C, since 23 November 2026" in social_worker.content.decode()


def test_the_book_page_offers_taking_over_instead_of_a_form(world, as_user, transferred):
    child, _ = transferred
    page = as_user("prov_a_nurse").get(f"/children/{child.pk}/book/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Provider C arranges this child's health assessments" in body
    assert 'name="venue"' not in body
    assert f"/children/{child.pk}/take-over/?next=" in body


def test_the_transfer_notice_offers_the_booking_for_cancellation(world, as_user, transferred):
    child, booking = transferred
    told = Notification.objects.get(child=child, kind="transfer")
    with time_machine.travel(datetime(2026, 11, 23, 9), tick=False):
        body = as_user("prov_a_nurse").get(f"/notifications/{told.pk}/").content.decode()
    assert "Provider C took over this child&#39;s health assessments on 23 November 2026" in body
    assert f'href="/appointments/{booking.pk}/outcome/?outcome=cancelled"' in body
    form = as_user("prov_a_nurse").get(f"/appointments/{booking.pk}/outcome/?outcome=cancelled")
    assert 'value="cancelled" checked' in form.content.decode()
    with time_machine.travel(datetime(2026, 11, 23, 9), tick=False):
        done = as_user("prov_a_nurse").post(
            f"/appointments/{booking.pk}/outcome/",
            {"outcome": "cancelled", "reason": "Calderdale are seeing her"},
        )
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.outcome, booking.outcome_reason) == ("cancelled", "Calderdale are seeing her")
    # the team that took over sees its notice too, and the thread between the two
    assert as_user("prov_c_nurse").get(f"/notifications/{told.pk}/").status_code == 200
    assert as_user("la_a_sw").get(f"/notifications/{told.pk}/").status_code == 404


def test_accepting_warns_when_another_team_arranges_them(world, as_user, bradford_case):
    _, _, notice = bradford_case
    body = as_user("prov_c_nurse").get(f"/notifications/{notice.pk}/").content.decode()
    assert "Another team arranges this child&#39;s assessments" in body
    assert "Accepting this request takes them over: Provider A will be told" in body
    assert "the child is now placed out of area, in Calderdale" in body


def test_the_take_over_page(world, as_user, bradford_case):
    child, _, _ = bradford_case
    url = f"/children/{child.pk}/take-over/"
    nurse = as_user("prov_c_nurse")
    assert "Provider A arranges this child" in nurse.get(url).content.decode()
    refused = nurse.post(url, {"reason": ""})
    assert "Say why your team is taking over the assessments" in refused.content.decode()
    assert ownership.current(child).team == world.orgs["prov_a"]
    done = nurse.post(url, {"reason": "Placed here now", "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == f"/children/{child.pk}/"
    assert ownership.current(child).team == world.orgs["prov_c"]
    after = nurse.post(url, {"reason": "Again", "next": f"/children/{child.pk}/book/"})
    assert after["Location"] == f"/children/{child.pk}/book/"


@pytest.mark.parametrize(
    ("user", "status"),
    [("la_a_sw", 403), ("icb_designated", 403), ("commissioner", 403), ("la_b_sw", 404)],
)
def test_only_a_health_team_serving_the_child_takes_over(world, as_user, user, status):
    child = world.children["child_a"]
    url = f"/children/{child.pk}/take-over/"
    assert as_user(user).get(url).status_code == status
    assert as_user(user).post(url, {"reason": "Mine"}).status_code == status
    assert ownership.current(child) is None


def test_another_areas_team_gets_404(world, as_user):
    child = world.children["child_b"]  # Leeds: Provider C does not serve it
    url = f"/children/{child.pk}/take-over/"
    assert as_user("prov_c_nurse").get(url).status_code == 404
    assert as_user("prov_c_nurse").post(url, {"reason": "Mine"}).status_code == 404
    assert not AssessmentTeam.objects.exists()


def test_the_worklist_csv_names_the_team(world, as_user, transferred):
    with time_machine.travel(datetime(2026, 11, 23, 9), tick=False):
        got = as_user("prov_a_nurse").get("/worklist/?weeks=8&format=csv")
    lines = got.content.decode().splitlines()
    assert lines[0].endswith(",assessments arranged by")
    assert any(line.endswith(",Provider C") for line in lines[1:])
