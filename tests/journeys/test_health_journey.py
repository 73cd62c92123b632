"""Browser journey: a LAC health team books and records an initial health assessment, and the
child leaves the overdue list."""

from __future__ import annotations

import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from ..factories import TOTPDeviceFactory
from .conftest import check_accessibility
from .test_journeys import pytestmark, sign_in  # noqa: F401  (same markers: system, db)

# World children entered care on 10 January 2024: the IHA was due on 7 February 2024.
TODAY = "2024-02-12 09:00:00 +0000"


def test_book_and_record_an_iha_and_the_child_leaves_the_overdue_list(
    live_server, page: Page, world
):
    nurse = world.users["prov_a_nurse"]
    nurse.first_name = "Nadia"
    nurse.save()
    TOTPDeviceFactory(user=nurse)
    child = world.children["child_a"]
    with time_machine.travel(TODAY, tick=True):
        sign_in(page, live_server.url, nurse)
        page.get_by_role("link", name="Worklist").click()
        expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
        page.get_by_label("Status").select_option("overdue")
        page.get_by_label("Clock", exact=True).select_option("IHA")
        page.get_by_role("button", name="Filter").click()
        row = page.get_by_role("row").filter(has_text="Ashby")
        expect(row).to_contain_text("Overdue by 3 working days")
        check_accessibility(page)

        # Straight from the worklist row to the booking form.
        row.get_by_role("link", name="Book the initial health assessment for Ashby").click()
        page.get_by_label("Initial health assessment").check()
        day = page.get_by_role("group", name="Date of the appointment")
        day.get_by_label("Day").fill("12")
        day.get_by_label("Month").fill("2")
        day.get_by_label("Year").fill("2024")
        page.get_by_label("Time").fill("08:30")
        page.get_by_label("Where").fill("Child health clinic")
        page.get_by_label("Practitioner").select_option(str(nurse.pk))
        check_accessibility(page)
        page.get_by_role("button", name="Book the appointment").click()
        expect(page.get_by_text("Appointment booked")).to_be_visible()

        page.get_by_role("link", name="Record the outcome").click()
        page.get_by_label("Attended").check()
        page.get_by_role("button", name="Save the outcome").click()

        expect(page.get_by_role("heading", name="Record a health assessment")).to_be_visible()
        page.get_by_label("Initial health assessment").check()
        when = page.get_by_role("group", name="Date of the assessment")
        when.get_by_label("Day").fill("12")
        when.get_by_label("Month").fill("2")
        when.get_by_label("Year").fill("2024")
        page.get_by_label("Registered medical practitioner").check()
        page.get_by_label("Height (cm)").fill("132")
        page.get_by_label("Weight (kg)").fill("29.5")
        page.get_by_role("group", name="Immunisations up to date?").get_by_label("Yes").check()
        first = page.get_by_role("group", name="Action 1")
        first.get_by_label("Need").fill("Dental check overdue")
        first.get_by_label("Action", exact=True).fill("Register with a dentist")
        first.get_by_label("Who does it").select_option(label="The child's local authority")
        due = first.get_by_role("group", name="Due by")
        due.get_by_label("Day").fill("12")
        due.get_by_label("Month").fill("3")
        due.get_by_label("Year").fill("2024")
        entry = page.get_by_role("group", name="New summary entry 1")
        entry.get_by_label("What").select_option(label="Condition or diagnosis")
        entry.get_by_label("Description").fill("Asthma")
        entry.get_by_label("SNOMED CT or dm+d code (optional)").fill("195967001")
        # A second action: the page comes back with one more row and all that was typed.
        page.get_by_role("button", name="Add another action").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_have_count(0)
        expect(first.get_by_label("Need")).to_have_value("Dental check overdue")
        second = page.get_by_role("group", name="Action 2")
        second.get_by_label("Need").fill("Sleep")
        second.get_by_label("Action", exact=True).fill("Keep a sleep diary")
        second.get_by_label("Who does it").select_option(label="The carer")
        due = second.get_by_role("group", name="Due by")
        due.get_by_label("Day").fill("12")
        due.get_by_label("Month").fill("4")
        due.get_by_label("Year").fill("2024")
        check_accessibility(page)
        page.get_by_role("button", name="Record the assessment").click()

        expect(page.get_by_text("Assessment recorded")).to_be_visible()
        clocks = page.locator("#clocks")
        expect(clocks).to_contain_text("Done 3 working days late")
        expect(page.locator("#plan-actions")).to_contain_text("Register with a dentist")
        expect(page.locator("#plan-actions")).to_contain_text("The carer")
        expect(page.locator("#summary-condition")).to_contain_text("Asthma")
        check_accessibility(page)

        page.goto(live_server.url + reverse("health:worklist") + "?state=overdue&clock=IHA")
        expect(page.locator("#worklist")).not_to_contain_text("Ashby")
    assert child.assessments.get().working_days_late == 3
