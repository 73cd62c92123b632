"""RHA requests accompanied by a recent SDQ, at its edges: an SDQ the window's months before
the request to the day counts and a day earlier does not (31 December less 3 months is 30
September, as the clocks count months); an area's own window; the day of the request; ages 4
(from the birthday) to 16 (until the 17th); review bookings only, not those rescheduled or
cancelled."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from lachealth.health.models import Appointment, SdqResult
from lachealth.insight.measures import BY_KEY, count
from lachealth.insight.periods import year_to_march
from lachealth.quality.models import QaSettings

from ..conftest import BRADFORD, LEEDS
from ..factories import area, child_in_care

pytestmark = pytest.mark.django_db
MEASURE = BY_KEY["rha_request_sdq"]


def booked(world, child, day, kind="RHA", outcome=""):  # type: ignore[no-untyped-def]
    nurse = world.users["prov_a_nurse"]
    return Appointment.objects.create(
        child=child,
        kind=kind,
        provider=world.orgs["prov_a"],
        starts_at=timezone.make_aware(datetime.combine(day + timedelta(21), time(10))),
        venue="Clinic",
        practitioner=nurse,
        booked_by=nurse,
        booked_on=day,
        outcome=outcome,
    )


def sdq(world, child, day):  # type: ignore[no-untyped-def]
    SdqResult.objects.create(
        child=child,
        completed_on=day,
        informant="carer",
        items=[],
        recorded_by=world.users["prov_a_nurse"],
    )


def tally(code: str) -> tuple[int, int]:
    found = count([MEASURE], year_to_march(2026))[MEASURE.key].get(code)
    return (found.numerator, found.denominator) if found else (0, 0)


def test_the_window_counts_calendar_months_to_the_day(world):
    for n, taken in enumerate([date(2025, 9, 30), date(2025, 9, 29), date(2025, 12, 31)]):
        child = child_in_care(area(BRADFORD), la_child_id=f"W{n}", date_of_birth=date(2014, 1, 1))
        sdq(world, child, taken)
        booked(world, child, date(2025, 12, 31))
    assert tally(BRADFORD) == (2, 3)


def test_an_area_sets_its_own_window(world):
    QaSettings.objects.create(area=area(LEEDS), sdq_window_months=1)
    child = child_in_care(area(LEEDS), la_child_id="L1", date_of_birth=date(2014, 1, 1))
    sdq(world, child, date(2025, 12, 1))
    booked(world, child, date(2026, 2, 1))  # 2 months: too old for Leeds
    booked(world, child, date(2026, 1, 1))  # 1 month to the day
    assert tally(LEEDS) == (1, 2)


def test_only_review_bookings_for_four_to_sixteen_year_olds_are_requests(world):
    four = child_in_care(area(BRADFORD), la_child_id="A4", date_of_birth=date(2021, 6, 10))
    booked(world, four, date(2025, 6, 9))  # the day before the 4th birthday: not a request
    booked(world, four, date(2025, 6, 10))  # the 4th birthday
    seventeen = child_in_care(area(BRADFORD), la_child_id="A17", date_of_birth=date(2009, 3, 1))
    booked(world, seventeen, date(2026, 2, 28))  # the eve of the 17th birthday
    booked(world, seventeen, date(2026, 3, 1))  # 17: not a request
    booked(world, four, date(2025, 7, 1), kind="IHA")
    # A rescheduled booking's new booking is the request; a cancelled one is none.
    booked(world, four, date(2025, 8, 1), outcome="rescheduled")
    booked(world, four, date(2025, 9, 1), outcome="cancelled")
    assert tally(BRADFORD) == (0, 2)
