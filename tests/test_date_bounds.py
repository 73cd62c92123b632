"""Impossible dates are refused where they are typed, in words that name the field and the
bound: a date of birth within the last 26 years, an appointment today or within the next year,
events in a child's life by today and not before the birth, a plan action due within 2 years.
Each refusal is a request to the real page, asserting the message and that nothing was
written; the bounds themselves are held to their meaning with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lachealth.care.models import Child
from lachealth.date_bounds import (
    APPOINTMENT,
    DATE_OF_BIRTH,
    PAST_EVENT,
    PLAN_ACTION_DUE,
    DateBounds,
    years_from,
)
from lachealth.forms import NhsForm, SplitDateField
from lachealth.handovers.models import Notification
from lachealth.health import services as health

from .conftest import BRADFORD
from .fuzz.checks import fingerprint, watched_tables
from .fuzz.targets.base import day
from .handovers.helpers import enter_care

#: Every request is posted on this Monday.
TODAY = date(2026, 11, 23)


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def refused(client, url: str, data: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    """Post `data` to `url`: the page refuses it with `message` in its error summary and
    beside the field, and no table (but the access log and the session) changes."""
    tables = watched_tables()
    before = fingerprint(tables)
    response = client.post(url, data)
    page = response.content.decode().replace("&#39;", "'")
    assert response.status_code == 200
    assert "There is a problem" in page and "nhsuk-error-message" in page
    assert message in page
    # in the summary, and beside the field (where a row's message goes without its row)
    assert page.count(message.split(": ", 1)[-1]) >= 2
    assert fingerprint(tables) == before


# ---- a child entering care ------------------------------------------------------------------

ENTRY = {
    "responsible_area": BRADFORD,
    "la_child_id": "NEW9",
    "first_name": "Mo",
    "last_name": "Testchild",
    **day("date_of_birth", date(2018, 2, 14)),
    "sex": "M",
    "ethnicity": "WBRI",
    **day("decom", date(2026, 11, 20)),
    "ls": "C2",
    "cin": "N1",
    "place": "U4",
    "place_provider": "PR1",
    "placement_area": BRADFORD,
    "pl_post": "BD7 1AA",
}


@pytest.mark.usefixtures("today")
@pytest.mark.parametrize(
    ("born", "message"),
    [
        (
            date(1890, 3, 1),
            "Date of birth must be within the last 26 years, on or after 23 November 2000",
        ),
        (
            date(2000, 11, 22),
            "Date of birth must be within the last 26 years, on or after 23 November 2000",
        ),
        (date(2026, 11, 24), "Date of birth must be today or in the past"),
        (date(2999, 1, 1), "Date of birth must be today or in the past"),
    ],
)
def test_a_date_of_birth_beyond_26_years_or_after_today_is_refused(world, as_user, born, message):
    refused(
        as_user("la_a_sw"),
        reverse("care:child_create"),
        ENTRY | day("date_of_birth", born) | day("decom", TODAY),
        message,
    )


@pytest.mark.usefixtures("today")
def test_care_starting_tomorrow_is_refused(world, as_user):
    refused(
        as_user("la_a_sw"),
        reverse("care:child_create"),
        ENTRY | day("decom", TODAY + timedelta(days=1)),
        "Date the child started to be looked after must be today or in the past",
    )


@pytest.mark.usefixtures("today")
def test_leaving_care_tomorrow_is_refused(world, as_user):
    refused(
        as_user("la_a_sw"),
        reverse("care:leaving_create", args=[world.children["child_a"].pk]),
        {**day("dec", TODAY + timedelta(days=1)), "rec": "E13"},
        "Date the child stopped being looked after must be today or in the past",
    )


@pytest.mark.usefixtures("today")
def test_an_older_record_keeps_its_date_of_birth_but_takes_no_new_one_out_of_bounds(world, as_user):
    """A record loaded from an old SSDA903 return may hold a young person now over 26: its
    other details can still be put right, but a date of birth typed anew keeps the bound."""
    child = world.children["child_a"]
    Child.objects.filter(pk=child.pk).update(date_of_birth=date(1999, 6, 1))
    client = as_user("la_a_sw")
    url = reverse("care:child_edit", args=[child.pk])
    details = {
        "la_child_id": "A1",
        "first_name": child.first_name,
        "last_name": child.last_name,
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "nhs_number": "999 123 4519",
    }
    refused(
        client,
        url,
        details | day("date_of_birth", date(1999, 6, 2)),
        "Date of birth must be within the last 26 years, on or after 23 November 2000",
    )
    response = client.post(url, details | day("date_of_birth", date(1999, 6, 1)))
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.date_of_birth, child.nhs_number) == (date(1999, 6, 1), "9991234519")
    # the earliest taken: 26 years ago today
    response = client.post(url, details | day("date_of_birth", date(2000, 11, 23)))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.date_of_birth == date(2000, 11, 23)


# ---- appointments ---------------------------------------------------------------------------


def booking(world, when: date) -> dict:  # type: ignore[no-untyped-def]
    return {
        "kind": "IHA",
        **day("day", when),
        "start_time": "10:30",
        "venue": "Child health clinic",
        "practitioner": str(world.users["prov_a_nurse"].pk),
    }


@pytest.mark.usefixtures("today")
@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            date(2999, 1, 1),
            "Date of the appointment must be within the next year, on or before 23 November 2027",
        ),
        (
            date(2027, 11, 24),
            "Date of the appointment must be within the next year, on or before 23 November 2027",
        ),
        (date(2023, 11, 23), "Date of the appointment must be today or in the future"),
        (date(2026, 11, 22), "Date of the appointment must be today or in the future"),
    ],
)
def test_an_appointment_beyond_the_next_year_or_before_today_is_refused(
    world, as_user, when, message
):
    refused(
        as_user("prov_a_admin"),
        reverse("health:book", args=[world.children["child_a"].pk]),
        booking(world, when),
        message,
    )


@pytest.mark.usefixtures("today")
@pytest.mark.parametrize("when", [TODAY, date(2027, 11, 23)])
def test_an_appointment_from_today_to_a_year_ahead_is_booked(world, as_user, when):
    response = as_user("prov_a_admin").post(
        reverse("health:book", args=[world.children["child_a"].pk]), booking(world, when)
    )
    assert response.status_code == 302


# ---- events in the child's life -------------------------------------------------------------


@pytest.fixture
def waiting(world, today) -> Notification:  # type: ignore[no-untyped-def]
    """A health request awaiting consent for a child born on 4 May 2012."""
    child = enter_care(world, as_of=TODAY)
    return Notification.objects.get(child=child, kind="health_request")


@pytest.mark.parametrize(
    ("given_on", "message"),
    [
        (
            date(2012, 5, 3),
            "The date consent was given must be on or after the date of birth, 4 May 2012",
        ),
        (
            date(1890, 1, 1),
            "Date consent was given must be within the last 26 years, on or after 23 November 2000",
        ),
        (date(2026, 11, 24), "Date consent was given must be today or in the past"),
    ],
)
def test_consent_before_the_birth_or_after_today_is_refused(
    world, as_user, waiting, given_on, message
):
    refused(
        as_user("la_a_sw"),
        reverse("handovers:notification_send", args=[waiting.pk]),
        {"consent_given_by": "parent", **day("consent_on", given_on)},
        message,
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.consent_on) == ("awaiting_consent", None)


@pytest.mark.usefixtures("today")
def test_an_sdq_before_the_birth_is_refused(world, as_user):
    born = world.children["child_a"].date_of_birth
    refused(
        as_user("prov_a_admin"),
        reverse("health:sdq_create", args=[world.children["child_a"].pk]),
        {
            **day("completed_on", born - timedelta(days=1)),
            "informant": "carer",
            **{f"item_{n}": "1" for n in range(1, 26)},
        },
        f"The SDQ date must be on or after the date of birth, {born:%-d %B %Y}",
    )


def assessment(world, **changes) -> dict:  # type: ignore[no-untyped-def]
    return {
        "kind": "IHA",
        **day("completed_on", date(2026, 11, 20)),
        "practitioner": str(world.users["prov_a_nurse"].pk),
        "professional": "medical",
        "immunisations": "yes",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "0",
    } | changes


@pytest.mark.usefixtures("today")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            day("completed_on", TODAY + timedelta(days=1)),
            "Date of the assessment must be today or in the past",
        ),
        (
            day("dental_check_on", TODAY + timedelta(days=1)),
            "Date of the last dental check must be today or in the past",
        ),
        (
            day("immunisations_checked_on", date(1890, 1, 1)),
            "Date immunisations checked must be within the last 26 years, on or after "
            "23 November 2000",
        ),
        (
            {
                "actions-0-need": "Teeth",
                "actions-0-action": "See a dentist",
                "actions-0-owner_kind": "la",
                **day("actions-0-due_on", date(2029, 11, 23)),
            },
            "Action 1: The due date must be within 2 years of today, on or before 23 November 2028",
        ),
    ],
)
def test_an_assessment_completed_tomorrow_or_dated_beyond_its_bounds_is_refused(
    world, as_user, changes, message
):
    refused(
        as_user("prov_a_nurse"),
        reverse("health:assessment_create", args=[world.children["child_a"].pk]),
        assessment(world, **changes),
        message,
    )


@pytest.mark.usefixtures("today")
def test_an_assessment_completed_today_is_recorded(world, as_user):
    response = as_user("prov_a_nurse").post(
        reverse("health:assessment_create", args=[world.children["child_a"].pk]),
        assessment(world, **day("completed_on", TODAY)),
    )
    assert response.status_code == 302


# ---- the bounds themselves ------------------------------------------------------------------

days = st.dates(date(1950, 1, 1), date(2090, 12, 31))
sides = st.one_of(st.none(), st.integers(0, 30))


@given(st.builds(DateBounds, back=sides, ahead=sides), days, days)
def test_a_date_is_refused_exactly_when_it_is_beyond_a_bound_and_the_message_names_it(
    bounds, as_of, value
):
    earliest, latest = bounds.earliest(as_of), bounds.latest(as_of)
    problem = bounds.problem(value, as_of, "Date of the visit")
    within = (earliest is None or earliest <= value) and (latest is None or value <= latest)
    assert (problem is None) == within
    if problem is not None:
        assert problem.startswith("Date of the visit must be ")
        bound = earliest if earliest is not None and value < earliest else latest
        assert bound is not None
        assert ("today" in problem) if bound == as_of else (f"{bound:%-d %B %Y}" in problem)


@given(days, st.integers(-30, 30))
def test_years_from_keeps_the_day_but_29_february_in_a_common_year(day_, years):
    moved = years_from(day_, years)
    assert moved.year == day_.year + years
    if (day_.month, day_.day) == (2, 29) and moved.day != 29:
        assert (moved.month, moved.day) == (2, 28)
    else:
        assert (moved.month, moved.day) == (day_.month, day_.day)


@given(days, st.integers(0, 366 * 26))
def test_a_date_of_birth_or_a_past_event_is_taken_from_26_years_back_to_today(as_of, days_back):
    born = as_of - timedelta(days=days_back)
    for bounds in (DATE_OF_BIRTH, PAST_EVENT):
        problem = bounds.problem(born, as_of, "Date of birth")
        assert (problem is None) == (born >= years_from(as_of, -26))
        assert bounds.problem(as_of + timedelta(days=1), as_of, "Date of birth") == (
            "Date of birth must be today or in the past"
        )


@given(days, st.integers(-800, 800))
def test_the_booking_service_and_the_booking_form_refuse_the_same_days(as_of, offset):
    when = as_of + timedelta(days=offset)
    from_service = health.booking_day_problem(when, as_of)
    assert from_service == APPOINTMENT.problem(when, as_of, "Date of the appointment")
    assert (from_service is None) == (as_of <= when <= years_from(as_of, 1))


@given(days, st.integers(0, 1_000))
def test_a_plan_action_falls_due_at_most_2_years_ahead_and_any_time_before(as_of, offset):
    assert PLAN_ACTION_DUE.problem(as_of - timedelta(days=offset * 30), as_of, "Due") is None
    late = as_of + timedelta(days=offset)
    assert (PLAN_ACTION_DUE.problem(late, as_of, "Due") is None) == (late <= years_from(as_of, 2))


class Visit(NhsForm):
    on = SplitDateField(label="Date of the visit (if known)", required=False, bounds=PAST_EVENT)


@pytest.mark.usefixtures("today")
def test_the_field_names_itself_without_its_bracket_and_keeps_a_date_the_record_holds():
    tomorrow = {"on_0": "24", "on_1": "11", "on_2": "2026"}
    form = Visit(tomorrow)
    assert form.errors == {"on": ["Date of the visit must be today or in the past"]}
    held = Visit(tomorrow, initial={"on": date(2026, 11, 24)})
    assert held.is_valid() and held.cleaned_data["on"] == date(2026, 11, 24)
    named = SplitDateField(label="Due by", named="The due date", bounds=PLAN_ACTION_DUE)
    with pytest.raises(ValidationError, match="The due date must be within 2 years of today"):
        named.clean(["1", "1", "2099"])
    with pytest.raises(ValidationError, match="Enter the due date"):
        named.clean(["", "", ""])
