"""Assessment QA through its services: the sample drawn once and again the same from its seed,
added to by hand with a reason; scoring against a published version of the tool, never one's
own assessment; the tool's versions; the results; the area's settings. Every refusal says why
and writes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lachealth.people.models import AccessLog
from lachealth.quality import area_settings, results, reviews, samples, tools
from lachealth.quality.models import (
    QaReview,
    QaSample,
    QaSampleItem,
    QaScore,
    QaSettings,
    QaToolVersion,
)

from ..conftest import BRADFORD, CALDERDALE, LEEDS
from ..factories import area, child_in_care
from .conftest import AS_OF, QUARTER, assessed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]
Q3 = samples.Period(*QUARTER)


def drawn(world, **changes):  # type: ignore[no-untyped-def]
    return samples.draw_sample(
        by=world.users["icb_designated"],
        organisation=world.orgs["icb"],
        period=changes.get("period", Q3),
        as_of=changes.get("as_of", AS_OF),
    )


def all_met(version: QaToolVersion) -> list[reviews.Answer]:
    """The best answer of the version's scale to every criterion."""
    return [reviews.Answer(c.pk, version.answers[0][0]) for c in version.criteria.all()]


def scored(world, item, answers=None, by="icb_designated", grade="good"):  # type: ignore[no-untyped-def]
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    return reviews.score(
        by=world.users[by] if isinstance(by, str) else by,
        item=item,
        version=version,
        answers=answers if answers is not None else all_met(version),
        grade=grade,
        feedback="Clear plan; record the child's own words.",
        as_of=AS_OF,
    )


def test_periods_are_calendar_months_and_quarters():
    assert samples.period_of(date(2026, 11, 15), "quarter") == samples.Period(
        date(2026, 10, 1), date(2026, 12, 31)
    )
    assert samples.period_of(date(2026, 2, 28), "month") == samples.Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert samples.recent_periods(AS_OF, "quarter", 2) == [
        Q3,
        samples.Period(date(2026, 4, 1), date(2026, 6, 30)),
    ]
    assert Q3.label == "1 July to 30 September 2026"


def test_the_quarter_sample_sees_every_practitioner_and_team_and_is_recorded(world, quarter):
    QaSettings.objects.create(area=area(BRADFORD), percentage=Decimal(10))
    sample = drawn(world)
    items = list(sample.items.select_related("assessment"))
    # The footprint's 12 assessments of the quarter, and only those.
    assert sample.candidates == 12
    assert {i.assessment.completed_on for i in items} <= {a.completed_on for a in quarter}
    practitioners = Counter(i.assessment.practitioner_id for i in items)
    assert set(practitioners) == {a.practitioner_id for a in quarter}
    providers = {i.assessment.provider_id for i in items}
    assert providers == {world.orgs["prov_a"].pk, world.orgs["prov_c"].pk}
    # Calderdale's team's assessment of Bradford's child placed there is one of Bradford's.
    assert sample.areas == sorted([BRADFORD, LEEDS, CALDERDALE])
    assert sample.rules[BRADFORD] == {
        "frequency": "quarter",
        "percentage": "10.00",
        "minimum_per_practitioner": 1,
    }
    assert len(sample.seed) == 16
    assert samples.redraw(sample) == sorted(i.assessment_id for i in items)
    assert AccessLog.objects.filter(detail__startswith="QA sample drawn for 1 July").exists()


def test_a_period_is_sampled_once_and_only_when_it_has_ended(world, quarter):
    drawn(world)
    with pytest.raises(ValidationError) as refused:
        drawn(world)
    assert "The sample for 1 July to 30 September 2026 was drawn on 2 December 2026" in str(
        refused.value
    )
    with pytest.raises(ValidationError) as early:
        drawn(world, period=samples.Period(date(2026, 10, 1), date(2026, 12, 31)))
    assert "ends on 31 December 2026: draw its sample after that" in str(early.value)
    assert QaSample.objects.count() == 1


def test_each_area_is_sampled_by_its_own_period_and_never_twice(world, quarter):
    QaSettings.objects.create(area=area(BRADFORD), frequency="month")
    offered = samples.offered_periods(world.orgs["icb"], AS_OF)
    assert Q3 in offered and samples.Period(date(2026, 11, 1), date(2026, 11, 30)) in offered
    quarterly = drawn(world)
    assert quarterly.areas == sorted([LEEDS, CALDERDALE])
    assert quarterly.rules[LEEDS]["frequency"] == "quarter"
    july = drawn(world, period=samples.Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert july.areas == [BRADFORD]
    assert {i.assessment.child.responsible_area_id for i in july.items.all()} == {BRADFORD}
    # Leeds turns monthly: August overlaps the quarter its assessments were sampled in.
    QaSettings.objects.create(area=area(LEEDS), frequency="month")
    with pytest.raises(ValidationError) as overlap:
        drawn(world, period=samples.Period(date(2026, 8, 1), date(2026, 8, 31)))
    assert "The sample for 1 July to 30 September 2026 was drawn on 2 December 2026 by " in str(
        overlap.value
    )
    assert "and August 2026 overlaps it" in str(overlap.value)
    with pytest.raises(ValidationError) as odd:
        drawn(world, period=samples.Period(date(2026, 7, 15), date(2026, 8, 14)))
    assert "is not a month or quarter that ICB's areas are sampled by" in str(odd.value)
    assert QaSample.objects.count() == 2


def test_only_the_organisations_designated_professionals_draw(world, quarter):
    with pytest.raises(ValidationError) as refused:
        samples.draw_sample(
            by=world.users["prov_a_nurse"],
            organisation=world.orgs["icb"],
            period=Q3,
            as_of=AS_OF,
        )
    assert "Only ICB's designated professionals draw its sample" in str(refused.value)
    assert not QaSample.objects.exists()


def test_an_assessment_is_added_by_hand_with_a_reason(world, quarter):
    sample = drawn(world)
    outside = next(a for a in quarter if not sample.items.filter(assessment=a).exists())
    by = world.users["icb_designated"]
    with pytest.raises(ValidationError) as no_reason:
        samples.add_by_hand(by=by, sample=sample, assessment_id=outside.pk, reason="  ")
    assert "Say why this assessment is added" in str(no_reason.value)
    item = samples.add_by_hand(
        by=by, sample=sample, assessment_id=outside.pk, reason="A concern about the placement"
    )
    assert (item.how, item.added_by) == ("added", by)
    with pytest.raises(ValidationError) as twice:
        samples.add_by_hand(by=by, sample=sample, assessment_id=outside.pk, reason="Again")
    assert "already in the sample" in str(twice.value)
    foreign = child_in_care(area("E08000036"))  # Wakefield: not the ICB's footprint
    theirs = assessed(foreign, by, world.orgs["prov_a"], date(2026, 8, 1))
    with pytest.raises(ValidationError) as elsewhere:
        samples.add_by_hand(by=by, sample=sample, assessment_id=theirs.pk, reason="Curious")
    assert "Choose a completed assessment of the footprint's children" in str(elsewhere.value)
    assert sample.items.filter(how="added").count() == 1


def test_scoring_writes_every_criterion_and_the_author_reads_it(world, quarter):
    sample = drawn(world)
    item = sample.items.exclude(assessment__practitioner__username="icb_designated_2").first()
    review = scored(world, item)
    version = review.version
    assert review.practitioner_id == item.assessment.practitioner_id
    assert QaScore.objects.filter(review=review).count() == version.criteria.count() == 12
    assert reviews.may_read(item.assessment.practitioner, review)
    other = (
        "prov_c_nurse"
        if item.assessment.practitioner.username == "prov_a_nurse"
        else "prov_a_nurse"
    )
    assert not reviews.may_read(world.users[other], review)
    reply = reviews.reply(by=item.assessment.practitioner, review=review, text="Thank you: done.")
    assert reply.review == review
    with pytest.raises(ValidationError) as again:
        scored(world, item)
    assert "This assessment was scored on 2 December 2026" in str(again.value)


def test_nobody_scores_their_own_assessment(world, quarter):
    sample = drawn(world)
    own = sample.items.get(assessment__practitioner__username="icb_designated_2")
    second = own.assessment.practitioner
    with pytest.raises(ValidationError) as refused:
        scored(world, own, by=second)
    assert "This is your own assessment: another designated professional scores it" in str(
        refused.value
    )
    assert not QaReview.objects.exists()
    assert scored(world, own).reviewer == world.users["icb_designated"]


def test_a_score_for_a_criterion_not_in_the_version_is_refused(world, quarter):
    sample = drawn(world)
    item = sample.items.exclude(assessment__practitioner__username="icb_designated_2").first()
    tool = tools.tool_for(world.orgs["icb"])
    version = tools.current(tool)
    draft = tools.start_draft(by=world.users["icb_designated"], tool=tool)
    stranger = draft.criteria.first()
    answers = [*all_met(version), reviews.Answer(stranger.pk, "met")]
    with pytest.raises(ValidationError) as refused:
        scored(world, item, answers=answers)
    assert f"Criterion {stranger.pk} is not in version 1 of the tool" in str(refused.value)
    with pytest.raises(ValidationError) as missing:
        scored(world, item, answers=all_met(version)[1:])
    assert "Answer “Consent to the assessment recorded" in str(missing.value)
    with pytest.raises(ValidationError) as off_scale:
        scored(
            world, item, answers=[reviews.Answer(a.criterion, "brilliant") for a in answers[:-1]]
        )
    assert "Answer one of Met, Partly met, Not met, Not applicable" in str(off_scale.value)
    with pytest.raises(ValidationError) as draft_scored:
        reviews.score(
            by=world.users["icb_designated"],
            item=item,
            version=draft,
            answers=all_met(draft),
            grade="good",
            feedback="Fine",
            as_of=AS_OF,
        )
    assert "Score with a published version of ICB's tool" in str(draft_scored.value)
    assert not QaReview.objects.exists() and not QaScore.objects.exists()


def test_a_new_version_leaves_old_scores_with_the_version_they_used(world, quarter):
    sample = drawn(world)
    first, second = sample.items.exclude(assessment__practitioner__username="icb_designated_2")[:2]
    old = scored(world, first)
    by = world.users["icb_designated"]
    tool = tools.tool_for(world.orgs["icb"])
    draft = tools.start_draft(by=by, tool=tool)
    rows = tools.rows_of(draft)[:3] + [tools.Row("Sharing", "The plan sent to the GP")]
    tools.save_draft(
        by=by,
        version=draft,
        rows=rows,
        answers=["Yes", "No", "Not applicable"],
        grades=["Good", "Not good"],
    )
    with pytest.raises(ValidationError) as published:
        tools.save_draft(
            by=by, version=tools.current(tool), rows=rows, answers=["Yes", "No"], grades=["A", "B"]
        )
    assert "Version 1 is published and never changes" in str(published.value)
    tools.publish(by=by, version=draft, as_of=AS_OF)
    assert tools.current(tool).number == 2
    new = scored(world, second, grade="good")
    assert new.version.number == 2 and new.scores.count() == 4
    old.refresh_from_db()
    assert old.version.number == 1 and old.scores.count() == 12
    assert set(new.scores.values_list("answer", flat=True)) == {"yes"}
    assert set(old.scores.values_list("answer", flat=True)) == {"met"}


def test_a_draft_needs_criteria_and_two_answers_and_only_the_organisation_edits_it(world):
    tool = tools.tool_for(world.orgs["icb"])
    with pytest.raises(ValidationError) as outsider:
        tools.start_draft(by=world.users["prov_a_nurse"], tool=tool)
    assert "Only ICB's designated professionals change its tool" in str(outsider.value)
    draft = tools.start_draft(by=world.users["icb_designated"], tool=tool)
    with pytest.raises(ValidationError) as bad:
        tools.save_draft(
            by=world.users["icb_designated"],
            version=draft,
            rows=[tools.Row("", "Without a section")],
            answers=["Yes", "Not applicable"],
            grades=["Good", "Good"],
        )
    problems = bad.value.message_dict
    assert problems["rows"] == ["Criterion 1 needs a section and its words"]
    assert problems["answers"] == ["Give at least two answers besides not applicable"]
    assert problems["grades"] == ["“Good” is given twice"]
    assert draft.criteria.count() == 12  # as copied, untouched


def test_results_per_criterion_practitioner_team_and_area_name_the_low_ones(world, quarter):
    QaSettings.objects.create(area=area(BRADFORD), threshold=90)
    sample = drawn(world)
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    consent = version.criteria.get(position=1, section__position=1)
    reviewed = list(sample.items.exclude(assessment__practitioner__username="icb_designated_2"))
    answers_of = {}
    for n, item in enumerate(reviewed):
        answer = ["met", "partly", "not_met", "na"][n % 4]
        answers = [
            reviews.Answer(c.pk, answer if c.pk == consent.pk else "met")
            for c in version.criteria.all()
        ]
        scored(world, item, answers=answers)
        answers_of[item.pk] = answer
    found = results.results(version, since=date(2026, 1, 1), until=AS_OF, frequency="quarter")
    consent_row = next(r for r in found.criteria if r.key == consent.pk)
    given = list(answers_of.values())
    worth = {"met": 100, "partly": 50, "not_met": 0}
    applicable = [worth[a] for a in given if a != "na"]
    assert consent_row.score.applicable == len(applicable)
    assert consent_row.score.best == given.count("met")
    assert consent_row.score.value == pytest.approx(sum(applicable) / len(applicable))
    assert found.reviews == len(reviewed)
    assert sum(n for _, n in found.grades) == len(reviewed)  # every area's, not the last's
    assert {r.label for r in found.providers} == {"Provider A", "Provider C"}
    assert sum(r.reviews for r in found.practitioners) == len(reviewed)
    assert all(s.value == 100 for r in found.criteria if r.key != consent.pk for s in [r.score])
    # Named where the area's score falls below its own threshold (Bradford 90, others 80).
    by_area: dict[str, list[int]] = {}
    for item in reviewed:
        code = item.assessment.child.responsible_area_id
        if answers_of[item.pk] != "na":
            by_area.setdefault(code, []).append(worth[answers_of[item.pk]])
    expected = {
        area(code).name
        for code, values in by_area.items()
        if sum(values) / len(values) < (90 if code == BRADFORD else 80)
    }
    assert {n.area for n in found.named} == expected
    assert all(n.criterion == consent.text for n in found.named)
    # The practitioner's own results hold only their own assessments.
    nurse = world.users["prov_c_nurse"]
    own = results.results(
        version, since=date(2026, 1, 1), until=AS_OF, frequency="quarter", practitioner=nurse.pk
    )
    assert own.reviews == sum(1 for i in reviewed if i.assessment.practitioner_id == nurse.pk)
    assert {r.key for r in own.practitioners} <= {nurse.pk}


def test_the_area_settings_are_changed_by_its_designated_professionals(world):
    values = {
        "frequency": "month",
        "percentage": Decimal("12.5"),
        "minimum_per_practitioner": 2,
        "threshold": 75,
        "sdq_window_months": 3,
        "joint_visit_window_days": 7,
    }
    with pytest.raises(ValidationError) as refused:
        area_settings.update_settings(
            by=world.users["prov_a_nurse"], area_code=BRADFORD, values=values
        )
    assert "Only the area's designated professionals change its QA settings" in str(refused.value)
    assert not QaSettings.objects.exists()
    area_settings.update_settings(
        by=world.users["icb_designated"], area_code=BRADFORD, values=values
    )
    assert area_settings.settings_for(BRADFORD).percentage == Decimal("12.5")
    assert samples.frequencies(world.orgs["icb"])[BRADFORD] == "month"
    assert samples.frequency_of(world.orgs["icb"]) == "quarter"  # Leeds and Calderdale are
    assert area_settings.settings_for(LEEDS).percentage == Decimal(10)  # the default, unsaved
    assert not QaSampleItem.objects.exists()


def test_the_board_report_gives_the_areas_qa_results_suppressed_and_unnamed(world, quarter):
    from lachealth.insight.periods import year_to_march
    from lachealth.insight.report import report_html

    sample = drawn(world)
    bradford = [
        i
        for i in sample.items.select_related("assessment__child", "assessment__practitioner")
        if i.assessment.child.responsible_area_id == BRADFORD
        and i.assessment.practitioner.username != "icb_designated_2"
    ]
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    for item in bradford:
        scored(
            world, item, answers=[reviews.Answer(c.pk, "partly") for c in version.criteria.all()]
        )
    html = report_html(BRADFORD, "Bradford", year_to_march(2027), as_of=AS_OF)
    assert "Quality assurance of health assessments" in html
    assert "prov_a_nurse" not in html and world.users["prov_a_nurse"].last_name not in html
    # Fewer than 6 scored: the count is c, and no score stands on fewer than 10.
    assert 1 <= len(bradford) <= 5
    assert "c of Bradford's children's assessments" in html
    assert "<td>not shown</td><td>fewer than 10</td>" in html
    assert "Below the area" not in html
    # With ten more scored, scores are shown and the low criterion named.
    extra = [
        assessed(world.children["child_a"], world.users["prov_c_nurse"], world.orgs["prov_c"], day)
        for day in (date(2026, 9, n) for n in range(10, 20))
    ]
    for assessment in extra:
        item = samples.add_by_hand(
            by=world.users["icb_designated"],
            sample=sample,
            assessment_id=assessment.pk,
            reason="Ten more for the board",
        )
        scored(
            world, item, answers=[reviews.Answer(c.pk, "partly") for c in version.criteria.all()]
        )
    html = report_html(BRADFORD, "Bradford", year_to_march(2027), as_of=AS_OF)
    n = len(bradford) + 10
    assert f"{n} of Bradford" in html
    assert "Consent to the assessment recorded, and who gave it: 50 (threshold 80)" in html
    assert f"<td>50</td><td>{n}</td>" in html
