"""The episode rules (pure): RNE derivation, entry/change/leaving checks, sequence soundness."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lachealth.care import episodes as rules
from lachealth.care.codes import LEAVING_CARE_CHOICES, LegalStatus, Placement

DOB = date(2012, 4, 1)
AS_OF = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("ls_changed", "place_changed", "same_carer", "rne"),
    [
        (True, False, False, "L"),
        (False, True, False, "P"),
        (False, True, True, "T"),
        (True, True, False, "U"),
        (True, True, True, "B"),
    ],
)
def test_reason_for_new_episode_follows_the_ssda903_definitions(
    ls_changed, place_changed, same_carer, rne
):
    assert (
        rules.reason_for_new_episode(
            legal_status_changed=ls_changed, placement_changed=place_changed, same_carer=same_carer
        )
        == rne
    )


def test_nothing_changed_is_refused():
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.reason_for_new_episode(
            legal_status_changed=False, placement_changed=False, same_carer=False
        )
    assert exc.value.field == "ls"


def test_entry_before_birth_is_refused_naming_the_date_field():
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_entry(
            [], date_of_birth=DOB, start=DOB - timedelta(days=1), ls="C1", place="U4", as_of=AS_OF
        )
    assert exc.value.field == "decom"
    assert "date of birth" in exc.value.message


def test_entry_in_the_future_is_refused():
    with pytest.raises(rules.EpisodeRuleError, match="today or in the past"):
        rules.plan_entry(
            [], date_of_birth=DOB, start=AS_OF + timedelta(days=1), ls="C1", place="U4", as_of=AS_OF
        )


def test_entry_while_already_looked_after_names_the_open_episode():
    open_episode = rules.EpisodeFacts(decom=date(2024, 1, 1), rne="S", ls="C2", place="U4")
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_entry(
            [open_episode],
            date_of_birth=DOB,
            start=date(2025, 1, 1),
            ls="C1",
            place="U4",
            as_of=AS_OF,
        )
    assert "1 January 2024" in exc.value.message and "U4" in exc.value.message


def test_new_period_overlapping_the_last_is_refused_naming_it():
    closed = rules.EpisodeFacts(
        decom=date(2024, 1, 1), rne="S", ls="V2", place="U6", dec=date(2024, 6, 1), rec="E4A"
    )
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_entry(
            [closed], date_of_birth=DOB, start=date(2024, 5, 1), ls="C1", place="U4", as_of=AS_OF
        )
    assert "overlaps" in exc.value.message and "1 June 2024" in exc.value.message


def test_change_on_or_before_the_current_start_is_refused_naming_the_episode():
    current = rules.EpisodeFacts(decom=date(2025, 3, 1), rne="S", ls="C1", place="U4")
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_change(
            [current],
            on=date(2025, 3, 1),
            ls="C2",
            place="U4",
            placement_changed=False,
            same_carer=False,
            as_of=AS_OF,
        )
    assert exc.value.field == "decom"
    assert "1 March 2025" in exc.value.message and "overlap" in exc.value.message


def test_change_closes_the_open_episode_with_x1_and_starts_the_next_the_same_day():
    current = rules.EpisodeFacts(decom=date(2025, 3, 1), rne="S", ls="C1", place="U4")
    after = rules.plan_change(
        [current],
        on=date(2025, 9, 1),
        ls="C2",
        place="K2",
        placement_changed=True,
        same_carer=False,
        as_of=AS_OF,
    )
    assert after[0].dec == date(2025, 9, 1) and after[0].rec == "X1"
    assert after[1].decom == date(2025, 9, 1) and after[1].rne == "U" and after[1].is_open


def test_leaving_needs_an_e_reason_and_a_date_in_the_episode():
    current = rules.EpisodeFacts(decom=date(2025, 3, 1), rne="S", ls="C1", place="U4")
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_leaving([current], on=date(2025, 2, 1), rec="E4A", as_of=AS_OF)
    assert exc.value.field == "dec"
    with pytest.raises(rules.EpisodeRuleError) as exc:
        rules.plan_leaving([current], on=date(2025, 4, 1), rec="X1", as_of=AS_OF)
    assert exc.value.field == "rec"


def test_sequence_problems_finds_gaps_overlaps_and_bad_rne():
    eps = [
        rules.EpisodeFacts(
            decom=date(2024, 1, 1), rne="S", ls="C1", place="U4", dec=date(2024, 3, 1), rec="X1"
        ),
        rules.EpisodeFacts(
            decom=date(2024, 3, 5), rne="P", ls="C1", place="U6", dec=date(2024, 5, 1), rec="E4A"
        ),
        rules.EpisodeFacts(decom=date(2024, 4, 1), rne="P", ls="C1", place="U6"),
    ]
    problems = rules.sequence_problems(eps)
    assert any(p.startswith("gap") for p in problems)
    assert any(p.startswith("overlap") for p in problems)
    assert any("RNE is not S" in p for p in problems)


LS_CODES = [c for c in LegalStatus.values]
PLACE_CODES = [c for c in Placement.values if c not in ("H5", "P2", "Z1")]
LEAVING = [c for c, _ in LEAVING_CARE_CHOICES]

events = st.lists(
    st.tuples(
        st.sampled_from(["change", "leave", "enter"]),
        st.integers(min_value=-30, max_value=400),  # days after the last event
        st.sampled_from(LS_CODES),
        st.sampled_from(PLACE_CODES),
        st.booleans(),
        st.booleans(),
        st.sampled_from(LEAVING),
    ),
    max_size=25,
)


def accepted_history(events, first_gap):  # type: ignore[no-untyped-def]
    """The episodes after trying each event in turn, those the rules refuse left out."""
    as_of = date(2040, 1, 1)
    episodes: list[rules.EpisodeFacts] = rules.plan_entry(
        [],
        date_of_birth=DOB,
        start=DOB + timedelta(days=first_gap),
        ls="C1",
        place="U4",
        as_of=as_of,
    )
    day = episodes[-1].decom
    for kind, gap, ls, place, place_changed, same_carer, rec in events:
        day = day + timedelta(days=gap)
        try:
            if kind == "change":
                episodes = rules.plan_change(
                    episodes,
                    on=day,
                    ls=ls,
                    place=place,
                    placement_changed=place_changed,
                    same_carer=same_carer,
                    as_of=as_of,
                )
            elif kind == "leave":
                episodes = rules.plan_leaving(episodes, on=day, rec=rec, as_of=as_of)
            else:
                episodes = rules.plan_entry(
                    episodes, date_of_birth=DOB, start=day, ls=ls, place=place, as_of=as_of
                )
        except rules.EpisodeRuleError:
            continue
    return episodes


@settings(max_examples=300, deadline=None)
@given(events=events, first_gap=st.integers(min_value=0, max_value=4000))
def test_any_sequence_of_accepted_events_gives_contiguous_non_overlapping_episodes(
    events, first_gap
):
    """Whatever users try, the episodes the rules accept are always sound."""
    episodes = accepted_history(events, first_gap)
    assert rules.sequence_problems(episodes) == []
    periods = rules.periods_of_care(episodes)
    assert sum(len(p.episodes) for p in periods) == len(episodes)
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert earlier.end is not None and later.start >= earlier.end


def test_sequence_problems_finds_missing_endings_and_duplicate_starts():
    dangling = [
        rules.EpisodeFacts(
            decom=date(2024, 1, 1), rne="S", ls="C1", place="U4", dec=date(2024, 3, 1), rec="X1"
        )
    ]
    assert any("no episode follows" in p for p in rules.sequence_problems(dangling))
    no_reason = [
        rules.EpisodeFacts(
            decom=date(2024, 1, 1), rne="S", ls="C1", place="U4", dec=date(2024, 3, 1)
        )
    ]
    assert any("no reason" in p for p in rules.sequence_problems(no_reason))
    twice = [
        rules.EpisodeFacts(
            decom=date(2024, 1, 1), rne="S", ls="C1", place="U4", dec=date(2024, 1, 1), rec="E4A"
        ),
        rules.EpisodeFacts(decom=date(2024, 1, 1), rne="S", ls="C1", place="U4"),
    ]
    assert any("same day" in p for p in rules.sequence_problems(twice))
