"""Browser journey: the commissioner opens the measures as the nightly count left them, filters
them by keyboard, reads the funnel plot's table with its suppressed cells, and cannot reach the
children behind a figure;
the social worker follows a figure to the children behind it."""

from __future__ import annotations

import re
from datetime import date

import time_machine
from playwright.sync_api import Page, expect

from lachealth.insight.services import take_snapshot

from ..factories import TOTPDeviceFactory
from .conftest import check_accessibility
from .test_journeys import pytestmark, sign_in  # noqa: F401  (same markers: system, db)

TODAY = "2026-11-23 09:00:00 +0000"


def test_commissioner_reads_suppressed_measures_and_staff_drill_down(
    live_server, page: Page, world
):  # type: ignore[no-untyped-def]
    commissioner, social_worker = world.users["commissioner"], world.users["la_a_sw"]
    for user, first in ((commissioner, "Cal"), (social_worker, "Sam")):
        user.first_name = first
        user.save()
        TOTPDeviceFactory(user=user)

    with time_machine.travel(TODAY, tick=True):
        take_snapshot(as_of=date(2026, 11, 23))  # the nightly count, which commissioners read
        sign_in(page, live_server.url, commissioner)
        page.get_by_role("link", name="Measures").first.click()
        expect(page.get_by_role("heading", name="Measures", level=1)).to_be_visible()
        expect(page.get_by_text("records stood on 23 November 2026 at 09:00")).to_be_visible()
        check_accessibility(page)

        # Filters by keyboard alone: the rolling 12 months
        page.get_by_label("Period").focus()
        page.keyboard.press("End")
        page.get_by_role("button", name="Show the measures").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("12 months to 22 November 2026")).first).to_be_visible()

        section = page.locator(
            "section", has=page.get_by_role("heading", name="Placed out of area")
        )
        # Every count of this small world is suppressed, so no area's point can be plotted
        expect(section.get_by_role("table", name="Placed out of area by area")).to_be_visible()
        bradford = section.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="Bradford")
        )
        expect(bradford.locator(".app-suppressed").first).to_have_attribute(
            "title", re.compile("count from 1 to 5")
        )
        expect(page.locator("a[href*='/children/']")).to_have_count(0)
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server.url, social_worker)
        page.goto(live_server.url + "/measures/?period=rolling")
        section = page.locator(
            "section", has=page.get_by_role("heading", name="Placed out of area")
        )
        funnel = section.get_by_role("img", name=re.compile("Funnel plot of placed out of area"))
        expect(funnel).to_be_visible()
        section.get_by_role("link", name=re.compile("children counted in Bradford")).click()
        expect(page.get_by_role("heading", name=re.compile("Children counted"))).to_be_visible()
        expect(page.get_by_role("link", name="Outram", exact=False)).to_be_visible()
        expect(page.get_by_text("Ashby")).to_have_count(0)
        check_accessibility(page)
