"""The QA scale's arithmetic (pure): the best answer 100, the worst 0, equal steps between,
not applicable left out; a group's score is the mean of its applicable answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.quality import scoring
from lachealth.quality.models import DEFAULT_ANSWERS

SCALES = st.integers(min_value=1, max_value=7).map(
    lambda n: [[f"a{i}", f"Answer {i}"] for i in range(n)] + [["na", "Not applicable"]]
)


def test_the_default_scale_worth():
    assert [scoring.points(c, DEFAULT_ANSWERS) for c, _ in DEFAULT_ANSWERS] == [100, 50, 0, None]
    with pytest.raises(ValueError, match="'excellent' is not an answer on this scale"):
        scoring.points("excellent", DEFAULT_ANSWERS)


def test_a_worked_group():
    found = scoring.summarise(["met", "met", "partly", "not_met", "na"], DEFAULT_ANSWERS)
    assert (found.answered, found.applicable, found.best) == (5, 4, 2)
    assert found.value == (100 + 100 + 50 + 0) / 4
    assert found.rounded == 62  # 62.5 rounds to the even 62
    assert found.below(80) and not found.below(62)


def test_a_score_shown_at_the_threshold_is_not_below_it():
    # 16 met and 11 partly met: 79.6, shown as 80, is not named below a threshold of 80.
    found = scoring.summarise(["met"] * 16 + ["partly"] * 11, DEFAULT_ANSWERS)
    assert found.value == pytest.approx(79.63, abs=0.01)
    assert found.rounded == 80 and not found.below(80) and found.below(81)


def test_nothing_applicable_has_no_score_and_is_never_below():
    found = scoring.summarise(["na", "na"], DEFAULT_ANSWERS)
    assert found.value is None and not found.below(100)
    assert scoring.summarise([], DEFAULT_ANSWERS).value is None


@given(SCALES, st.data())
def test_scores_lie_between_the_worst_and_best_and_order_follows_the_scale(scale, data):
    codes = [c for c, _ in scale]
    answers = data.draw(st.lists(st.sampled_from(codes), max_size=30))
    found = scoring.summarise(answers, scale)
    worths = [scoring.points(c, scale) for c in codes[:-1]]
    assert worths == sorted(worths, reverse=True)
    assert worths[0] == 100 and worths[-1] == (100 if len(worths) == 1 else 0)
    applicable = [a for a in answers if a != "na"]
    assert found.applicable == len(applicable)
    if applicable:
        assert 0 <= found.value <= 100
        assert found.value == pytest.approx(
            sum(scoring.points(a, scale) for a in applicable) / len(applicable)
        )
    else:
        assert found.value is None


@given(SCALES, st.data())
def test_adding_not_applicable_never_changes_a_score(scale, data):
    codes = [c for c, _ in scale]
    answers = data.draw(st.lists(st.sampled_from(codes), max_size=20))
    extra = data.draw(st.integers(min_value=0, max_value=5))
    assert (
        scoring.summarise(answers, scale).value
        == scoring.summarise(answers + ["na"] * extra, scale).value
    )
