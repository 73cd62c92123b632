"""The QA sample (pure): every practitioner sampled at least the minimum (all of theirs if
fewer), every provider seen, the percentage reached, and the same seed drawing the same
sample whatever order the assessments come in."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.quality.sampling import Candidate, Rule, draw, target_size

candidates = st.lists(
    st.builds(
        Candidate,
        key=st.integers(1, 10_000),
        practitioner=st.integers(1, 12),
        provider=st.integers(1, 4),
    ),
    max_size=200,
    unique_by=lambda c: c.key,
)
rules = st.builds(
    Rule,
    percentage=st.decimals(0, 100, places=1),
    minimum_per_practitioner=st.integers(0, 5),
    minimum_per_provider=st.integers(0, 3),
)


@given(candidates, rules, st.text(max_size=20))
def test_every_practitioner_and_provider_is_seen_and_the_percentage_reached(pool, rule, seed):
    sample = set(draw(pool, rule, seed))
    assert sample <= {c.key for c in pool}
    for who in {c.practitioner for c in pool}:
        theirs = [c for c in pool if c.practitioner == who]
        assert sum(c.key in sample for c in theirs) >= min(
            len(theirs), rule.minimum_per_practitioner
        )
    for team in {c.provider for c in pool}:
        theirs = [c for c in pool if c.provider == team]
        assert sum(c.key in sample for c in theirs) >= min(len(theirs), rule.minimum_per_provider)
    assert len(sample) >= target_size(len(pool), rule.percentage)


@given(candidates, rules, st.text(max_size=20), st.randoms(use_true_random=False))
def test_the_same_seed_draws_the_same_sample_in_any_order(pool, rule, seed, shuffler):
    shuffled = list(pool)
    shuffler.shuffle(shuffled)
    assert draw(shuffled, rule, seed) == draw(pool, rule, seed)


@given(candidates, rules)
def test_no_more_is_drawn_than_the_rule_asks(pool, rule):
    """Beyond the minimums, the sample stops at the percentage: not the whole period."""
    sample = draw(pool, rule, "E08000032 2026 Q3")
    floor = len(
        {c.key for c in pool}
        & set(
            draw(
                pool,
                Rule(Decimal(0), rule.minimum_per_practitioner, rule.minimum_per_provider),
                "E08000032 2026 Q3",
            )
        )
    )
    assert len(sample) <= max(floor, target_size(len(pool), rule.percentage))


def test_a_worked_quarter():
    """Two practitioners of one team and an out-of-area team's single assessment: 10% of 40
    is 4; each practitioner gives 2, and the other area's team is seen too."""
    pool = [Candidate(k, practitioner=1 if k <= 30 else 2, provider=1) for k in range(1, 40)]
    pool.append(Candidate(40, practitioner=3, provider=2))
    rule = Rule(Decimal("10"), minimum_per_practitioner=2, minimum_per_provider=1)
    sample = draw(pool, rule, "E08000032 2026-07-01")
    assert sum(k <= 30 for k in sample) >= 2 and sum(31 <= k <= 39 for k in sample) >= 2
    assert 40 in sample and len(sample) == 5  # the minimums already pass 10% (4)
    assert draw(list(reversed(pool)), rule, "E08000032 2026-07-01") == sample
    assert draw(pool, rule, "E08000032 2026-10-01") != sample  # another quarter, another draw


def test_a_quarter_at_englands_volume_is_drawn_whole():
    rng = random.Random(1)
    pool = [Candidate(k, rng.randrange(1500), rng.randrange(150)) for k in range(25_000)]
    sample = draw(pool, Rule(Decimal("5"), 1, 1), "England 2026 Q3")
    assert len({c.practitioner for c in pool if c.key in set(sample)}) == len(
        {c.practitioner for c in pool}
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"percentage": Decimal("101")}, "0 to 100 percent"),
        ({"percentage": Decimal("-1")}, "0 to 100 percent"),
        ({"minimum_per_practitioner": -1}, "0 or more"),
    ],
)
def test_a_rule_outside_its_bounds_is_refused(kwargs, message):
    values = {"percentage": Decimal("10"), "minimum_per_practitioner": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        Rule(**values)


def test_an_assessment_is_a_candidate_once():
    with pytest.raises(ValueError, match="a candidate once"):
        draw([Candidate(1, 1, 1), Candidate(1, 2, 1)], Rule(Decimal(10), 1), "x")
