"""Quality assurance of health assessments in Chromium: the ICB's designated nurse draws the
quarter's sample and scores two assessments beside the tool (leaving out the grade once and
putting it right); the practitioner reads the feedback and replies. axe-core on every page,
at 1280 and 375 px."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from lachealth.quality.models import QaReply, QaReview

from ..factories import TOTPDeviceFactory
from ..quality.conftest import assessed
from .conftest import check_accessibility
from .test_journeys import sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=True):
        yield


def score_all(page: Page, answer: str) -> None:
    """Answer every criterion of the tool with one answer (the radios of each question)."""
    expect(page.locator("#tool fieldset").first).to_be_visible()
    for group in page.locator("#tool fieldset").all():
        option = group.get_by_label(answer, exact=True)
        if option.count():
            option.check()


def test_the_designated_nurse_samples_and_scores_and_the_practitioner_replies(
    live_server, page: Page, world
):
    nurse, other = world.users["prov_a_nurse"], world.users["prov_c_nurse"]
    for day in (3, 17):
        assessed(world.children["child_a"], nurse, world.orgs["prov_a"], date(2026, 7, day))
    assessed(world.children["child_c"], other, world.orgs["prov_c"], date(2026, 8, 12))
    designated = world.users["icb_designated"]
    TOTPDeviceFactory(user=designated)
    sign_in(page, live_server.url, designated)
    page.get_by_role("link", name="Quality", exact=True).click()
    expect(page.get_by_role("heading", name="Quality", exact=True)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Draw a sample").click()
    page.get_by_label("1 July to 30 September 2026").check()
    check_accessibility(page)
    page.get_by_role("button", name="Draw the sample").click()
    expect(
        page.get_by_role("heading", name="QA sample for 1 July to 30 September 2026")
    ).to_be_visible()
    check_accessibility(page)

    score_links = page.get_by_role("link", name="Score")
    expect(score_links).to_have_count(2)  # one of each practitioner's
    score_links.first.click()
    expect(page.get_by_role("heading", name="Score an assessment")).to_be_visible()
    expect(page.locator("#assessment")).to_contain_text("Likes football")
    check_accessibility(page)
    score_all(page, "Met")
    page.get_by_label("Feedback for the practitioner").fill("Thorough. Quote the child's words.")
    page.get_by_role("button", name="Save the scores and feedback").click()
    expect(page.get_by_role("link", name="Choose an overall grade")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("group", name="Overall grade").get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Save the scores and feedback").click()
    expect(page.get_by_text("The assessment is scored")).to_be_visible()

    page.get_by_role("link", name="Score").first.click()
    expect(page.get_by_role("heading", name="Score an assessment")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    score_all(page, "Partly met")
    page.get_by_role("group", name="Overall grade").get_by_label(
        "Requires improvement", exact=True
    ).check()
    page.get_by_label("Feedback for the practitioner").fill("Plan actions need owners and dates.")
    check_accessibility(page)
    page.get_by_role("button", name="Save the scores and feedback").click()
    expect(page.get_by_text("The assessment is scored")).to_be_visible()
    expect(page.get_by_role("link", name="Score")).to_have_count(0)
    assert QaReview.objects.count() == 2
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("quality:results", args=[world.orgs["icb"].pk]))
    expect(page.get_by_role("img", name="Bar chart of each criterion's score")).to_be_visible()
    check_accessibility(page)

    # The practitioner reads the feedback on their own page and replies.
    reviewed = QaReview.objects.get(practitioner=nurse)
    TOTPDeviceFactory(user=nurse)
    page.context.clear_cookies()
    sign_in(page, live_server.url, nurse)
    page.goto(live_server.url + reverse("quality:index"))
    page.get_by_role("link", name="Your quality assurance feedback").click()
    check_accessibility(page)
    page.get_by_role("link", name=reviewed.item.assessment.get_kind_display()).click()
    expect(page.locator("#grade")).to_have_text(
        "Good" if reviewed.grade == "good" else "Requires improvement"
    )
    page.get_by_label("Your reply").fill("Thank you: I have added their words.")
    check_accessibility(page)
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Thank you: I have added their words.")).to_be_visible()
    assert QaReply.objects.get().author == nurse


def test_a_council_officer_schedules_a_visit_and_raises_a_concern_the_health_team_sees(
    live_server, page: Page, world
):
    from lachealth.care.models import Episode
    from lachealth.quality import providers

    officer, designated = world.users["la_a_data"], world.users["icb_designated"]
    home = providers.add_provider(
        by=officer,
        name="Willow House",
        kind="childrens_home",
        urn="SC765432",
        area_code=world.children["child_a"].responsible_area_id,
        postcode="",
        opened_on=date(2015, 1, 1),
        as_of=date(2026, 12, 2),
    )
    Episode.objects.filter(child=world.children["child_a"]).update(urn=home.urn)
    providers.schedule_visit(
        by=designated,
        provider=home,
        organisation=world.orgs["icb"],
        area_code=world.children["child_a"].responsible_area_id,
        planned_on=date(2026, 12, 10),
        purpose="Health needs of the children placed there",
        as_of=date(2026, 12, 2),
    )
    TOTPDeviceFactory(user=officer)
    sign_in(page, live_server.url, officer)
    page.get_by_role("link", name="Quality", exact=True).click()
    page.get_by_role("link", name="Quality visit timetable").click()
    check_accessibility(page)
    page.get_by_role("button", name="Schedule a visit").click()
    page.get_by_label("Provider", exact=True).select_option(label="Willow House")
    day = page.get_by_role("group", name="Date of the visit")
    day.get_by_label("Day").fill("8")
    day.get_by_label("Month").fill("12")
    day.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Schedule the visit").click()  # no purpose yet
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("What is the visit for?").fill("Annual quality visit")
    page.get_by_role("button", name="Schedule the visit").click()
    page.goto(live_server.url + reverse("quality:timetable"))
    expect(page.locator("#timetable")).to_contain_text("Chance to visit together")
    expect(page.locator("#timetable")).to_contain_text("ICB")
    check_accessibility(page)

    page.goto(live_server.url + reverse("quality:concerns"))
    page.get_by_role("button", name="Raise a concern").click()
    page.get_by_label("Provider", exact=True).select_option(label="Willow House")
    raised = page.get_by_role("group", name="Date raised")
    raised.get_by_label("Day").fill("1")
    raised.get_by_label("Month").fill("12")
    raised.get_by_label("Year").fill("2026")
    page.get_by_role("group", name="How serious is it?").get_by_label("Serious").check()
    page.get_by_label("Summary").fill("Medication given late on three nights")
    page.set_viewport_size({"width": 375, "height": 800})
    check_accessibility(page)
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_text("Medication given late on three nights")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    # The health team serving the child placed there sees it on their home page.
    nurse = world.users["prov_a_nurse"]
    TOTPDeviceFactory(user=nurse)
    page.context.clear_cookies()
    sign_in(page, live_server.url, nurse)
    page.get_by_role(
        "link", name="Children placed with a provider with an open serious concern"
    ).click()
    expect(page.get_by_role("link", name=world.children["child_a"].sort_name)).to_be_visible()
    check_accessibility(page)
