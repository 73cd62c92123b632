"""Which care events hand a child over to whom, and when each must be acknowledged.

Pure rules: a child's episodes (with the area each placement is in) and the responsible area
in, the hand-offs out; no ORM, and "today" (`as_of`) is passed in. The `handovers` services
turn each hand-off into a notification to the organisation that serves the area named.

- Entering care (an `RNE=S` episode): the health request, with consent, to the responsible
  area's LAC health provider; if the child is placed outside the responsible area, an
  out-of-area notice to the receiving area's provider and ICB as well.
- A change of placement (`RNE` P, T, U or B): a notice to the responsible area's provider
  and to the provider of the area the child was placed in until then (who serves the child
  there, or is losing them); an out-of-area notice to the provider and ICB of a new area the
  child is placed in.
- A change of legal status only (`RNE=L`): a notice to the provider(s) serving the child.
- Leaving care (an episode ending with any reason but `X1`): a notice that starts the health
  passport follow-up, to the provider(s) serving the child.
- Not a care event: when one LAC health team takes a child's health assessments from another
  (`health.ownership`), the other is told by a notice of its own (`Kind.TRANSFER`).

Agreed short breaks (`LS` V3/V4) hand nothing over: no health clock runs for them. Events
older than the area's horizon (default 30 days) hand nothing over either, so an import that
replays years of history does not flood the inboxes with notices of old moves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from lachealth.health.clocks import add_working_days

SHORT_BREAKS = frozenset({"V3", "V4"})
PLACEMENT_CHANGES = frozenset({"P", "T", "U", "B"})


class Kind(StrEnum):
    HEALTH_REQUEST = "health_request"
    MOVE = "move"
    LEGAL_STATUS = "legal_status"
    OUT_OF_AREA = "out_of_area"
    LEAVING_CARE = "leaving_care"
    #: one LAC health team took a child's health assessments from another, which is told
    TRANSFER = "transfer"


class Recipient(StrEnum):
    PROVIDER = "provider"  # the area's NHS LAC health provider
    ICB = "icb"  # the area's integrated care board


#: Working days the LA has to send a hand-off after its event (DOMAIN.md's local default: the
#: health request, with consent, and the out-of-area notice within 3 working days).
DEFAULT_SEND_WORKING_DAYS = 3
#: Working days the receiving team has, once it is sent, to acknowledge each kind (DOMAIN.md:
#: an out-of-area notice within 5); areas may set their own.
DEFAULT_ACKNOWLEDGE_WORKING_DAYS: Mapping[Kind, int] = {
    Kind.HEALTH_REQUEST: 3,
    Kind.MOVE: 5,
    Kind.LEGAL_STATUS: 5,
    Kind.OUT_OF_AREA: 5,
    Kind.LEAVING_CARE: 10,
    Kind.TRANSFER: 5,
}
DEFAULT_HORIZON_DAYS = 30
#: Waiting-time targets from referral to first seen (the issue's local defaults).
DEFAULT_ROUTINE_REFERRAL_WEEKS = 18
DEFAULT_URGENT_REFERRAL_WEEKS = 4


@dataclass(frozen=True)
class Settings:
    """An area's handover settings: due times in working days, and how far back events
    still hand a child over."""

    send_working_days: int = DEFAULT_SEND_WORKING_DAYS
    acknowledge_working_days: Mapping[Kind, int] = field(
        default_factory=lambda: dict(DEFAULT_ACKNOWLEDGE_WORKING_DAYS)
    )
    horizon_days: int = DEFAULT_HORIZON_DAYS
    routine_referral_weeks: int = DEFAULT_ROUTINE_REFERRAL_WEEKS
    urgent_referral_weeks: int = DEFAULT_URGENT_REFERRAL_WEEKS

    def target_weeks(self, urgency: str) -> int:
        """The referral waiting-time target for `urgency` ("urgent" or "routine")."""
        return self.urgent_referral_weeks if urgency == "urgent" else self.routine_referral_weeks

    def send_by(self, event: date) -> date:
        """When the LA must have sent a hand-off of an event on `event`."""
        return add_working_days(event, self.send_working_days)

    def acknowledge_by(self, kind: Kind, sent_on: date) -> date:
        """When the receiving team must have acknowledged a hand-off sent on `sent_on`."""
        days = self.acknowledge_working_days.get(kind, DEFAULT_ACKNOWLEDGE_WORKING_DAYS[kind])
        return add_working_days(sent_on, days)


@dataclass(frozen=True)
class PlacedEpisode:
    """An episode as the rules need it: its SSDA903 facts and the area of its placement."""

    decom: date
    rne: str
    ls: str
    placement_area: str
    dec: date | None = None
    rec: str | None = None


@dataclass(frozen=True)
class Handover:
    kind: Kind
    recipient: Recipient
    area: str  # the area whose provider or ICB receives it
    event_date: date
    send_by: date  # when the LA must have sent it
    episode_start: date  # the episode it comes from (a child's episodes start on different days)


def handovers_for(
    episodes: Sequence[PlacedEpisode],
    *,
    responsible_area: str,
    as_of: date,
    settings: Settings | None = None,
) -> list[Handover]:
    """Every hand-off the child's episodes call for, from events within the horizon."""
    settings = settings or Settings()
    since = as_of - timedelta(days=settings.horizon_days)
    found: list[Handover] = []

    def hand(kind: Kind, areas: Sequence[str], event: date, episode: PlacedEpisode) -> None:
        if not since <= event <= as_of:
            return
        send_by = settings.send_by(event)
        for area in dict.fromkeys(areas):  # each area once, in order
            found.append(Handover(kind, Recipient.PROVIDER, area, event, send_by, episode.decom))
            if kind is Kind.OUT_OF_AREA:
                found.append(Handover(kind, Recipient.ICB, area, event, send_by, episode.decom))

    left = responsible_area  # where the child was placed before this episode
    for episode in sorted(episodes, key=lambda e: e.decom):
        here = episode.placement_area
        ended = episode.dec is not None and episode.rec != "X1"
        if episode.ls in SHORT_BREAKS:
            pass
        elif episode.rne == "S":
            hand(Kind.HEALTH_REQUEST, [responsible_area], episode.decom, episode)
            if here != responsible_area:
                hand(Kind.OUT_OF_AREA, [here], episode.decom, episode)
        elif episode.rne in PLACEMENT_CHANGES:
            hand(Kind.MOVE, [responsible_area, left], episode.decom, episode)
            if here not in (responsible_area, left):
                hand(Kind.OUT_OF_AREA, [here], episode.decom, episode)
        elif episode.rne == "L":
            hand(Kind.LEGAL_STATUS, [responsible_area, here], episode.decom, episode)
        if ended and episode.dec is not None and episode.ls not in SHORT_BREAKS:
            hand(Kind.LEAVING_CARE, [responsible_area, here], episode.dec, episode)
        left = responsible_area if ended else here
    return found


@dataclass(frozen=True)
class Wait:
    """How long a referred child has waited to be seen, against the target."""

    days: int  # to the first appointment, or to `as_of` while still waiting
    target_days: int
    target: date  # the day by which they should have been seen
    seen: bool

    @property
    def weeks(self) -> int:
        return self.days // 7

    @property
    def breached(self) -> bool:
        """Seen after the target, or still waiting past it."""
        return self.days > self.target_days


def wait(referred_on: date, target_weeks: int, first_seen_on: date | None, *, as_of: date) -> Wait:
    """The wait from referral to first seen, in calendar days as referral-to-treatment waits
    are counted; a child not yet seen has waited until `as_of`."""
    end = first_seen_on if first_seen_on is not None else as_of
    target_days = target_weeks * 7
    return Wait(
        days=max((end - referred_on).days, 0),
        target_days=target_days,
        target=referred_on + timedelta(days=target_days),
        seen=first_seen_on is not None,
    )
