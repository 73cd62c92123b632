"""Browser journeys of the day's work, keyboard only, with axe-core on each page:

- a LAC nurse's morning from the home page: the counts lead to today's appointments and the
  overdue clocks, and an overdue assessment is booked from the worklist;
- Calderdale's team arranges an IHA from an out-of-area notice and takes the assessments
  over from Bradford, which is told and cancels its own booking.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from lachealth.care import services as care
from lachealth.care import team
from lachealth.handovers import services as handovers
from lachealth.handovers.models import Notification
from lachealth.health import ownership
from lachealth.health import services as health
from lachealth.health.models import Appointment

from ..conftest import CALDERDALE
from ..factories import TOTPDeviceFactory, area
from ..handovers.helpers import enter_care
from .conftest import check_accessibility
from .test_journeys import pytestmark, sign_in  # noqa: F401  (same markers: system, db)

TODAY = "2026-11-23 09:00:00 +0000"  # a Monday
MAX_TABS = 200


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"{target} never took the focus by Tab")


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def named(user, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    user.first_name, user.last_name = first, last
    user.save()
    TOTPDeviceFactory(user=user)


def count(page: Page, label: str) -> Locator:
    """A home-page count's link, named by its number and label."""
    return page.get_by_role("link", name=re.compile(rf"^\d+ {re.escape(label)}$"))


def test_a_nurses_morning_from_the_home_page(live_server, page: Page, world):
    nurse = world.users["prov_a_nurse"]
    named(nurse, "Nadia", "Khan")
    child = world.children["child_a"]  # in care since 10 January 2024: her clocks are overdue
    with time_machine.travel(TODAY, tick=True):
        health.book_appointment(
            by=nurse,
            child=world.children["child_a_out"],
            kind="IHA",
            starts_at=timezone.make_aware(datetime(2026, 11, 23, 14)),
            venue="Bradford child health clinic",
            practitioner=nurse,
        )
        sign_in(page, live_server.url, nurse)
        expect(count(page, "Appointments today")).to_have_accessible_name("1 Appointments today")
        check_accessibility(page)

        press(page, count(page, "Appointments today"))
        expect(page.get_by_role("heading", name="Appointments")).to_be_visible()
        today = page.get_by_role("table")
        expect(today).to_contain_text("Bradford child health clinic")
        expect(today).to_contain_text(world.children["child_a_out"].sort_name)
        check_accessibility(page)

        page.go_back()
        overdue = count(page, "Clocks overdue")
        shown = int(overdue.inner_text().split()[0])
        press(page, overdue)
        expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
        expect(page.locator("#worklist caption")).to_have_text(
            f"{shown} clock" + ("" if shown == 1 else "s")
        )
        check_accessibility(page)

        book = page.get_by_role(
            "link", name=f"Book the initial health assessment for {child.sort_name}"
        )
        press(page, book)
        expect(page.get_by_role("heading", name="Book a health assessment")).to_be_visible()
        press(page, page.get_by_label("Initial health assessment"), "Space")
        day = page.get_by_role("group", name="Date of the appointment")
        type_into(page, day.get_by_label("Day"), "30")
        type_into(page, day.get_by_label("Month"), "11")
        type_into(page, day.get_by_label("Year"), "2026")
        type_into(page, page.get_by_label("Time"), "10:00")
        type_into(page, page.get_by_label("Where"), "Bradford child health clinic")
        tab_to(page, page.get_by_label("Practitioner"))
        page.get_by_label("Practitioner").select_option(str(nurse.pk))  # a native select
        check_accessibility(page)
        press(page, page.get_by_role("button", name="Book the appointment"))
        expect(page.get_by_role("alert", name="Success")).to_contain_text("Appointment booked")
        expect(page.locator("#assessment-team")).to_contain_text("Provider A (your team)")
        check_accessibility(page)
    assert Appointment.objects.filter(child=child, starts_at__date=date(2026, 11, 30)).exists()
    assert ownership.current(child).team == world.orgs["prov_a"]


def test_the_receiving_team_arranges_the_iha_from_the_notice_and_takes_it_over(
    live_server, page: Page, browser: Browser, world
):
    calderdale, bradford = world.users["prov_c_nurse"], world.users["prov_a_nurse"]
    named(calderdale, "Carys", "Clarke")
    named(bradford, "Bea", "Brook")
    with time_machine.travel("2026-11-02 09:00:00 +0000", tick=False):
        child = enter_care(
            world,
            decom=date(2026, 11, 2),
            la_child_id="TKO1",
            first_name="Lena",
            last_name="Moss",
        )
        request = Notification.objects.get(child=child, kind="health_request")
        handovers.send_health_request(
            by=world.users["la_a_sw"],
            notification=request,
            consent_given_by="parent",
            consent_on=date(2026, 11, 2),
        )
        handovers.accept_assessment_request(by=bradford, notification=request)
        health.book_appointment(
            by=bradford,
            child=child,
            kind="IHA",
            starts_at=timezone.make_aware(datetime(2026, 11, 27, 10)),
            venue="Bradford child health clinic",
            practitioner=bradford,
        )
    with time_machine.travel("2026-11-16 09:00:00 +0000", tick=False):
        care.record_change(
            by=world.users["la_a_sw"],
            child=child,
            on=date(2026, 11, 16),
            ls="C2",
            placement=care.PlacementDetails(
                place="U4", place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
            ),
            reason_place_change="CARPL",
        )
        team.add_team_member(
            by=world.users["la_a_sw"],
            child=child,
            role="carer",
            details=team.MemberDetails(
                start=date(2026, 11, 16), name="Jo and Sam Rivers", telephone="01422 496000"
            ),
        )

    with time_machine.travel(TODAY, tick=True):
        # Calderdale's nurse, from the home page to the notice, by keyboard.
        sign_in(page, live_server.url, calderdale)
        press(page, count(page, "Notifications to acknowledge"))
        expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        press(page, page.get_by_role("link", name=re.compile(r"^Moss, Lena\s*: out-of-area")))
        expect(page.get_by_role("heading", name="Out-of-area placement")).to_be_visible()
        # the notice says who to ring, and that Bradford has the assessments
        expect(page.locator("#team")).to_be_visible()
        expect(page.get_by_text("01422 496000")).to_be_visible()
        expect(page.get_by_text("Another team arranges this child's assessments")).to_be_visible()
        expect(page.locator("#assessment-team")).to_contain_text("Provider A since 2 November")
        check_accessibility(page)
        press(
            page,
            page.get_by_role("button", name="Acknowledge and accept the assessment request"),
        )
        expect(page.get_by_role("alert", name="Success")).to_contain_text("accepted")
        expect(page.locator("#assessment-team")).to_contain_text(
            "Provider C since 23 November 2026 (accepted the out-of-area notice)"
        )
        check_accessibility(page)

        # Bradford, at its own desk: told, and cancels its booking.
        context = browser.new_context(bypass_csp=True, locale="en-GB")
        try:
            other = context.new_page()
            other.set_default_timeout(15_000)
            sign_in(other, live_server.url, bradford)
            press(other, count(other, "Notifications to acknowledge"))
            press(
                other,
                other.get_by_role(
                    "link", name=re.compile(r"^Moss, Lena\s*: health assessments taken over")
                ),
            )
            expect(
                other.get_by_role("heading", name="Health assessments taken over")
            ).to_be_visible()
            expect(other.locator("#open-bookings")).to_contain_text("Bradford child health clinic")
            check_accessibility(other)
            press(other, other.get_by_role("link", name=re.compile("^Cancel this booking")))
            expect(other.get_by_label("Cancelled")).to_be_checked()
            type_into(
                other,
                other.get_by_label("Why, if it did not go ahead"),
                "Calderdale are seeing Lena",
            )
            press(other, other.get_by_role("button", name="Save the outcome"))
            expect(other.get_by_role("alert", name="Success")).to_contain_text("Outcome recorded")
            expect(other.locator("#assessment-team")).to_contain_text("Provider C")
            expect(other.locator("#stale-bookings")).to_have_count(0)
            expect(other.get_by_role("button", name="Book an assessment")).to_have_count(0)
            expect(
                other.get_by_role("button", name="Take over the health assessments")
            ).to_be_visible()
            check_accessibility(other)
        finally:
            context.close()

        # Calderdale books its own IHA from the child's page.
        page.goto(f"{live_server.url}/children/{child.pk}/")
        press(page, page.get_by_role("button", name="Book an assessment"))
        expect(page.get_by_role("heading", name="Book a health assessment")).to_be_visible()
        expect(page.get_by_label("Where")).to_be_visible()

    booking = Appointment.objects.get(child=child, provider=world.orgs["prov_a"])
    assert (booking.outcome, booking.outcome_reason) == ("cancelled", "Calderdale are seeing Lena")
    assert ownership.current(child).team == world.orgs["prov_c"]


FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_the_everyday_pages_fit_a_320_px_screen(live_server, browser: Browser, world):
    """The child's page, the worklist and the forms reflow at 320 px: nothing scrolls
    sideways (tables show each cell's heading beside it instead)."""
    child = world.children["child_a_out"]
    nurse, social_worker = world.users["prov_a_nurse"], world.users["la_a_sw"]
    named(nurse, "Nia", "Narrow")
    named(social_worker, "Sam", "Small")
    with time_machine.travel(TODAY, tick=True):
        health.record_assessment(
            by=nurse,
            child=child,
            kind="IHA",
            completed_on=date(2024, 2, 9),
            practitioner=nurse,
            professional="medical",
            details={"immunisations": "yes", "height_cm": 130, "weight_kg": 28},
        )
        health.record_sdq(
            by=nurse, child=child, completed_on=date(2026, 11, 2), informant="carer", items=[1] * 25
        )
        context = browser.new_context(viewport={"width": 320, "height": 800}, locale="en-GB")
        try:
            small = context.new_page()
            small.set_default_timeout(15_000)
            pages = {
                nurse: [
                    "/",
                    "/worklist/",
                    "/appointments/",
                    "/actions/",
                    "/notifications/",
                    f"/children/{child.pk}/",
                    f"/children/{child.pk}/book/",
                    f"/children/{child.pk}/assessments/new/",
                    f"/children/{child.pk}/sdq/new/",
                    f"/children/{child.pk}/clinical-summary/add/",
                ],
                social_worker: [
                    "/",
                    "/children/",
                    "/children/new/",
                    f"/children/{child.pk}/",
                    f"/children/{child.pk}/change/",
                    f"/children/{child.pk}/team/add/",
                ],
            }
            for user, paths in pages.items():
                sign_in(small, live_server.url, user)
                for path in paths:
                    small.goto(live_server.url + path)
                    assert small.evaluate(FITS), f"{path} scrolls sideways at 320 px"
                small.get_by_role("button", name="Sign out").click()
        finally:
            context.close()
