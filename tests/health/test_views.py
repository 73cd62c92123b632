"""Health pages: the worklist, booking, outcomes, assessments, SDQ and actions, per role."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lachealth.care import services as care_services
from lachealth.health.models import Appointment, HealthAssessment, HealthPlanAction, SdqResult
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE
from ..factories import EpisodeFactory, area, child_in_care

# World children start care on 10 January 2024: the IHA is due on 7 February 2024.
TODAY = "2024-02-01 10:00:00 +0000"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def names_on(page: str, world) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        n for n, c in world.children.items() if reverse("care:child_detail", args=[c.pk]) in page
    }


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),
        ("prov_a_admin", 200),
        ("icb_designated", 200),
        ("la_a_sw", 200),  # their LA's children's clocks, to read
        ("commissioner", 403),
        ("sysadmin", 403),
        ("norole", 403),
    ],
)
def test_worklist_is_for_health_teams_and_la_staff(world, as_user, user, status):
    assert as_user(user).get(reverse("health:worklist")).status_code == status


def test_worklist_needs_sign_in(world):
    response = Client().get(reverse("health:worklist"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_worklist_shows_the_providers_children_and_those_placed_into_its_area(world, as_user):
    page = as_user("prov_a_nurse").get(reverse("health:worklist")).content.decode()
    assert names_on(page, world) == {"child_a", "child_a_out"}
    assert "Initial health assessment" in page and "Due in 4 working days" in page
    page = as_user("prov_c_nurse").get(reverse("health:worklist")).content.decode()
    assert names_on(page, world) == {"child_a_out", "child_c"}
    assert page.count("Placed into your area") == 2  # the IHA and SDQ rows of child_a_out
    assert "<img" in page and "Bar chart of clocks by status" in page


def test_worklist_filters_and_csv_download_is_audited(world, as_user):
    client = as_user("prov_a_nurse")
    page = client.get(reverse("health:worklist"), {"placed": CALDERDALE}).content.decode()
    assert names_on(page, world) == {"child_a_out"}
    page = client.get(reverse("health:worklist"), {"clock": "SDQ"}).content.decode()
    table = page[page.index('id="worklist"') :]
    assert "Strengths and difficulties" in table and "Dental check" not in table
    response = client.get(reverse("health:worklist"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "Ashby" in response.content.decode() and "Bexley" not in response.content.decode()
    assert AccessLog.objects.filter(action="export", detail__startswith="worklist CSV").exists()


def test_worklist_query_count_does_not_grow_with_children(world, as_user):
    client = as_user("prov_a_admin")
    client.get(reverse("health:worklist"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("health:worklist")).status_code == 200
        return len(ctx)

    few = count()
    for i in range(40):
        child_in_care(area(BRADFORD), la_child_id=f"W{i}", date_of_birth=date(2012, 1, 1))
    assert count() == few


def test_the_worklist_is_the_same_when_its_children_are_read_in_batches(
    world, as_user, monkeypatch
):
    """Children's clock facts are read in batches (lest a footprint's thousands of children
    pass a database's bound on parameters): batches of one give the same rows."""
    from lachealth.health import selectors

    client = as_user("prov_a_admin")
    for i in range(3):
        child_in_care(area(BRADFORD), la_child_id=f"B{i}", date_of_birth=date(2012, 1, 1))
    whole = client.get(reverse("health:worklist")).content.decode()
    monkeypatch.setattr(selectors, "FACTS_BATCH", 1)
    batched = client.get(reverse("health:worklist")).content.decode()
    rows = re.compile(r"<tr.*?</tr>", re.S)
    assert len(rows.findall(whole)) > 4
    assert rows.findall(batched) == rows.findall(whole)


def test_short_breaks_and_leaving_care_have_no_clocks(world, as_user):
    short = child_in_care(area(BRADFORD), la_child_id="SB1", last_name="Shortbreak")
    short.episodes.update(ls="V3")
    care_services.record_leaving_care(
        by=world.users["la_a_sw"], child=world.children["child_a"], on=date(2024, 1, 20), rec="E4A"
    )
    page = as_user("prov_a_nurse").get(reverse("health:worklist")).content.decode()
    assert "Shortbreak" not in page and "Ashby" not in page and "Outram" in page


def book(client, child, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "kind": "IHA",
        "day_0": "5",
        "day_1": "2",
        "day_2": "2024",
        "start_time": "10:30",
        "venue": "Child health clinic",
        "practitioner": overrides.pop("practitioner"),
    }
    return client.post(reverse("health:book", args=[child.pk]), data | overrides)


@pytest.mark.parametrize(
    ("user", "child", "status"),
    [
        ("prov_a_admin", "child_a", 200),
        ("prov_a_nurse", "child_a", 200),
        ("prov_c_nurse", "child_a_out", 200),
        ("prov_c_nurse", "child_a", 404),
        ("prov_a_nurse", "child_b", 404),
        ("la_a_sw", "child_a", 403),
        ("icb_designated", "child_a", 403),
        ("commissioner", "child_a", 403),
    ],
)
def test_booking_page_access(world, as_user, user, child, status):
    url = reverse("health:book", args=[world.children[child].pk])
    assert as_user(user).get(url).status_code == status


def test_declined_iha_keeps_its_clock_running_with_the_reason(world, as_user):
    client = as_user("prov_a_admin")
    child = world.children["child_a"]
    response = book(client, child, practitioner=world.users["prov_a_nurse"].pk)
    assert response.status_code == 302
    appointment = Appointment.objects.get(child=child)
    page = client.get(reverse("health:worklist")).content.decode()
    assert "Booked 5 February 2024 at 10:30" in page
    response = client.post(
        reverse("health:outcome", args=[appointment.pk]), {"outcome": "declined", "reason": ""}
    )
    assert "Say why" in response.content.decode()
    client.post(
        reverse("health:outcome", args=[appointment.pk]),
        {"outcome": "declined", "reason": "Young person wants a female doctor"},
    )
    page = client.get(reverse("health:worklist")).content.decode()
    assert "Declined: Young person wants a female doctor" in page
    assert "Initial health assessment" in page


def test_booking_refuses_a_practitioner_who_does_not_serve_the_child(world, as_user):
    response = book(
        as_user("prov_a_admin"),
        world.children["child_a"],
        practitioner=world.users["prov_c_nurse"].pk,
    )
    assert response.status_code == 200 and not Appointment.objects.exists()


ASSESSMENT = {
    "kind": "IHA",
    "completed_on_0": "1",
    "completed_on_1": "2",
    "completed_on_2": "2024",
    "professional": "medical",
    "height_cm": "140",
    "weight_kg": "35",
    "immunisations": "yes",
    "dental_check_on_0": "3",
    "dental_check_on_1": "1",
    "dental_check_on_2": "2024",
    "consent_recorded": "on",
    "voice_of_child": "Likes football",
    "actions-TOTAL_FORMS": "3",
    "actions-INITIAL_FORMS": "0",
    "entries-TOTAL_FORMS": "1",
    "entries-INITIAL_FORMS": "0",
}


def assess(client, world, child="child_a", **overrides):  # type: ignore[no-untyped-def]
    data = ASSESSMENT | {"practitioner": world.users["prov_a_nurse"].pk} | overrides
    return client.post(reverse("health:assessment_create", args=[world.children[child].pk]), data)


def test_recording_an_iha_stops_its_clock_and_starts_the_review(world, as_user):
    client = as_user("prov_a_nurse")
    response = assess(
        client,
        world,
        **{
            "actions-0-need": "Dental decay",
            "actions-0-action": "Register with a dentist",
            "actions-0-owner_kind": "la",
            "actions-0-due_on_0": "1",
            "actions-0-due_on_1": "3",
            "actions-0-due_on_2": "2024",
        },
    )
    assert response.status_code == 302
    assessment = HealthAssessment.objects.get()
    assert assessment.due_on == date(2024, 2, 7) and assessment.working_days_late == 0
    assert assessment.bmi is not None and assessment.bmi_centile is not None
    page = client.get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
    text = page.content.decode()
    assert "Done on time" in text and "Review health assessment" in text
    worklist = client.get(reverse("health:worklist"), {"clock": "IHA"}).content.decode()
    assert "Ashby" not in worklist
    action = HealthPlanAction.objects.get()
    assert action.owner == world.orgs["la_a"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"professional": "nurse"}, "registered medical practitioner"),
        ({"completed_on_2": "2023"}, "on or after the day the child came into care"),
        ({"completed_on_1": "3"}, "today or in the past"),
        ({"height_cm": ""}, "Enter both height and weight"),
        ({"actions-0-action": "See dentist"}, "Enter the need"),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_saved(world, as_user, overrides, message):
    response = assess(as_user("prov_a_nurse"), world, **overrides)
    assert response.status_code == 200 and message in response.content.decode()
    assert not HealthAssessment.objects.exists() and not HealthPlanAction.objects.exists()


def test_a_second_assessment_on_the_same_day_is_refused(world, as_user):
    client = as_user("prov_a_nurse")
    assert assess(client, world).status_code == 302
    response = assess(client, world, kind="RHA")
    assert "already recorded for this child on this date" in response.content.decode()
    assert HealthAssessment.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "status"),
    [("prov_a_nurse", 200), ("prov_a_admin", 403), ("la_a_sw", 403), ("prov_c_nurse", 404)],
)
def test_only_practitioners_record_assessments(world, as_user, user, status):
    url = reverse("health:assessment_create", args=[world.children["child_a"].pk])
    assert as_user(user).get(url).status_code == status


def sdq_post(client, child, **items):  # type: ignore[no-untyped-def]
    data = (
        {
            "completed_on_0": "20",
            "completed_on_1": "1",
            "completed_on_2": "2024",
            "informant": "carer",
        }
        | {f"item_{n}": "1" for n in range(1, 26)}
        | items
    )
    return client.post(reverse("health:sdq_create", args=[child.pk]), data)


def test_recording_an_sdq_scores_it(world, as_user):
    client = as_user("prov_a_admin")
    assert sdq_post(client, world.children["child_a"]).status_code == 302
    result = SdqResult.objects.get()
    assert result.total_difficulties == 20 and result.band == "high"
    page = client.get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
    assert "High: cause for concern" in page.content.decode()


def two_sdqs(world, as_user):  # type: ignore[no-untyped-def]
    """Two carer SDQs for child_a, of 20 and 25 January 2024, with different totals."""
    client = as_user("prov_a_admin")
    child = world.children["child_a"]
    assert sdq_post(client, child).status_code == 302
    lower = {f"item_{n}": "0" for n in range(1, 11)}
    assert sdq_post(client, child, completed_on_0="25", **lower).status_code == 302
    return child


def test_the_child_page_loads_the_sdq_chart_lazily_with_its_numbers_in_words(world, as_user):
    child = two_sdqs(world, as_user)
    page = as_user("prov_a_nurse").get(reverse("care:child_detail", args=[child.pk]))
    img = re.search(
        r'<img class="app-chart app-chart--line" src="([^"]+)" alt="([^"]+)" '
        r'loading="lazy">',
        page.content.decode(),
    )
    assert img is not None
    assert img.group(1) == reverse("health:sdq_chart", args=[child.pk])
    totals = SdqResult.objects.order_by("completed_on").values_list("total_difficulties", flat=True)
    assert img.group(2).endswith(f"20 Jan 2024 {totals[0]}, 25 Jan 2024 {totals[1]}")
    assert totals[0] != totals[1]
    chart = as_user("prov_a_nurse").get(img.group(1))
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml") and b"Total difficulties" in chart.content
    assert chart["Cache-Control"] == "no-store"  # health data stays off shared computers


def test_a_changed_score_changes_the_chart(world, as_user):
    child = two_sdqs(world, as_user)
    nurse = as_user("prov_a_nurse")
    url = reverse("health:sdq_chart", args=[child.pk])
    before = nurse.get(url).content
    SdqResult.objects.filter(completed_on=date(2024, 1, 25)).update(total_difficulties=12)
    assert nurse.get(url).content != before


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),
        ("prov_a_admin", 200),
        ("prov_c_nurse", 404),  # another area's team: as if the child did not exist
        ("la_a_sw", 403),  # the LA sees that SDQs were done, not the chart
        ("la_b_sw", 404),
        ("commissioner", 403),  # no child's record at all
        ("sysadmin", 403),
    ],
)
def test_the_sdq_chart_is_for_the_childs_health_team(world, as_user, user, status):
    child = two_sdqs(world, as_user)
    response = as_user(user).get(reverse("health:sdq_chart", args=[child.pk]))
    assert response.status_code == status


def test_no_chart_for_fewer_than_two_sdqs(world, as_user):
    child = world.children["child_a"]
    nurse = as_user("prov_a_nurse")
    assert nurse.get(reverse("health:sdq_chart", args=[child.pk])).status_code == 404
    assert sdq_post(as_user("prov_a_admin"), child).status_code == 302
    assert nurse.get(reverse("health:sdq_chart", args=[child.pk])).status_code == 404
    page = nurse.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert "sdq-chart" not in page


def test_an_sdq_item_outside_0_to_2_is_refused(world, as_user):
    response = sdq_post(as_user("prov_a_admin"), world.children["child_a"], item_7="3")
    assert "Item 7: choose a score of 0, 1 or 2" in response.content.decode()
    assert not SdqResult.objects.exists()


def test_the_la_sees_and_completes_the_actions_it_owns(world, as_user):
    assess(
        as_user("prov_a_nurse"),
        world,
        **{
            "actions-0-need": "Dental",
            "actions-0-action": "Register with a dentist",
            "actions-0-owner_kind": "la",
            "actions-0-due_on_0": "1",
            "actions-0-due_on_1": "3",
            "actions-0-due_on_2": "2024",
            "actions-1-need": "Sleep",
            "actions-1-action": "Sleep clinic referral",
            "actions-1-owner_kind": "health",
            "actions-1-due_on_0": "1",
            "actions-1-due_on_1": "3",
            "actions-1-due_on_2": "2024",
        },
    )
    social_worker = as_user("la_a_sw")
    page = social_worker.get(reverse("health:actions")).content.decode()
    assert "Register with a dentist" in page and "Sleep clinic referral" not in page
    la_action = HealthPlanAction.objects.get(owner=world.orgs["la_a"])
    health_action = HealthPlanAction.objects.get(owner=world.orgs["prov_a"])
    assert (
        social_worker.get(reverse("health:action_done", args=[health_action.pk])).status_code == 403
    )
    response = social_worker.post(
        reverse("health:action_done", args=[la_action.pk]),
        {"note": "Registered at the Green Lane practice"},
    )
    assert response.status_code == 302
    la_action.refresh_from_db()
    assert la_action.status == "done" and la_action.done_by == world.users["la_a_sw"]
    assert (
        as_user("la_b_sw").get(reverse("health:action_done", args=[la_action.pk])).status_code
        == 404
    )


def test_a_child_moving_out_of_area_stays_on_the_responsible_list(world, as_user):
    child = child_in_care(area(BRADFORD), la_child_id="MV1", last_name="Mover")
    care_services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2024, 1, 20),
        ls="C2",
        placement=care_services.PlacementDetails("U6", "PR1", area(CALDERDALE), "HX1 1AA"),
        reason_place_change="CARPL",
    )
    assert "Mover" in as_user("prov_a_nurse").get(reverse("health:worklist")).content.decode()
    page = as_user("prov_c_nurse").get(reverse("health:worklist")).content.decode()
    assert "Mover" in page and "Placed into your area" in page
    assert EpisodeFactory._meta.model.objects.filter(child=child).count() == 2


@pytest.mark.parametrize(
    ("user", "child", "status"),
    [
        ("prov_a_admin", "child_a", 200),
        ("prov_a_nurse", "child_a", 200),
        ("prov_c_nurse", "child_a_out", 200),
        ("prov_c_nurse", "child_a", 404),
        ("prov_a_nurse", "child_b", 404),
        ("la_a_sw", "child_a", 403),
        ("icb_designated", "child_a", 403),
        ("commissioner", "child_a", 403),
        ("sysadmin", "child_a", 403),
    ],
)
def test_sdq_page_access(world, as_user, user, child, status):
    url = reverse("health:sdq_create", args=[world.children[child].pk])
    assert as_user(user).get(url).status_code == status


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_admin", 200),
        ("prov_a_nurse", 200),
        ("la_a_sw", 403),
        ("prov_c_nurse", 404),
        ("la_b_sw", 404),
        ("commissioner", 404),
    ],
)
def test_outcome_page_access(world, as_user, user, status):
    book(
        as_user("prov_a_admin"),
        world.children["child_a"],
        practitioner=world.users["prov_a_nurse"].pk,
    )
    appointment = Appointment.objects.get()
    response = as_user(user).get(reverse("health:outcome", args=[appointment.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("la_a_sw", 200),
        ("prov_a_nurse", 200),
        ("icb_designated", 200),
        ("commissioner", 403),
        ("sysadmin", 403),
        ("norole", 403),
    ],
)
def test_actions_page_access(world, as_user, user, status):
    assert as_user(user).get(reverse("health:actions")).status_code == status


def test_anonymous_users_are_sent_to_sign_in_from_every_health_page(world):
    child = world.children["child_a"].pk
    for url in [
        reverse("health:book", args=[child]),
        reverse("health:sdq_create", args=[child]),
        reverse("health:assessment_create", args=[child]),
        reverse("health:actions"),
        reverse("health:outcome", args=[1]),
        reverse("health:action_done", args=[1]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


def test_the_la_sees_clocks_but_no_health_recording_buttons(world, as_user):
    page = (
        as_user("la_a_sw")
        .get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
        .content.decode()
    )
    assert "Initial health assessment" in page and "Due in 4 working days" in page
    assert "Book an assessment" not in page and "Record a health assessment" not in page


def test_opening_a_health_form_is_logged_as_a_view(world, as_user):
    child = world.children["child_a"]
    as_user("prov_a_nurse").get(reverse("health:assessment_create", args=[child.pk]))
    assert AccessLog.objects.filter(
        child_id=child.pk, action="view", detail="assessment_create"
    ).exists()


def test_each_unbooked_assessment_on_the_worklist_can_be_booked_from_its_row(world, as_user):
    book = reverse("health:book", args=[world.children["child_a"].pk])
    page = as_user("prov_a_nurse").get(reverse("health:worklist")).content.decode()
    assert f'href="{book}"' in page and "the initial health assessment for Ashby" in page
    assert as_user("prov_a_nurse").get(book).status_code == 200
    # The designated nurse sees the clocks but books nothing.
    overseen = as_user("icb_designated").get(reverse("health:worklist")).content.decode()
    assert "Ashby" in overseen and f'href="{book}"' not in overseen


@time_machine.travel(datetime(2026, 11, 23, 9), tick=False)
def test_the_appointments_list_is_the_teams_own(world, as_user):
    def booked(child, provider, nurse, day):  # type: ignore[no-untyped-def]
        return Appointment.objects.create(
            child=child,
            kind="IHA",
            provider=world.orgs[provider],
            starts_at=timezone.make_aware(datetime(2026, 11, day, 10)),
            venue=f"{provider} clinic",
            practitioner=world.users[nurse],
            booked_by=world.users[nurse],
        )

    booked(world.children["child_a"], "prov_a", "prov_a_nurse", 23)
    booked(world.children["child_a"], "prov_a", "prov_a_nurse", 30)
    booked(world.children["child_c"], "prov_c", "prov_c_nurse", 23)
    nurse = as_user("prov_a_nurse")
    today = nurse.get(reverse("health:appointments")).content.decode()
    assert "1 appointment<" in today and "prov_a clinic" in today and "prov_c clinic" not in today
    later = nurse.get(reverse("health:appointments"), {"when": "upcoming", "mine": "1"})
    assert "2 appointments" in later.content.decode()
    assert (
        "0 appointments"
        in as_user("prov_a_admin")
        .get(reverse("health:appointments"), {"mine": "1"})
        .content.decode()
    )
    for user in ("la_a_sw", "commissioner", "sysadmin"):
        assert as_user(user).get(reverse("health:appointments")).status_code == 403


def test_every_refusal_of_an_assessment_shows_at_once(world, as_user):
    """The service's refusals come together, each by its field: an IHA by a nurse, a dental
    check before the birth and an action due before the assessment, in one answer."""
    response = assess(
        as_user("prov_a_nurse"),
        world,
        professional="nurse",
        dental_check_on_0="5",
        dental_check_on_1="2",
        dental_check_on_2="2015",
        **{
            "actions-0-need": "Teeth",
            "actions-0-action": "See a dentist",
            "actions-0-owner_kind": "health",
            "actions-0-due_on_0": "1",
            "actions-0-due_on_1": "1",
            "actions-0-due_on_2": "2024",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    for message in (
        "An initial health assessment must be done by a registered medical practitioner",
        "The dental check date must be between the date of birth and the date of the assessment",
        "is due before the assessment",
    ):
        assert re.search(r">\s*[^<]*" + re.escape(message), text), message
    assert not HealthAssessment.objects.exists()
