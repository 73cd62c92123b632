"""Withdrawing an episode entered in error: the rule (pure, with properties over any history),
the service that keeps the episode with its reason and closes the gap it leaves, and the page,
which only the child's LA reaches."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from lachealth.care import corrections, selectors, services
from lachealth.care import episodes as rules
from lachealth.care.models import Child, Episode
from lachealth.health import selectors as health_selectors
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area
from ..handovers.helpers import enter_care
from ..interop.helpers import exported, import_return, rows
from .test_episodes import accepted_history, events

E = rules.EpisodeFacts

# The rule

ENTRY = E(date(2025, 3, 1), "S", "C2", "U4", date(2025, 6, 10), "X1")
MOVE = E(date(2025, 6, 10), "P", "C2", "U5", date(2025, 9, 1), "X1")
ORDER = E(date(2025, 9, 1), "L", "C1", "U5")


def test_withdrawing_the_latest_move_reopens_the_episode_before():
    latest = replace(MOVE, dec=None, rec=None)
    assert rules.plan_withdrawal([ENTRY, latest], decom=latest.decom) == [
        E(date(2025, 3, 1), "S", "C2", "U4")
    ]


def test_withdrawing_the_episode_that_ended_care_lets_the_one_before_end_it():
    left = E(date(2025, 6, 10), "P", "C2", "U5", date(2025, 9, 1), "E4A")
    later = E(date(2026, 1, 5), "S", "C1", "U4")
    after = rules.plan_withdrawal([ENTRY, left, later], decom=left.decom)
    assert after == [E(date(2025, 3, 1), "S", "C2", "U4", date(2025, 9, 1), "E4A"), later]
    assert rules.sequence_problems(after) == []


def test_withdrawing_the_only_episode_of_a_period_removes_the_period():
    first = E(date(2024, 1, 2), "S", "V2", "U4", date(2024, 2, 1), "E4A")
    twice = E(date(2024, 5, 1), "S", "C2", "U4", date(2024, 6, 1), "E13")
    after = rules.plan_withdrawal([first, twice, ENTRY, MOVE, ORDER], decom=twice.decom)
    assert after == [first, ENTRY, MOVE, ORDER]
    assert rules.plan_withdrawal([twice], decom=twice.decom) == []


def test_withdrawing_an_episode_in_the_middle_joins_its_neighbours_with_the_right_rne():
    after = rules.plan_withdrawal([ENTRY, MOVE, ORDER], decom=MOVE.decom)
    # Legal status and placement both changed, and the withdrawn move changed the carer.
    assert after == [
        E(date(2025, 3, 1), "S", "C2", "U4", date(2025, 9, 1), "X1"),
        E(date(2025, 9, 1), "U", "C1", "U5"),
    ]
    assert rules.sequence_problems(after) == []


@pytest.mark.parametrize(
    ("middle_rne", "last_rne", "placement_changed", "rne"),
    [
        ("L", "T", None, "B"),  # no change on the way changed the carer
        ("L", "P", None, "U"),
        ("T", "L", None, "B"),
        ("L", "L", True, "B"),  # the caller saw the placement differ beyond its type
    ],
)
def test_the_joined_episode_takes_the_rne_of_what_changed(
    middle_rne, last_rne, placement_changed, rne
):
    middle = E(date(2025, 6, 10), middle_rne, "C1", "U4", date(2025, 9, 1), "X1")
    last = E(date(2025, 9, 1), last_rne, "C1", "U4" if placement_changed else "U6")
    after = rules.plan_withdrawal(
        [ENTRY, middle, last], decom=middle.decom, placement_changed=placement_changed
    )
    assert after[1].rne == rne


@pytest.mark.parametrize(
    ("episodes", "decom", "message"),
    [
        ([ENTRY, MOVE, ORDER], ENTRY.decom, "began the period of care that the episode from 10"),
        ([ENTRY, MOVE, ORDER], date(2025, 6, 11), "No episode starts on 11 June 2025"),
        (
            [
                ENTRY,
                E(date(2025, 6, 10), "L", "C1", "U4", date(2025, 9, 1), "X1"),
                E(date(2025, 9, 1), "L", "C2", "U4"),
            ],
            date(2025, 6, 10),
            "nothing would change between the episode from 1 March 2025",
        ),
    ],
)
def test_a_withdrawal_that_would_break_the_sequence_is_refused_saying_why(episodes, decom, message):
    with pytest.raises(rules.EpisodeRuleError) as refused:
        rules.plan_withdrawal(episodes, decom=decom)
    assert refused.value.field == "decom" and message in refused.value.message


@settings(max_examples=300, deadline=None)
@given(
    events=events,
    first_gap=st.integers(min_value=0, max_value=4000),
    pick=st.integers(min_value=0, max_value=100),
    middle=st.booleans(),
)
def test_any_permitted_withdrawal_leaves_one_episode_fewer_and_a_sound_sequence(
    events, first_gap, pick, middle
):
    episodes = accepted_history(events, first_gap)
    # Episodes in the middle of a period are rare in random histories: pick one half the time.
    middles = [i for i in range(1, len(episodes)) if episodes[i - 1].rec == "X1" == episodes[i].rec]
    index = middles[pick % len(middles)] if middle and middles else pick % len(episodes)
    target = episodes[index]
    before = episodes[index - 1] if index else None
    after = episodes[index + 1] if index + 1 < len(episodes) else None
    starts_period = before is None or before.rec != "X1"
    continued = target.rec == "X1"
    same_either_side = (
        before is not None
        and after is not None
        and (before.ls, before.place) == (after.ls, after.place)
    )
    try:
        planned = rules.plan_withdrawal(episodes, decom=target.decom)
    except rules.EpisodeRuleError:
        # Refused only for the first episode of a period that goes on, or when nothing would
        # tell apart the episodes it came between.
        assert continued and (starts_period or same_either_side)
        return
    assert not (continued and (starts_period or same_either_side))
    assert rules.sequence_problems(planned) == []
    assert len(planned) == len(episodes) - 1
    assert target.decom not in {e.decom for e in planned}
    # Only the neighbours in the same period change: the one before takes its end, the one
    # after only its RNE.
    kept = episodes[:index] + episodes[index + 1 :]
    for i, (old, new) in enumerate(zip(kept, planned, strict=True)):
        if old == new:
            continue
        if i == index - 1:
            assert (new.dec, new.rec) == (target.dec, target.rec)
            assert (new.decom, new.rne, new.ls, new.place) == (
                old.decom,
                old.rne,
                old.ls,
                old.place,
            )
        else:
            assert i == index and continued
            assert (new.decom, new.dec, new.rec, new.ls, new.place) == (
                old.decom,
                old.dec,
                old.rec,
                old.ls,
                old.place,
            )
    # Withdrawing the latest move reopens the episode before it.
    if before is not None and index == len(episodes) - 1 and not starts_period:
        assert planned[-1] == replace(before, dec=target.dec, rec=target.rec)


# The service

AS_OF = date(2026, 11, 30)


@pytest.fixture
def pinned():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-30 10:00:00 +0000", tick=False):
        yield


def _move(world, child: Child, on: date, place: str = "U4") -> Episode:  # type: ignore[no-untyped-def]
    return services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=on,
        ls="C2",
        placement=services.PlacementDetails(
            place=place, place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
        ),
        reason_place_change="CARPL",
        as_of=AS_OF,
    )


def _order(world, child: Child, on: date, ls: str) -> Episode:  # type: ignore[no-untyped-def]
    return services.record_change(
        by=world.users["la_a_sw"], child=child, on=on, ls=ls, placement=None, as_of=AS_OF
    )


def _withdraw(
    world, episode: Episode, reason: str = "Recorded on the wrong child", user: str = "la_a_sw"
) -> Episode:  # type: ignore[no-untyped-def]
    return corrections.withdraw_episode(
        by=world.users[user], episode=episode, reason=reason, as_of=AS_OF
    )


def _written() -> tuple:
    return (
        list(Episode.everything.order_by("pk").values()),
        Episode.history.count(),
        Child.history.count(),
        AccessLog.objects.count(),
    )


def test_a_move_on_the_wrong_child_is_withdrawn_and_the_placement_before_continues(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 20))
    child.refresh_from_db()
    assert child.current_placement_area_id == CALDERDALE
    withdrawn = _withdraw(world, move)
    assert withdrawn.withdrawn_reason == "Recorded on the wrong child"
    child.refresh_from_db()
    (entry,) = child.episodes.all()
    assert (entry.decom, entry.dec, entry.rec, entry.reason_place_change) == (
        date(2026, 11, 2),
        None,
        "",
        "",
    )
    assert child.looked_after and child.current_placement_area_id == BRADFORD
    # Kept, never deleted: only `everything` reaches it.
    assert not Episode.objects.filter(pk=move.pk).exists()
    assert Episode.everything.get(pk=move.pk).withdrawn_reason == "Recorded on the wrong child"
    assert AccessLog.objects.filter(
        child_id=child.pk, action="change", detail=f"withdrew the episode {move.pk}"
    ).exists()
    # The history shows who withdrew it, when and why, and the episode before reopened.
    history = selectors.change_history(child)
    gone = next(c for c in history if c.what == "Episode from 20 November 2026 withdrawn")
    assert (gone.who, gone.why) == (str(world.users["la_a_sw"]), "Recorded on the wrong child")
    reopened = next(c for c in history if c.what == "Episode from 2 November 2026 changed")
    assert reopened.why == (
        "the episode from 20 November 2026 was withdrawn: Recorded on the wrong child"
    )
    assert ("Date episode ceased", "20 November 2026", "(none)") in [
        (f.field, f.before, f.after) for f in reopened.fields
    ]
    # Withdrawn again: refused, as the page would show it.
    with pytest.raises(ValidationError, match="already withdrawn"):
        _withdraw(world, move)
    # The right move may now be recorded on the same day: the withdrawn one does not hold it.
    again = _move(world, child, date(2026, 11, 20), place="U5")
    assert Episode.everything.filter(child=child, decom=date(2026, 11, 20)).count() == 2
    assert again.withdrawn_reason == ""


def test_a_withdrawn_change_of_legal_status_puts_back_the_clock_facts(world):
    child = enter_care(world, decom=date(2026, 11, 2), ls="C2", as_of=AS_OF)
    order = _order(world, child, date(2026, 11, 20), "C1")
    assert health_selectors.child_facts(child).current_ls == "C1"
    _withdraw(world, order, reason="The order was not granted")
    assert health_selectors.child_facts(child).current_ls == "C2"


def test_a_period_entered_twice_is_withdrawn_and_the_clocks_follow(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    services.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 11, 5), rec="E4A", as_of=AS_OF
    )
    twice = services.record_new_period_of_care(
        by=world.users["la_a_sw"],
        child=child,
        decom=date(2026, 11, 10),
        ls="C2",
        cin="N1",
        placement=services.PlacementDetails(
            place="U4", place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
        ),
        as_of=AS_OF,
    )
    assert health_selectors.child_facts(child).period_start == date(2026, 11, 10)
    _withdraw(world, twice, reason="Entered twice")
    child.refresh_from_db()
    assert [(e.decom, e.dec, e.rec) for e in child.episodes.all()] == [
        (date(2026, 11, 2), date(2026, 11, 5), "E4A")
    ]
    assert not child.looked_after and child.current_placement_area_id is None
    facts = health_selectors.child_facts(child)
    assert (facts.period_start, facts.looked_after) == (date(2026, 11, 2), False)
    assert len(selectors.timeline(child)) == 1


def test_the_episode_that_ended_care_hands_its_end_to_the_one_before(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 10))
    services.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 11, 20), rec="E4A", as_of=AS_OF
    )
    _withdraw(world, move)
    child.refresh_from_db()
    assert [(e.decom, e.dec, e.rec) for e in child.episodes.all()] == [
        (date(2026, 11, 2), date(2026, 11, 20), "E4A")
    ]
    assert not child.looked_after


def test_an_episode_in_the_middle_joins_its_neighbours(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 10))
    _order(world, child, date(2026, 11, 20), "C1")
    _withdraw(world, move)
    child.refresh_from_db()
    first, last = child.episodes.all()
    assert (first.dec, first.rec, first.reason_place_change) == (date(2026, 11, 20), "X1", "CARPL")
    # Both the legal status and the placement now change on the 20th, and the carer with it.
    assert (last.decom, last.rne, last.ls, last.placement_area_id) == (
        date(2026, 11, 20),
        "U",
        "C1",
        CALDERDALE,
    )
    assert last.history.first().history_change_reason.startswith(
        "the episode from 10 November 2026 was withdrawn"
    )
    assert child.current_placement_area_id == CALDERDALE


@pytest.mark.parametrize(
    ("which", "field", "message"),
    [
        ("entry", "decom", "This episode began the period of care"),
        ("middle", "decom", "nothing would change between"),
        ("blank", "reason", "Say why this episode is withdrawn"),
    ],
)
def test_a_refused_withdrawal_writes_nothing(world, which, field, message):
    child = enter_care(world, decom=date(2026, 11, 2), ls="C2", as_of=AS_OF)
    middle = _order(world, child, date(2026, 11, 10), "C1")
    _order(world, child, date(2026, 11, 20), "C2")
    episode = child.episodes.get(decom=date(2026, 11, 2)) if which == "entry" else middle
    written = _written()
    with pytest.raises(ValidationError) as refused:
        _withdraw(world, episode, reason=" " if which == "blank" else "wrong")
    assert message in refused.value.message_dict[field][0]
    assert _written() == written


@pytest.mark.parametrize("user", ["prov_a_nurse", "la_b_sw", "la_c_sw", "commissioner"])
def test_only_the_childs_la_withdraws_an_episode(world, user):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 20))
    written = _written()
    with pytest.raises(PermissionDenied):
        _withdraw(world, move, user=user)
    assert _written() == written


def test_the_export_leaves_a_withdrawn_episode_out(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 20))
    before = [r for r in rows(exported(BRADFORD, 2027)["Episodes.csv"]) if r["CHILD"] == "NEW1"]
    assert [r["DECOM"] for r in before] == ["02/11/2026", "20/11/2026"]
    _withdraw(world, move)
    after = [r for r in rows(exported(BRADFORD, 2027)["Episodes.csv"]) if r["CHILD"] == "NEW1"]
    assert [(r["DECOM"], r["DEC"], r["REC"]) for r in after] == [("02/11/2026", "", "")]


def test_a_return_that_still_holds_a_withdrawn_episode_brings_it_back_beside_it(world):
    """The LA's return is its own record: an import puts back what the LA's case system still
    holds, as a new episode, and the withdrawn one stays withdrawn, in its history."""
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 20))
    files = exported(BRADFORD, 2027)
    _withdraw(world, move)
    import_return(world.users["la_a_data"], BRADFORD, 2027, files)
    child.refresh_from_db()
    assert [e.decom for e in child.episodes.all()] == [date(2026, 11, 2), date(2026, 11, 20)]
    assert child.looked_after
    assert Episode.everything.get(pk=move.pk).withdrawn_reason == "Recorded on the wrong child"
    assert child.episodes.get(decom=date(2026, 11, 20)).pk != move.pk


# The page


def test_the_withdrawal_page_is_the_las_own(world, as_user, pinned):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    move = _move(world, child, date(2026, 11, 20))
    url = reverse("care:episode_withdraw", args=[child.pk, move.pk])
    for user, status in (
        ("prov_a_nurse", 403),
        ("prov_c_nurse", 403),
        ("la_b_sw", 404),
        ("la_c_sw", 404),
        ("commissioner", 403),
    ):
        assert as_user(user).get(url).status_code == status, user
        assert as_user(user).post(url, {"reason": "x"}).status_code == status, user
    assert Client().get(url).status_code == 302
    other = world.children["child_b"].episodes.get()
    assert (
        as_user("la_a_sw")
        .get(reverse("care:episode_withdraw", args=[child.pk, other.pk]))
        .status_code
        == 404
    )
    # The nurse sees the timeline but is offered no withdrawal.
    nurse_page = as_user("prov_a_nurse").get(reverse("care:child_detail", args=[child.pk]))
    assert url not in nurse_page.content.decode()

    client = as_user("la_a_sw")
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert (
        url in page
        and 'Withdraw<span class="nhsuk-u-visually-hidden"> the episode from 20 November 2026'
        in page
    )
    form = client.get(url)
    text = form.content.decode()
    assert form.status_code == 200
    assert "Withdraw the episode from 20 November 2026" in text
    assert (
        "The episode before it continues in its place and is the child&#39;s placement now" in text
    )
    assert AccessLog.objects.filter(
        child_id=child.pk, action="view", detail="episode_withdraw"
    ).exists()
    assert "Say why this entry is withdrawn" in client.post(url, {"reason": ""}).content.decode()
    assert Episode.objects.filter(pk=move.pk).exists()
    done = client.post(url, {"reason": "Recorded on the wrong child"})
    assert done.status_code == 302 and done["Location"] == reverse(
        "care:child_detail", args=[child.pk]
    )
    assert not Episode.objects.filter(pk=move.pk).exists()
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert url not in page
    history = client.get(reverse("care:child_history", args=[child.pk])).content.decode()
    assert (
        "Episode from 20 November 2026 withdrawn" in history
        and "Recorded on the wrong child" in history
    )
    # Opened again, it says it was withdrawn and why.
    assert (
        "This entry was withdrawn: Recorded on the wrong child" in client.get(url).content.decode()
    )


def test_a_refusal_is_shown_on_the_page(world, as_user, pinned):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    _move(world, child, date(2026, 11, 20))
    entry = child.episodes.get(decom=date(2026, 11, 2))
    url = reverse("care:episode_withdraw", args=[child.pk, entry.pk])
    response = as_user("la_a_sw").post(url, {"reason": "wrong"})
    assert response.status_code == 200
    assert "This episode began the period of care" in response.content.decode()
    assert Episode.objects.filter(pk=entry.pk).exists()
