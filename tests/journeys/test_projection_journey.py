"""Browser journey: the commissioner reads the projection of an area of their footprint (the
fan chart, its numbers beneath, suppressed), runs a scenario of 20% more entries (a slip in
the percentage first, put right) and compares it with the base; a data officer keeps the
area's unit costs, correcting a mistyped one, and the placement costs appear. axe-core on
every page, at 1280 and 375 px."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import time_machine
from playwright.sync_api import Page, expect

from lachealth.insight.models import UnitCost
from lachealth.people.models import Area

from ..conftest import BRADFORD
from ..factories import TOTPDeviceFactory
from ..insight.population import looked_after_population
from .conftest import check_accessibility
from .test_journeys import pytestmark, sign_in  # noqa: F401  (same markers: system, db)

TODAY = "2026-12-02 09:00:00 +0000"


def _last_row(page: Page) -> list[str]:
    cells = page.locator("#looked-after-table tbody tr").last.locator("th, td")
    return [c.strip() for c in cells.all_inner_texts()]


def test_commissioner_reads_the_fan_chart_and_runs_a_scenario(live_server, page: Page, world):  # type: ignore[no-untyped-def]
    commissioner, officer = world.users["commissioner"], world.users["la_a_data"]
    bradford = Area.objects.get(code=BRADFORD)
    for user in (commissioner, officer):
        TOTPDeviceFactory(user=user)
    with time_machine.travel(TODAY, tick=True):
        looked_after_population(bradford, date(2026, 12, 2))
        sign_in(page, live_server.url, commissioner)
        page.get_by_role("link", name="Measures").first.click()
        page.get_by_role("link", name=re.compile("^Projections:")).click()
        expect(page.get_by_role("heading", name="Projections", level=1)).to_be_visible()
        page.get_by_label("Area").select_option(label=bradford.name)
        page.get_by_label("How far ahead").select_option("12")
        page.get_by_role("button", name="Project").click()
        chart = page.locator("img.app-chart--fan").first
        expect(chart).to_be_visible()
        assert "80% and 95% intervals" in (chart.get_attribute("alt") or "")
        expect(page.locator("#looked-after-table tbody tr")).to_have_count(12)
        # Suppressed for a commissioner: every figure a multiple of 5, or c.
        for text in page.locator("#looked-after-table tbody td").all_inner_texts():
            value = text.strip().split(" ")[0].replace(",", "")
            assert value == "c" or int(value) % 5 == 0, text
        check_accessibility(page)

        # A scenario: the percentage mistyped, then put right.
        page.get_by_label("Change in entries to care").fill("2000")
        page.get_by_role("button", name="Project").click()
        expect(page.get_by_role("link", name="must be 200 or less")).to_be_visible()
        check_accessibility(page)
        page.get_by_label("Change in entries to care").fill("20")
        page.get_by_role("button", name="Project").click()
        expect(page.locator("#looked-after-table thead")).to_contain_text("Scenario: expected")
        last = _last_row(page)
        base, scenario = int(last[1].replace(",", "")), int(last[6].replace(",", ""))
        assert scenario >= base
        check_accessibility(page)

        # Its numbers downloaded as the page shows them.
        with page.expect_download() as got:
            page.get_by_role("link", name="CSV (children looked after)").click()
        rows = list(csv.reader(io.StringIO(got.value.path().read_text())))
        assert rows[0][:2] == ["Month end", "Expected"] and len(rows) == 13
        assert "Scenario: expected" in rows[0]

        page.set_viewport_size({"width": 375, "height": 800})
        expect(page.locator("img.app-chart--fan").first).to_be_visible()
        check_accessibility(page)

        # The data officer keeps the unit costs, putting a slip right.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.context.clear_cookies()
        sign_in(page, live_server.url, officer)
        page.get_by_role("link", name="Measures").first.click()
        page.get_by_role("link", name=re.compile("^Projections:")).click()
        page.get_by_role("link", name=f"Unit costs for {bradford.name}").click()
        expect(page.get_by_role("heading", name="Unit costs of placements")).to_be_visible()
        check_accessibility(page)
        page.get_by_label("Fostering: pounds a week").fill("-900")
        page.get_by_label("Residential: pounds a week").fill("5200")
        page.get_by_role("button", name="Save the unit costs").click()
        expect(
            page.get_by_role("link", name="Fostering: a weekly cost cannot be below 0")
        ).to_be_visible()
        assert not UnitCost.objects.exists()
        page.get_by_label("Fostering: pounds a week").fill("900")
        page.get_by_role("button", name="Save the unit costs").click()
        expect(page.get_by_text("unit costs saved")).to_be_visible()
        expect(page.locator("#costs-table")).to_be_visible()
        expect(page.locator("#costs-table thead")).to_contain_text("Fostering")
        assert UnitCost.objects.filter(area_id=BRADFORD).count() == 2
        check_accessibility(page)
