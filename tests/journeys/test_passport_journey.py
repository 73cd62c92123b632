"""The health passport in Chromium: a LAC nurse goes through it with the young person, who
leaves a section out, and gives it (a mistake corrected on the way); the young person signs in
to their own account with the keyboard alone, reads and downloads their passport, and tells
the team what they thought of their assessment. axe-core on every page, at 1280 and 375 px."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from lachealth.health import passport
from lachealth.health.models import Feedback, Passport, YoungPersonAccount

from ..factories import TOTPDeviceFactory, UserFactory
from .conftest import check_accessibility, tab_to
from .test_journeys import PASSWORD, code_for, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def today():
    # The young person is 17 and their passport is due on 15 December 2026.
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=True):
        yield


def test_a_nurse_prepares_and_gives_the_passport_as_the_young_person_chose(
    live_server, page: Page, world, young_person
):
    nurse = world.users["prov_a_nurse"]
    TOTPDeviceFactory(user=nurse)
    sign_in(page, live_server.url, nurse)
    page.goto(live_server.url + reverse("care:child_detail", args=[young_person.pk]))
    expect(page.locator("#passport-given")).to_have_text("No health passport given yet.")
    page.get_by_role("button", name="Prepare the health passport").click()
    expect(page.get_by_role("heading", name="Prepare the health passport")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("group", name="Put “Growth” in the passport?").get_by_label(
        "No, leave it out"
    ).check()
    page.get_by_label("What they want people to know about their health").fill(
        "I get anxious at appointments. Explain first."
    )
    page.get_by_role("button", name="Give the health passport").click()  # no agreement yet
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Say whether the young person agreed")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("group", name="Does the young person agree").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Give the health passport").click()

    expect(page.get_by_role("heading", name="My health passport")).to_be_visible()
    expect(page.get_by_text("I get anxious at appointments. Explain first.")).to_be_visible()
    expect(page.get_by_role("heading", name="Growth")).to_have_count(0)
    expect(page.get_by_role("img", name="Line chart of the strengths")).to_be_visible()
    check_accessibility(page)
    page.set_viewport_size({"width": 375, "height": 800})
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the passport (PDF)").click()
    assert download.value.suggested_filename == "health-passport-2026-12-02-v1.pdf"
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    made = Passport.objects.get(child=young_person)
    assert "growth" in made.declined and made.agreed


def test_the_young_person_reads_downloads_and_gives_feedback_by_keyboard(
    live_server, page: Page, world, young_person
):
    passport.give(
        by=world.users["prov_a_nurse"],
        child=young_person,
        choices=passport.Choices(
            included=["about_me", "my_words", "contacts", "emotional"], agreed=True
        ),
        written=passport.Written(own_words="I use an inhaler when I run."),
        as_of=young_person.date_of_birth.replace(year=2026, month=11, day=20),
    )
    user = UserFactory(username="sam.reed@example.org", email="sam.reed@example.org")
    TOTPDeviceFactory(user=user)
    YoungPersonAccount.objects.create(
        user=user,
        child=young_person,
        invited_by=world.users["prov_a_nurse"],
        ends_on=young_person.date_of_birth.replace(year=2034),
    )

    page.goto(live_server.url + reverse("people:sign_in"))
    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Security code")).to_be_visible()
    page.get_by_label("Security code").focus()
    page.keyboard.type(code_for(user))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your health", level=1)).to_be_visible()
    expect(page.get_by_text("Park Surgery")).to_be_visible()  # their GP, to contact
    check_accessibility(page)

    tab_to(page, "Read your passport")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My health passport")).to_be_visible()
    expect(page.get_by_text("I use an inhaler when I run.")).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as download:
        tab_to(page, "Download the passport (PDF)")
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.goto(live_server.url + reverse("health:my_home"))
    tab_to(page, "Tell us what you thought")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your last health assessment")).to_be_visible()
    tab_to(page, "Send")
    page.keyboard.press("Enter")  # nothing chosen: a mistake, said plainly
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("group", name="Did you feel listened to?").get_by_label("Yes").focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name="Did you understand what happens next?").get_by_label(
        "Partly"
    ).focus()
    page.keyboard.press("Space")
    page.get_by_label("Anything else you want to tell us? (optional)").focus()
    page.keyboard.type("The nurse let me ask questions.")
    tab_to(page, "Send")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you. Your health team will read what you said.")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    check_accessibility(page)
    feedback = Feedback.objects.get()
    assert (feedback.listened, feedback.understood) == ("yes", "partly")

    # Their own account reaches nothing else, whatever URL they try.
    page.goto(live_server.url + reverse("care:child_detail", args=[young_person.pk]))
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
