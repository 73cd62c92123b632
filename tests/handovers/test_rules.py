"""Which care event hands a child over to whom, and by when (pure rules, no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lachealth.handovers.rules import (
    Handover,
    Kind,
    PlacedEpisode,
    Recipient,
    Settings,
    handovers_for,
)
from lachealth.health.clocks import add_working_days

BRADFORD, CALDERDALE, LEEDS = "E08000032", "E08000033", "E08000035"
AS_OF = date(2026, 11, 23)  # a Monday
P, ICB = Recipient.PROVIDER, Recipient.ICB


def ep(decom: date, rne: str, area: str = BRADFORD, ls: str = "C2", **kw) -> PlacedEpisode:  # type: ignore[no-untyped-def]
    return PlacedEpisode(decom=decom, rne=rne, ls=ls, placement_area=area, **kw)


def who(handovers: list[Handover]) -> list[tuple[Kind, Recipient, str]]:
    return [(h.kind, h.recipient, h.area) for h in handovers]


def test_entering_care_in_area_sends_the_health_request_to_the_responsible_provider() -> None:
    found = handovers_for([ep(date(2026, 11, 20), "S")], responsible_area=BRADFORD, as_of=AS_OF)
    assert who(found) == [(Kind.HEALTH_REQUEST, P, BRADFORD)]
    # Friday 20th + 3 working days is Wednesday 25th
    assert found[0].send_by == date(2026, 11, 25)
    assert found[0].event_date == found[0].episode_start == date(2026, 11, 20)


def test_entering_care_placed_out_of_area_also_tells_the_receiving_provider_and_icb() -> None:
    found = handovers_for(
        [ep(date(2026, 11, 20), "S", CALDERDALE)], responsible_area=BRADFORD, as_of=AS_OF
    )
    assert who(found) == [
        (Kind.HEALTH_REQUEST, P, BRADFORD),
        (Kind.OUT_OF_AREA, P, CALDERDALE),
        (Kind.OUT_OF_AREA, ICB, CALDERDALE),
    ]
    assert found[1].send_by == add_working_days(date(2026, 11, 20), 3)


def test_a_move_within_the_area_tells_the_responsible_provider_once() -> None:
    episodes = [
        ep(date(2026, 1, 5), "S", dec=date(2026, 11, 16), rec="X1"),
        ep(date(2026, 11, 16), "P"),
    ]
    assert who(handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF)) == [
        (Kind.MOVE, P, BRADFORD)
    ]


def test_a_move_out_of_area_sends_an_out_of_area_notice_to_the_receiving_area() -> None:
    episodes = [
        ep(date(2026, 1, 5), "S", dec=date(2026, 11, 16), rec="X1"),
        ep(date(2026, 11, 16), "U", CALDERDALE, ls="C1"),
    ]
    assert who(handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF)) == [
        (Kind.MOVE, P, BRADFORD),
        (Kind.OUT_OF_AREA, P, CALDERDALE),
        (Kind.OUT_OF_AREA, ICB, CALDERDALE),
    ]


def test_moving_within_or_out_of_the_receiving_area_tells_its_provider() -> None:
    start = ep(date(2026, 1, 5), "S", CALDERDALE, dec=date(2026, 11, 2), rec="X1")
    within = ep(date(2026, 11, 2), "T", CALDERDALE, dec=date(2026, 11, 16), rec="X1")
    home = ep(date(2026, 11, 16), "P", BRADFORD)
    found = handovers_for([start, within, home], responsible_area=BRADFORD, as_of=AS_OF)
    assert who(found) == [
        (Kind.MOVE, P, BRADFORD),
        (Kind.MOVE, P, CALDERDALE),  # the provider serving the child there
        (Kind.MOVE, P, BRADFORD),
        (Kind.MOVE, P, CALDERDALE),  # the child leaves its area
    ]
    onwards = ep(date(2026, 11, 16), "P", LEEDS)
    found = handovers_for([start, within, onwards], responsible_area=BRADFORD, as_of=AS_OF)
    assert who(found)[2:] == [
        (Kind.MOVE, P, BRADFORD),
        (Kind.MOVE, P, CALDERDALE),
        (Kind.OUT_OF_AREA, P, LEEDS),
        (Kind.OUT_OF_AREA, ICB, LEEDS),
    ]


def test_a_change_of_legal_status_tells_the_providers_serving_the_child() -> None:
    episodes = [
        ep(date(2026, 1, 5), "S", CALDERDALE, ls="C1", dec=date(2026, 11, 18), rec="X1"),
        ep(date(2026, 11, 18), "L", CALDERDALE, ls="C2"),
    ]
    assert who(handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF)) == [
        (Kind.LEGAL_STATUS, P, BRADFORD),
        (Kind.LEGAL_STATUS, P, CALDERDALE),
    ]


def test_leaving_care_starts_the_passport_follow_up() -> None:
    episodes = [ep(date(2025, 1, 5), "S", dec=date(2026, 11, 19), rec="E11")]
    found = handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF)
    assert who(found) == [(Kind.LEAVING_CARE, P, BRADFORD)]
    assert found[0].event_date == date(2026, 11, 19)
    assert found[0].episode_start == date(2025, 1, 5)
    assert found[0].send_by == add_working_days(date(2026, 11, 19), 3)


def test_agreed_short_breaks_hand_nothing_over() -> None:
    episodes = [ep(date(2026, 11, 16), "S", CALDERDALE, ls="V3", dec=date(2026, 11, 19), rec="E3")]
    assert handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF) == []


def test_events_older_than_the_horizon_or_in_the_future_hand_nothing_over() -> None:
    episodes = [
        ep(date(2024, 3, 1), "S", CALDERDALE, dec=date(2026, 10, 23), rec="X1"),
        ep(date(2026, 10, 23), "P", LEEDS, dec=date(2026, 10, 24), rec="X1"),  # 31 days ago
        ep(date(2026, 10, 24), "P", BRADFORD, dec=date(2026, 11, 30), rec="X1"),  # 30 days ago
        ep(date(2026, 11, 30), "P", LEEDS),  # next week: not yet
    ]
    found = handovers_for(episodes, responsible_area=BRADFORD, as_of=AS_OF)
    assert {h.event_date for h in found} == {date(2026, 10, 24)}
    wider = handovers_for(
        episodes, responsible_area=BRADFORD, as_of=AS_OF, settings=Settings(horizon_days=365 * 3)
    )
    assert {(h.kind, h.event_date) for h in wider if h.recipient is ICB} == {
        (Kind.OUT_OF_AREA, date(2024, 3, 1)),
        (Kind.OUT_OF_AREA, date(2026, 10, 23)),
    }


def test_an_area_sets_its_own_due_times() -> None:
    settings = Settings(
        send_working_days=7,
        acknowledge_working_days={**Settings().acknowledge_working_days, Kind.MOVE: 2},
    )
    found = handovers_for(
        [ep(date(2026, 11, 20), "S")], responsible_area=BRADFORD, as_of=AS_OF, settings=settings
    )
    assert found[0].send_by == add_working_days(date(2026, 11, 20), 7)
    # Sent on Monday 23rd, a move is acknowledged by Wednesday 25th; a health request by the 26th
    assert settings.acknowledge_by(Kind.MOVE, AS_OF) == date(2026, 11, 25)
    assert settings.acknowledge_by(Kind.HEALTH_REQUEST, AS_OF) == date(2026, 11, 26)


AREAS = [BRADFORD, CALDERDALE, LEEDS]
histories = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=120),  # days until the next episode
        st.sampled_from(["P", "T", "U", "B", "L"]),
        st.sampled_from(["C1", "C2", "E1", "V2", "V3"]),
        st.sampled_from(AREAS),
    ),
    min_size=1,
    max_size=10,
)


def _episodes(start: date, steps: list[tuple[int, str, str, str]]) -> list[PlacedEpisode]:
    episodes: list[PlacedEpisode] = []
    day = start
    for n, (gap, rne, ls, area) in enumerate(steps):
        last = n == len(steps) - 1
        nxt = day + timedelta(days=gap)
        episodes.append(
            PlacedEpisode(
                decom=day,
                rne="S" if n == 0 else rne,
                ls=ls,
                placement_area=area,
                dec=None if last else nxt,
                rec=None if last else "X1",
            )
        )
        day = nxt
    return episodes


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 11, 1)),
    steps=histories,
    horizon=st.integers(min_value=0, max_value=4000),
)
def test_every_hand_off_is_within_the_horizon_and_due_in_working_days(start, steps, horizon):
    settings = Settings(horizon_days=horizon)
    found = handovers_for(
        _episodes(start, steps), responsible_area=BRADFORD, as_of=AS_OF, settings=settings
    )
    for h in found:
        assert AS_OF - timedelta(days=horizon) <= h.event_date <= AS_OF
        assert h.send_by == add_working_days(h.event_date, settings.send_working_days)
        assert h.send_by > h.event_date
        assert h.recipient is P or h.kind is Kind.OUT_OF_AREA  # ICBs hear of arrivals only
    assert len(set(found)) == len(found)  # nobody is told the same thing twice


@given(start=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 11, 1)), steps=histories)
def test_every_arrival_in_another_area_is_noticed_once_by_its_provider_and_icb(start, steps):
    episodes = _episodes(start, steps)
    found = handovers_for(
        episodes, responsible_area=BRADFORD, as_of=AS_OF, settings=Settings(horizon_days=5000)
    )
    arrivals = []
    before = BRADFORD
    for e in episodes:
        arriving = e.placement_area not in (BRADFORD, before)
        if arriving and e.decom <= AS_OF and e.ls not in ("V3", "V4") and e.rne != "L":
            arrivals.append((e.decom, e.placement_area))
        before = e.placement_area
    for recipient in (P, ICB):
        noticed = [
            (h.event_date, h.area)
            for h in found
            if h.kind is Kind.OUT_OF_AREA and h.recipient is recipient
        ]
        assert noticed == arrivals
