"""The demo data: four areas, repeatable by seed, sound episodes, only test-range NHS numbers."""

from __future__ import annotations

import random
from datetime import date
from io import StringIO

import nhs_number
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from lachealth.care import episodes as rules
from lachealth.care import team
from lachealth.care.models import Child, Episode, TeamMember
from lachealth.demo import histories
from lachealth.demo.identities import demo_nhs_numbers
from lachealth.health import summary
from lachealth.health.models import ClinicalEntry
from lachealth.insight.models import MeasureSnapshot
from lachealth.people.models import Organisation, User
from lachealth.quality import provider_selectors
from lachealth.quality.models import (
    Concern,
    JointFunding,
    Provider,
    QaReview,
    QaSample,
    QaSampleItem,
    Visit,
)

AS_OF = date(2026, 11, 23)


def test_demo_builds_four_areas_with_logins_and_sound_histories(areas):
    out, err = StringIO(), StringIO()
    call_command(
        "demo",
        "--scale",
        "0.1",
        "--seed",
        "7",
        "--as-of",
        "2026-11-23",
        stdout=out,
        stderr=err,
    )
    # It takes the nightly count of the measures that commissioners read, as of its day
    assert "Counting the measures" in err.getvalue()
    assert MeasureSnapshot.objects.get(complete=True).as_of == AS_OF
    assert Organisation.objects.filter(kind="LA").count() == 4
    assert Organisation.objects.filter(kind="PROVIDER").count() == 4
    assert Organisation.objects.filter(kind="ICB").count() == 1
    assert "bradford.nurse" in out.getvalue() and User.objects.filter(is_demo=True).count() >= 19
    children = Child.objects.prefetch_related("episodes")
    assert children.count() == sum(round(n * 0.1) for n in (420, 400, 160, 520))
    for child in children:
        child.full_clean()  # every demo child passes the same validation as a typed-in one
        for episode in child.episodes.all():
            episode.full_clean()
        episodes = list(child.episodes.all())
        facts = [e.facts() for e in episodes]
        for before, after in zip(episodes, episodes[1:], strict=False):
            if after.rne == "L":  # SSDA903 rule 434: legal status changes, placement does not
                assert (before.place, before.placement_area_id, before.pl_post, before.urn) == (
                    after.place,
                    after.placement_area_id,
                    after.pl_post,
                    after.urn,
                )
        if child.looked_after:
            assert child.current_placement_area_id == episodes[-1].placement_area_id
        assert rules.sequence_problems(facts) == []
        assert child.looked_after == (facts[-1].dec is None)
        if child.nhs_number:
            assert child.nhs_number.startswith("999") and nhs_number.is_valid(child.nhs_number)
        # Every child has a team, each member as the team's own checks would take it.
        members = list(child.team.all())
        assert {"social_worker", "iro", "carer", "named_nurse", "gp"} <= {m.role for m in members}
        for m in members:
            m.full_clean()
            details = team.MemberDetails(
                **{f: getattr(m, f) for f in ("start", "end", "user", "name", "organisation")},
                code=m.code,
                telephone=m.telephone,
            )
            assert team._check(child, m.role, details, AS_OF).telephone == m.telephone
    # About a third have a clinical summary, every entry as the summary's own checks take it.
    entries = ClinicalEntry.objects.select_related("child")
    assert entries.filter(kind="condition").exists() and entries.filter(kind="alert").exists()
    for e in entries:
        fields = ("term", "code", "start", "end", "dose", "reaction", "severity", "shareable")
        details = summary.EntryDetails(**{f: getattr(e, f) for f in fields})
        assert summary.check(e.child, e.kind, details, AS_OF) == details
    # A few carers' telephone numbers were corrected, with the reason in their history.
    corrected = TeamMember.history.filter(history_type="~", role="carer")
    assert corrected.exclude(history_change_reason="").exists()
    _quality_as_built()
    # Run again without --reset: nothing is duplicated.
    call_command("demo", "--scale", "0.05", stdout=StringIO(), stderr=StringIO())
    assert Organisation.objects.filter(kind="LA").count() == 4


def _quality_as_built() -> None:
    """A year of QA scores (the last quarter left to draw), providers of the demo's
    placements with a year of visits (chances to visit together in the weeks to come), open
    serious concerns where children are placed, and two joint-funded placements."""
    samples = list(QaSample.objects.order_by("period_start"))
    assert [s.period_start for s in samples] == [
        date(2025, 7, 1),
        date(2025, 10, 1),
        date(2026, 1, 1),
        date(2026, 4, 1),
    ]
    assert QaReview.objects.count() == QaSampleItem.objects.count() > 0
    urns = set(
        Episode.objects.filter(dec__isnull=True, child__looked_after=True)
        .exclude(urn="")
        .values_list("urn", flat=True)
    )
    assert Provider.objects.count() >= 4  # 38 at full scale
    assert set(Provider.objects.values_list("urn", flat=True)) <= urns
    visits = list(Visit.objects.order_by("planned_on"))
    assert visits[0].planned_on >= date(2025, 11, 23)
    assert Visit.objects.filter(status="done").exclude(outcome="").exists()
    chances = provider_selectors.chances(visits, visits[0].recorded_by)
    same_week = {
        tuple(sorted((v.pk, c.visit.pk)))
        for v in visits
        for c in chances.get(v.pk, [])
        if abs((v.planned_on - c.visit.planned_on).days) < 7
    }
    assert len(same_week) >= 2
    serious = Concern.objects.filter(status="open", severity="serious")
    placed = Episode.objects.filter(dec__isnull=True, urn__in=serious.values("provider__urn"))
    assert placed.exists() and Concern.objects.count() >= 3
    assert JointFunding.objects.count() == 2


def test_same_seed_same_histories():
    a = [histories.plan_child(random.Random(5), as_of=AS_OF) for _ in range(3)]
    b = [histories.plan_child(random.Random(5), as_of=AS_OF) for _ in range(3)]
    assert a == b


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_planned_histories_obey_the_episode_rules(seed):
    child = histories.plan_child(random.Random(seed), as_of=AS_OF)
    assert rules.sequence_problems(child.facts()) == []
    assert child.episodes[0].decom >= child.date_of_birth
    assert all(e.decom <= AS_OF for e in child.episodes)


def test_demo_nhs_numbers_are_valid_unique_and_in_the_test_range():
    numbers = demo_nhs_numbers(random.Random(1))
    drawn = [next(numbers) for _ in range(500)]
    assert len(set(drawn)) == 500
    assert all(n.startswith("999") and nhs_number.is_valid(n) for n in drawn)


def test_demo_refuses_to_run_outside_debug(areas, settings):
    import pytest
    from django.core.management import CommandError

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="LACHEALTH_DEBUG=1"):
        call_command("demo", stdout=StringIO(), stderr=StringIO())
    assert not User.objects.filter(is_demo=True).exists()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_planned_histories_respect_the_dfe_rules_the_demo_once_broke(seed):
    child = histories.plan_child(random.Random(seed), as_of=AS_OF)
    dob = child.date_of_birth
    for e in child.episodes:
        age = (e.decom - dob).days / 365.25
        assert not (e.ls == "J1" and age < 10)  # rule 358
        assert not (e.place == "P1" and e.ls == "V2")  # rule 378
        if e.ls in ("L1", "L2") and e.dec:
            assert (e.dec - e.decom).days <= 21  # rule 362
        if e.ls in ("V3", "V4") and e.dec:
            assert (e.dec - e.decom).days <= 17  # rule 365
        if e.rec == "E17":
            assert e.dec >= histories._birthday(dob, 18)  # rule 460
        if e.rec in ("E45", "E46"):
            assert e.place.startswith("U")  # rule 516


def test_the_demo_areas_perform_differently_and_kirklees_is_an_iha_outlier():
    """Sixty entries to care per area, planned as the demo plans them: Kirklees's initial
    assessments fall below the 99.8% funnel limit around the four areas' average."""
    from datetime import timedelta

    from lachealth.demo.health_histories import plan_health
    from lachealth.demo.management.commands.demo import AREAS
    from lachealth.health.clocks import initial_health_assessment_due
    from lachealth.insight.stats import Position, funnel_position

    rng = random.Random(3)
    on_time: dict[str, int] = {}
    for area in AREAS:
        on_time[area.username] = 0
        for n in range(60):
            start = date(2025, 4, 1) + timedelta(days=5 * n)
            plan = plan_health(
                rng,
                date_of_birth=date(2015, 1, 1),
                start=start,
                end=None,
                as_of=AS_OF,
                timeliness=area.timeliness,
            )
            first = plan.assessments[0] if plan.assessments else None
            if first and first.completed_on <= initial_health_assessment_due(start):
                on_time[area.username] += 1
    p0 = sum(on_time.values()) / (60 * len(AREAS))
    positions = {name: funnel_position(k, 60, p0) for name, k in on_time.items()}
    assert positions["kirklees"] == Position.BELOW_998
    assert positions["leeds"] in (Position.ABOVE_95, Position.ABOVE_998)
    assert len(set(on_time.values())) == len(AREAS)
