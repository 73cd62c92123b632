"""The QA pages as their users use them: the designated professional draws the quarter's
sample, adds to it, scores an assessment opened beside the tool (each opening logged), reads
the results; the practitioner reads the feedback and replies; the tool's draft is edited and
published; an area's settings. Who reaches what is the access matrix's (test_access_matrix);
here, what each page does and what bad input gets."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from lachealth.people.models import AccessLog
from lachealth.quality import samples, tools
from lachealth.quality.models import QaReply, QaReview, QaSample, QaSettings
from lachealth.quality.views import home_sections

from ..conftest import BRADFORD, CALDERDALE, sign_in
from ..factories import area
from .conftest import QUARTER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


def draw(as_user, world):  # type: ignore[no-untyped-def]
    return as_user("icb_designated").post(
        reverse("quality:draw"),
        {"organisation": world.orgs["icb"].pk, "period": QUARTER[0].isoformat()},
    )


def score_data(version, answer="met", **changes):  # type: ignore[no-untyped-def]
    data = {f"criterion_{c.pk}": answer for c in version.criteria.all()}
    data |= {"grade": "good", "feedback": "Plan is SMART; the child's voice is clear."}
    return data | changes


def test_the_designated_professional_draws_the_quarter_and_opens_it(as_user, world, quarter):
    page = as_user("icb_designated").get(reverse("quality:draw"))
    assert page.status_code == 200
    assert "1 July to 30 September 2026" in page.content.decode()
    response = draw(as_user, world)
    sample = QaSample.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "quality:sample", args=[sample.pk]
    )
    shown = as_user("icb_designated").get(response["Location"]).content.decode()
    assert sample.candidates == 12
    assert "Assessments completed in the period" in shown
    for item in sample.items.select_related("assessment__child"):
        assert item.assessment.child.reference in shown
    # No child's name on the sample: their reference only.
    assert world.children["child_a"].last_name not in shown
    home = as_user("icb_designated").get(reverse("quality:index")).content.decode()
    assert f"0 of {sample.items.count()}" in home


def test_drawing_the_same_quarter_again_says_when_and_by_whom(as_user, world, quarter):
    draw(as_user, world)
    again = draw(as_user, world)
    assert again.status_code == 200
    assert "The sample for 1 July to 30 September 2026 was drawn on 2 December 2026" in (
        again.content.decode()
    )
    assert QaSample.objects.count() == 1


def test_adding_by_hand_lists_a_practitioners_assessments_and_needs_a_reason(
    as_user, world, quarter
):
    draw(as_user, world)
    sample = QaSample.objects.get()
    client = as_user("icb_designated")
    nurse = world.users["prov_a_nurse"]
    url = reverse("quality:sample_add", args=[sample.pk])
    listed = client.get(url, {"practitioner": nurse.pk}).content.decode()
    candidate = (
        samples.addable(sample, world.users["icb_designated"]).filter(practitioner=nurse).first()
    )
    assert f'value="{candidate.pk}"' in listed
    refused = client.post(url, {"practitioner": nurse.pk, "assessment": candidate.pk, "reason": ""})
    assert refused.status_code == 200
    assert "Say why this assessment is added to the sample" in refused.content.decode()
    assert not sample.items.filter(assessment=candidate).exists()
    added = client.post(
        url, {"practitioner": nurse.pk, "assessment": candidate.pk, "reason": "New starter"}
    )
    assert added.status_code == 302
    assert sample.items.get(assessment=candidate).reason == "New starter"


def test_scoring_opens_the_assessment_beside_the_tool_and_logs_it(as_user, world, quarter):
    draw(as_user, world)
    item = QaSample.objects.get().items.exclude(
        assessment__practitioner__username="icb_designated_2"
    )[0]
    client = as_user("icb_designated")
    url = reverse("quality:score", args=[item.pk])
    page = client.get(url)
    shown = page.content.decode()
    assert page.status_code == 200
    assert "Likes football" in shown  # the child's voice, as recorded
    assert "Consent to the assessment recorded" in shown
    assert AccessLog.objects.filter(
        user=world.users["icb_designated"], child_id=item.assessment.child_id, action="view"
    ).exists()
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    missing = client.post(url, score_data(version, grade=""))
    assert "Choose an overall grade" in missing.content.decode()
    assert not QaReview.objects.exists()
    done = client.post(url, score_data(version))
    assert done.status_code == 302
    review = QaReview.objects.get()
    assert review.scores.count() == version.criteria.count()
    # Once scored, the page shows the review.
    assert client.get(url)["Location"] == reverse("quality:review", args=[review.pk])


def test_ones_own_assessment_is_not_scored_by_oneself(as_user, world, quarter):
    draw(as_user, world)
    own = QaSample.objects.get().items.get(assessment__practitioner__username="icb_designated_2")
    author = own.assessment.practitioner
    client = sign_in(Client(), author)
    url = reverse("quality:score", args=[own.pk])
    assert "Your own assessment" in client.get(url).content.decode()
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    refused = client.post(url, score_data(version))
    assert "This is your own assessment: another designated professional scores it" in (
        refused.content.decode()
    )
    assert not QaReview.objects.exists()


def test_the_practitioner_reads_their_feedback_and_replies(as_user, world, quarter):
    draw(as_user, world)
    item = QaSample.objects.get().items.filter(assessment__practitioner__username="prov_a_nurse")[0]
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    as_user("icb_designated").post(
        reverse("quality:score", args=[item.pk]), score_data(version, answer="partly")
    )
    review = QaReview.objects.get()
    nurse = as_user("prov_a_nurse")
    mine = nurse.get(reverse("quality:mine")).content.decode()
    assert reverse("quality:review", args=[review.pk]) in mine
    assert "Your score for each criterion" in mine and "<img" in mine
    page = nurse.get(reverse("quality:review", args=[review.pk])).content.decode()
    assert "Plan is SMART; the child&#39;s voice is clear." in page and "Partly met" in page
    empty = nurse.post(reverse("quality:review", args=[review.pk]), {"text": ""})
    assert "Enter your reply" in empty.content.decode()
    nurse.post(reverse("quality:review", args=[review.pk]), {"text": "I will add the words."})
    assert QaReply.objects.get().author == world.users["prov_a_nurse"]
    # Another practitioner's page lists none of it, and the review is not found for them.
    other = as_user("prov_c_nurse")
    assert (
        reverse("quality:review", args=[review.pk])
        not in other.get(reverse("quality:mine")).content.decode()
    )
    assert other.get(reverse("quality:review", args=[review.pk])).status_code == 404


def test_results_show_charts_with_tables_and_name_the_low_criterion(as_user, world, quarter):
    QaSettings.objects.create(area=area(BRADFORD), threshold=90)
    draw(as_user, world)
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    client = as_user("icb_designated")
    for item in QaSample.objects.get().items.exclude(
        assessment__practitioner__username="icb_designated_2"
    ):
        client.post(reverse("quality:score", args=[item.pk]), score_data(version, answer="partly"))
    page = client.get(reverse("quality:results", args=[world.orgs["icb"].pk]))
    shown = page.content.decode()
    assert page.status_code == 200
    assert shown.count("<img") == 2  # by criterion, by area over time
    for table in ("criteria", "trend", "practitioners", "providers", "grades"):
        assert f'id="{table}"' in shown
    assert "Criteria below the area&#39;s threshold" in shown
    assert "Consent to the assessment recorded, and who gave it: 50 in Bradford (below 90)" in (
        shown
    )
    other = client.get(reverse("quality:results", args=[world.orgs["prov_a"].pk]))
    assert other.status_code == 404


def test_the_tool_is_changed_in_a_draft_and_published(as_user, world):
    client = as_user("icb_designated")
    org = world.orgs["icb"]
    url = reverse("quality:tool", args=[org.pk])
    assert "Start a draft of version 2" in client.get(url).content.decode()
    client.post(reverse("quality:tool_change", args=[org.pk]), {"action": "draft"})
    draft = tools.draft(tools.tool_for(org))
    data = {
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-0-section": "Voice",
        "rows-0-text": "The child's words quoted",
        "rows-0-guidance": "",
        "rows-1-section": "",
        "rows-1-text": "",
        "rows-1-guidance": "",
        "answers": "Met\nNot met\nNot applicable",
        "grades": "Good\nNot good",
    }
    bad = client.post(url, data | {"answers": "Met"})
    assert "Give at least two answers, one on each line" in bad.content.decode()
    assert draft.criteria.count() == 12
    assert client.post(url, data).status_code == 302
    assert [c.text for c in draft.criteria.all()] == ["The child's words quoted"]
    client.post(reverse("quality:tool_change", args=[org.pk]), {"action": "publish"})
    assert tools.current(tools.tool_for(org)).number == 2


def test_an_area_settings_page_saves_and_bounds_its_values(as_user, world):
    client = as_user("icb_designated")
    url = reverse("quality:settings", args=[CALDERDALE])
    data = {
        "frequency": "quarter",
        "percentage": "150",
        "minimum_per_practitioner": "1",
        "threshold": "80",
        "sdq_window_months": "3",
        "joint_visit_window_days": "14",
    }
    refused = client.post(url, data)
    assert "Percentage of completed assessments sampled must be 100 or less" in (
        refused.content.decode()
    )
    assert not QaSettings.objects.exists()
    assert client.post(url, data | {"percentage": "20"}).status_code == 302
    assert str(QaSettings.objects.get(area_id=CALDERDALE).percentage) == "20.00"


def test_home_pages_count_what_is_to_score_and_feedback_not_yet_answered(as_user, world, quarter):
    draw(as_user, world)
    sample = QaSample.objects.get()
    home = as_user("icb_designated").get(reverse("home")).content.decode()
    assert "Sampled assessments to score" in home
    item = sample.items.filter(assessment__practitioner__username="prov_a_nurse")[0]
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    as_user("icb_designated").post(reverse("quality:score", args=[item.pk]), score_data(version))
    nurse = as_user("prov_a_nurse")
    assert "not yet answered" in nurse.get(reverse("home")).content.decode()
    review = QaReview.objects.get()
    nurse.post(reverse("quality:review", args=[review.pk]), {"text": "Thanks"})
    request = RequestFactory().get("/")
    request.user = world.users["prov_a_nurse"]
    (section,) = home_sections(request)
    assert [(c.label, c.number) for c in section.counts] == [
        ("Quality assurance feedback on your assessments, not yet answered", 0)
    ]
    request.user = world.users["icb_designated"]
    (section,) = home_sections(request)
    assert section.counts[0].number == sample.items.count() - 1
