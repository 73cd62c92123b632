"""Correcting the date of a care event: the rule (pure, with properties over any history), the
service that keeps the reason and tells the teams, and the page, which only the child's LA
reaches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lachealth.care import corrections, selectors, services
from lachealth.care import episodes as rules
from lachealth.care.models import Episode
from lachealth.handovers.models import Message, Notification
from lachealth.health import selectors as health_selectors
from lachealth.health.status import child_clocks
from lachealth.interop.export import build_return

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area
from ..handovers.helpers import enter_care
from .test_episodes import DOB, accepted_history, events

E = rules.EpisodeFacts


def _history() -> list[rules.EpisodeFacts]:
    """Entered care 1 March 2025, moved 10 June 2025, left 1 September 2026."""
    return [
        E(date(2025, 3, 1), "S", "C2", "U4", date(2025, 6, 10), "X1"),
        E(date(2025, 6, 10), "P", "C2", "U5", date(2026, 9, 1), "E4A"),
    ]


def test_a_move_date_moves_with_the_end_of_the_episode_before():
    fixed = rules.plan_date_correction(
        _history(),
        decom=date(2025, 6, 10),
        new_start=date(2025, 6, 8),
        date_of_birth=DOB,
        as_of=date(2026, 11, 1),
    )
    assert [(e.decom, e.dec) for e in fixed] == [
        (date(2025, 3, 1), date(2025, 6, 8)),
        (date(2025, 6, 8), date(2026, 9, 1)),
    ]
    assert rules.sequence_problems(fixed) == []


@pytest.mark.parametrize(
    ("decom", "kwargs", "field", "message"),
    [
        (date(2025, 6, 10), {"new_start": date(2025, 3, 1)}, "decom", "on or after 2 March 2025"),
        (date(2025, 6, 10), {"new_start": date(2026, 9, 2)}, "decom", "on or before 1 September"),
        (date(2025, 3, 1), {"new_start": date(2025, 6, 10)}, "decom", "on or before 9 June 2025"),
        (date(2025, 3, 1), {"new_start": date(2011, 1, 1)}, "decom", "on or after the date of"),
        (date(2025, 3, 1), {"new_start": date(2026, 11, 2)}, "decom", "today or in the past"),
        (date(2025, 3, 1), {"new_end": date(2025, 4, 1)}, "dec", "Only the end of care"),
        (date(2025, 6, 10), {"new_end": date(2025, 6, 9)}, "dec", "on or after 10 June 2025"),
        (date(2025, 6, 10), {"new_end": date(2026, 11, 2)}, "dec", "today or in the past"),
        (date(2025, 6, 11), {"new_start": date(2025, 6, 9)}, "decom", "No episode starts on"),
    ],
)
def test_a_date_outside_its_neighbours_is_refused_saying_where_it_may_go(
    decom, kwargs, field, message
):
    with pytest.raises(rules.EpisodeRuleError) as refused:
        rules.plan_date_correction(
            _history(), decom=decom, date_of_birth=DOB, as_of=date(2026, 11, 1), **kwargs
        )
    assert refused.value.field == field and message in refused.value.message


@settings(max_examples=200, deadline=None)
@given(
    events=events,
    first_gap=st.integers(min_value=0, max_value=4000),
    pick=st.integers(min_value=0, max_value=100),
    shift=st.integers(min_value=-400, max_value=400),
    end_shift=st.integers(min_value=-400, max_value=400),
)
def test_any_accepted_correction_keeps_the_episodes_sound_and_changes_only_those_dates(
    events, first_gap, pick, shift, end_shift
):
    episodes = accepted_history(events, first_gap)
    target = episodes[pick % len(episodes)]
    as_of = date(2040, 1, 1)
    new_end = None
    if target.dec is not None and target.rec != "X1":
        new_end = target.dec + timedelta(days=end_shift)
    try:
        fixed = rules.plan_date_correction(
            episodes,
            decom=target.decom,
            new_start=target.decom + timedelta(days=shift),
            new_end=new_end,
            date_of_birth=DOB,
            as_of=as_of,
        )
    except rules.EpisodeRuleError:
        assume(False)
        return
    assert rules.sequence_problems(fixed) == []
    assert len(fixed) == len(episodes)
    changed = [i for i, (a, b) in enumerate(zip(episodes, fixed, strict=True)) if a != b]
    index = episodes.index(target)
    assert set(changed) <= {index - 1, index}
    for before, after in zip(episodes, fixed, strict=True):
        assert (before.rne, before.ls, before.place, before.rec) == (
            after.rne,
            after.ls,
            after.place,
            after.rec,
        )


# The service and the page


AS_OF = date(2026, 11, 30)


@pytest.fixture(autouse=False)
def pinned():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-30 10:00:00 +0000", tick=False):
        yield


def _moved_out_of_area(world):  # type: ignore[no-untyped-def]
    """A Bradford child entering care on 2 November, moved to Calderdale on 20 November."""
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    placement = services.PlacementDetails(
        place="U4", place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
    )
    services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 20),
        ls="C2",
        placement=placement,
        same_carer=False,
        reason_place_change="CARPL",
        as_of=AS_OF,
    )
    return child


def test_correcting_a_move_date_follows_through_and_tells_the_team(world):
    child = _moved_out_of_area(world)
    notice = Notification.objects.get(
        child=child, kind="out_of_area", recipient=world.orgs["prov_c"]
    )
    notice.status, notice.sent_on, notice.acknowledge_by = "sent", AS_OF, AS_OF
    notice.save()
    move = child.episodes.get(decom=date(2026, 11, 20))
    with pytest.raises(PermissionDenied):
        corrections.correct_event_dates(
            by=world.users["prov_a_nurse"],
            episode=move,
            new_start=date(2026, 11, 18),
            reason="x",
            as_of=AS_OF,
        )
    with pytest.raises(ValidationError, match="Say why"):
        corrections.correct_event_dates(
            by=world.users["la_a_sw"],
            episode=move,
            new_start=date(2026, 11, 18),
            reason=" ",
            as_of=AS_OF,
        )
    corrections.correct_event_dates(
        by=world.users["la_a_sw"],
        episode=move,
        new_start=date(2026, 11, 18),
        reason="The move was on the 18th",
        as_of=AS_OF,
    )
    first, second = child.episodes.order_by("decom")
    assert (first.dec, second.decom) == (date(2026, 11, 18), date(2026, 11, 18))
    assert second.history.first().history_change_reason == "The move was on the 18th"
    notice.refresh_from_db()
    assert (notice.event_date, notice.episode_start) == (date(2026, 11, 18), date(2026, 11, 18))
    told = Message.objects.get(notification=notice)
    assert told.text.endswith(
        "was corrected from 20 November 2026 to 18 November 2026. Why: The move was on the 18th"
    )
    assert told.organisation == world.orgs["la_a"]
    # No second notice is made for the corrected date.
    assert Notification.objects.filter(child=child, kind="out_of_area").count() == 2
    # The history shows before and after, and why.
    change = next(
        c for c in selectors.change_history(child) if c.what.startswith("Episode from 18")
    )
    assert change.why == "The move was on the 18th"
    assert ("Date episode started", "20 November 2026", "18 November 2026") in [
        (f.field, f.before, f.after) for f in change.fields
    ]


def test_the_history_page_shows_a_correction_and_the_child_page_its_author(world, as_user):
    child = _moved_out_of_area(world)
    move = child.episodes.get(decom=date(2026, 11, 20))
    corrections.correct_event_dates(
        by=world.users["la_a_data"],
        episode=move,
        new_start=date(2026, 11, 18),
        reason="The move was on the 18th",
        as_of=AS_OF,
    )
    client = as_user("la_a_sw")
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    author = str(world.users["la_a_data"])
    assert f"Last changed by {author}" in page
    assert reverse("care:child_history", args=[child.pk]) in page
    history = client.get(reverse("care:child_history", args=[child.pk])).content.decode()
    table = history[history.index('id="history"') :]
    newest = table[table.index("<tbody") : table.index("</tr>", table.index("<tbody"))]
    assert author in newest and "The move was on the 18th" in newest
    assert "Date episode started: 20 November 2026" in newest
    assert "18 November 2026" in newest


def test_a_corrected_entry_date_moves_the_initial_assessment_clock(world):
    child = enter_care(world, decom=date(2026, 11, 2), as_of=AS_OF)
    facts = health_selectors.child_facts(child)
    before = {c.code: c.status.due for c in child_clocks(facts, AS_OF)}["IHA"]
    first = child.episodes.get()
    corrections.correct_event_dates(
        by=world.users["la_a_data"],
        episode=first,
        new_start=date(2026, 10, 26),
        reason="Came into care a week earlier",
        as_of=AS_OF,
    )
    child.refresh_from_db()
    after = {c.code: c.status.due for c in child_clocks(health_selectors.child_facts(child), AS_OF)}
    assert after["IHA"] == before - timedelta(days=7)
    request = Notification.objects.get(
        child=child, kind="health_request", recipient_kind="provider"
    )
    assert request.event_date == date(2026, 10, 26)


def test_a_refused_correction_writes_nothing(world):
    child = _moved_out_of_area(world)
    move = child.episodes.get(decom=date(2026, 11, 20))
    versions = Episode.history.count()
    with pytest.raises(ValidationError) as refused:
        corrections.correct_event_dates(
            by=world.users["la_a_sw"],
            episode=move,
            new_start=date(2026, 11, 2),
            reason="typo",
            as_of=AS_OF,
        )
    assert "on or after 3 November 2026" in refused.value.message_dict["decom"][0]
    assert Episode.history.count() == versions
    assert child.episodes.get(decom=date(2026, 11, 20)).pk == move.pk


def test_the_correction_page_is_the_las_own(world, as_user, pinned):
    child = _moved_out_of_area(world)
    move = child.episodes.get(decom=date(2026, 11, 20))
    url = reverse("care:episode_correct", args=[child.pk, move.pk])
    for user, status in (("prov_a_nurse", 403), ("la_b_sw", 404), ("commissioner", 403)):
        assert as_user(user).get(url).status_code == status
        assert as_user(user).post(url, {"reason": "x"}).status_code == status
    other = world.children["child_b"].episodes.get()
    wrong = reverse("care:episode_correct", args=[child.pk, other.pk])
    assert as_user("la_a_sw").get(wrong).status_code == 404
    client = as_user("la_a_sw")
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert url in page
    refused = client.post(url, {"decom_0": "40", "decom_1": "11", "decom_2": "2026"})
    text = refused.content.decode()
    assert "must be a real date" in text and "Say why the date is corrected" in text
    done = client.post(
        url, {"decom_0": "18", "decom_1": "11", "decom_2": "2026", "reason": "Moved on the 18th"}
    )
    assert done.status_code == 302
    assert child.episodes.filter(decom=date(2026, 11, 18)).exists()


def test_the_export_follows_a_corrected_date(world):
    child = _moved_out_of_area(world)
    move = child.episodes.get(decom=date(2026, 11, 20))
    corrections.correct_event_dates(
        by=world.users["la_a_sw"],
        episode=move,
        new_start=date(2026, 11, 18),
        reason="typo",
        as_of=AS_OF,
    )
    episodes = build_return(BRADFORD, 2027).files["Episodes.csv"].decode()
    assert "18/11/2026" in episodes and "20/11/2026" not in episodes
