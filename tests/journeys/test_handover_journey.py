"""Browser journey: a Bradford child enters care placed in Calderdale; the receiving provider
acknowledges the out-of-area notice and accepts the assessment request, and the sending local
authority sees it acknowledged and writes in the thread between the teams."""

from __future__ import annotations

import re
from datetime import date

import time_machine
from playwright.sync_api import Browser, Locator, Page, expect

from lachealth.handovers.models import Notification, NotificationStatus

from ..conftest import CALDERDALE
from ..factories import TOTPDeviceFactory
from ..handovers.helpers import enter_care
from .conftest import check_accessibility
from .test_journeys import pytestmark, sign_in  # noqa: F401  (same markers: system, db)

# A Monday; the child came into care the Friday before, so no clock is overdue yet.
TODAY = "2026-11-23 09:00:00 +0000"
ENTERED = date(2026, 11, 20)
# The list names each link with the child and the notice (the kind visually hidden).
LINK = re.compile(r"^Hollins, Kian\s*: out-of-area placement$")


def summary_row(page: Page, key: str) -> Locator:
    """The row of a summary list whose key is exactly `key`."""
    term = page.get_by_role("term").filter(has_text=re.compile(rf"^\s*{key}\s*$"))
    return page.locator(".nhsuk-summary-list__row").filter(has=term)


def cell(row: Locator, text: str) -> Locator:
    """The cell of a list's row named exactly `text` (its responsive heading is hidden)."""
    return row.get_by_role("cell", name=text, exact=True)


def test_receiving_provider_acknowledges_an_out_of_area_notice_and_the_sender_sees_it(
    live_server, page: Page, browser: Browser, world
):
    nurse, social_worker = world.users["prov_c_nurse"], world.users["la_a_sw"]
    nurse.first_name, nurse.last_name = "Nadia", "Clarke"
    nurse.save()
    social_worker.first_name, social_worker.last_name = "Sam", "Walker"
    social_worker.save()
    TOTPDeviceFactory(user=nurse)
    TOTPDeviceFactory(user=social_worker)

    with time_machine.travel(TODAY, tick=True):
        child = enter_care(
            world,
            placed=CALDERDALE,
            decom=ENTERED,
            la_child_id="HND1",
            first_name="Kian",
            last_name="Hollins",
            date_of_birth=date(2014, 5, 9),
            sex="M",
        )
        notice = Notification.objects.get(
            child=child, kind="out_of_area", recipient=world.orgs["prov_c"]
        )
        assert notice.status == NotificationStatus.SENT

        # The receiving team: Provider C's nurse, serving Calderdale.
        sign_in(page, live_server.url, nurse)
        page.get_by_role("link", name="Notifications").first.click()
        expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        row = page.get_by_role("row").filter(has_text="Hollins, Kian")
        expect(row).to_have_count(1)
        expect(cell(row, "Out-of-area placement")).to_be_visible()
        expect(cell(row, "LA A")).to_be_visible()  # from
        expect(cell(row, "Awaiting acknowledgement")).to_be_visible()  # the status

        row.get_by_role("link", name=LINK).click()
        expect(page.get_by_role("heading", name="Out-of-area placement")).to_be_visible()
        expect(page.locator("#status")).to_have_text("Awaiting acknowledgement")
        expect(summary_row(page, "Acknowledged")).to_contain_text("Not yet")
        check_accessibility(page)

        page.get_by_role("button", name="Acknowledge and accept the assessment request").click()
        expect(page.get_by_role("alert", name="Success")).to_contain_text(
            "Assessment request accepted"
        )
        expect(page.locator("#status")).to_have_text("Acknowledged")
        expect(summary_row(page, "Acknowledged")).to_contain_text(
            "23 November 2026 by Nadia Clarke"
        )
        expect(summary_row(page, "Assessment request")).to_contain_text(
            "Accepted on 23 November 2026"
        )
        # Nothing is left to acknowledge.
        expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
        check_accessibility(page)

        # The sending team at another desk: LA A's social worker, in a browser of their own.
        context = browser.new_context(bypass_csp=True, locale="en-GB")
        try:
            sender = context.new_page()
            sender.set_default_timeout(15_000)
            sign_in(sender, live_server.url, social_worker)
            sender.get_by_role("link", name="Notifications").first.click()
            expect(sender.get_by_role("heading", name="Notifications")).to_be_visible()
            sender.get_by_label("Show").select_option("acknowledged")
            sender.get_by_role("button", name="Show").click()
            sent = sender.get_by_role("row").filter(has_text="Hollins, Kian")
            expect(sent).to_have_count(1)  # the ICB has not acknowledged its copy
            expect(cell(sent, "Out-of-area placement")).to_be_visible()
            expect(cell(sent, "Provider C")).to_be_visible()  # to
            expect(cell(sent, "Acknowledged")).to_be_visible()  # the status
            check_accessibility(sender)

            sent.get_by_role("link", name=LINK).click()
            expect(sender.get_by_role("heading", name="Out-of-area placement")).to_be_visible()
            expect(sender.locator("#status")).to_have_text("Acknowledged")
            expect(summary_row(sender, "To")).to_contain_text("Provider C")
            expect(summary_row(sender, "Acknowledged")).to_contain_text(
                "23 November 2026 by Nadia Clarke"
            )
            expect(summary_row(sender, "Assessment request")).to_contain_text(
                "Accepted on 23 November 2026"
            )
            # Only the receiving team acknowledges.
            expect(sender.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
            check_accessibility(sender)

            expect(sender.get_by_role("heading", name="Messages between the teams")).to_be_visible()
            sender.get_by_label("Write to the other team").fill(
                "Kian's carers can bring him to a clinic in Halifax on weekday mornings."
            )
            sender.get_by_role("button", name="Send message").click()
            expect(sender.get_by_role("alert", name="Success")).to_contain_text("Message sent")
            thread = sender.get_by_role("list", name="Messages between the teams")
            expect(thread.get_by_role("listitem")).to_have_count(1)
            expect(thread).to_contain_text("Sam Walker, LA A")
            expect(thread).to_contain_text("clinic in Halifax on weekday mornings")
            check_accessibility(sender)
        finally:
            context.close()

        # The nurse, still signed in, finds the sender's message in the thread.
        page.reload()
        thread = page.get_by_role("list", name="Messages between the teams")
        expect(thread).to_contain_text("Sam Walker, LA A")
        expect(thread).to_contain_text("clinic in Halifax on weekday mornings")

    notice.refresh_from_db()
    assert notice.status == NotificationStatus.ACKNOWLEDGED
    assert notice.acknowledged_by == nurse and notice.acknowledged_on == date(2026, 11, 23)
    assert notice.assessment_accepted_on == date(2026, 11, 23)
