"""SDQ scoring (pure): reverse scoring, prorating, bands, and the 0–40 / 0–10 ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.health.sdq import SdqBand, band_for_total, score_sdq


def test_all_zero_answers_score_the_reverse_items():
    score = score_sdq([0] * 25)
    # 7 and 21, 25 and 11, 14 are reverse-scored: "not true" scores 2 on those.
    assert (score.conduct, score.hyperactivity, score.peer) == (2, 4, 4)
    assert (score.emotional, score.prosocial) == (0, 0)
    assert score.total_difficulties == 10 and score.band == SdqBand.NORMAL


def test_all_two_answers():
    score = score_sdq([2] * 25)
    assert (score.emotional, score.conduct, score.hyperactivity, score.peer) == (10, 8, 6, 6)
    assert score.prosocial == 10 and score.total_difficulties == 30
    assert score.band == SdqBand.HIGH


def test_prorating_with_three_or_four_answers_and_missing_with_fewer():
    items: list[int | None] = [1] * 25
    for n in (3, 8):  # two emotional items unanswered: 3 of 5 answered, mean 1 -> 5
        items[n - 1] = None
    assert score_sdq(items).emotional == 5
    items[13 - 1] = None  # only 2 left: missing, so no total
    score = score_sdq(items)
    assert score.emotional is None and score.total_difficulties is None


def test_prorating_rounds_half_up():
    items: list[int | None] = [0] * 25
    # emotional: 2, 2, 1, None, None answered -> mean 5/3 * 5 = 8.33 -> 8
    items[2], items[7], items[12], items[15], items[23] = 2, 2, 1, None, None
    assert score_sdq(items).emotional == 8
    # emotional: 1, 0, 0, 0 -> mean 0.25 * 5 = 1.25 -> 1; 1,1,0,0 -> 2.5 -> 3
    items[2], items[7], items[12], items[15], items[23] = 1, 1, 0, 0, None
    assert score_sdq(items).emotional == 3


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "normal"),
        (13, "normal"),
        (14, "borderline"),
        (16, "borderline"),
        (17, "high"),
        (40, "high"),
    ],
)
def test_carer_bands(total, band):
    assert band_for_total(total) == band


def test_impact_scoring():
    assert score_sdq([0] * 25, impact=[0, 1, 2, 3, None]).impact == 3
    assert score_sdq([0] * 25).impact is None


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([0] * 24, "25 items"),
        ([0] * 24 + [3], "item 25: 3 is not a score from 0 to 2"),
        ([-1] + [0] * 24, "item 1"),
    ],
)
def test_bad_items_are_refused_naming_the_item(items, message):
    with pytest.raises(ValueError, match=message):
        score_sdq(items)


@given(items=st.lists(st.none() | st.integers(min_value=0, max_value=2), min_size=25, max_size=25))
def test_scores_stay_in_range_for_any_answers(items):
    score = score_sdq(items)
    for name in ("emotional", "conduct", "hyperactivity", "peer", "prosocial"):
        value = getattr(score, name)
        assert value is None or 0 <= value <= 10
    assert score.total_difficulties is None or 0 <= score.total_difficulties <= 40
