"""The rules of episodes of care, as pure functions (no ORM, no clock: the caller passes `as_of`).

An episode is a stretch of care with one legal status (LS) and one placement (PLACE). Episodes
within a period of care follow each other without gap or overlap: when one ends with
REC = X1 the next starts the same day (DECOM = DEC). A period of care starts with RNE = S and
ends with a REC starting with E; the next period, if any, starts on or after that day.
The reason for a new episode (RNE) follows from what changed; users never type it.

`plan_entry`, `plan_change` and `plan_leaving` check a proposed event against a child's
episodes and return the episodes as they would be afterwards; the care services persist that.
`plan_date_correction` moves the date an episode began (or the date care ended) when it was
typed wrongly, carrying the episode before with it when they meet; `plan_withdrawal` takes
out an episode entered in error, as if it never happened. `sequence_problems` says what is
wrong with any list of episodes (used by tests and imports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta


class EpisodeRuleError(ValueError):
    """A proposed care event breaks an episode rule. `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class EpisodeFacts:
    decom: date
    rne: str
    ls: str
    place: str
    dec: date | None = None
    rec: str | None = None

    @property
    def is_open(self) -> bool:
        return self.dec is None

    def describe(self) -> str:
        """How an episode is named in a message: its placement and its dates."""
        end = f"to {_d(self.dec)}" if self.dec else "(still open)"
        codes = f"legal status {self.ls}, placement {self.place}"
        return f"the episode from {_d(self.decom)} {end} ({codes})"


@dataclass(frozen=True)
class PeriodOfCare:
    start: date
    end: date | None
    episodes: tuple[EpisodeFacts, ...]

    @property
    def reason_ended(self) -> str | None:
        return self.episodes[-1].rec if self.end else None


def _d(value: date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def reason_for_new_episode(
    *, legal_status_changed: bool, placement_changed: bool, same_carer: bool
) -> str:
    """The SSDA903 RNE code for a change within a period of care."""
    if legal_status_changed and placement_changed:
        return "B" if same_carer else "U"
    if legal_status_changed:
        return "L"
    if placement_changed:
        return "T" if same_carer else "P"
    raise EpisodeRuleError("ls", "Nothing has changed: choose a new legal status or placement")


def _ordered(episodes: Sequence[EpisodeFacts]) -> list[EpisodeFacts]:
    return sorted(episodes, key=lambda e: e.decom)


def _check_not_future(field: str, label: str, value: date, as_of: date) -> None:
    if value > as_of:
        raise EpisodeRuleError(field, f"{label} must be today or in the past")


def plan_entry(
    episodes: Sequence[EpisodeFacts],
    *,
    date_of_birth: date,
    start: date,
    ls: str,
    place: str,
    as_of: date,
) -> list[EpisodeFacts]:
    """A child starts (or starts again) to be looked after: a new period, RNE = S."""
    _check_not_future("decom", "The date care started", start, as_of)
    if start < date_of_birth:
        raise EpisodeRuleError(
            "decom",
            f"The date care started must be on or after the date of birth, {_d(date_of_birth)}",
        )
    ordered = _ordered(episodes)
    for existing in ordered:
        if existing.decom == start:
            raise EpisodeRuleError(
                "decom", f"An episode already starts on {_d(start)}: {existing.describe()}"
            )
    if ordered:
        last = ordered[-1]
        if last.is_open:
            raise EpisodeRuleError(
                "decom", f"The child is already looked after: {last.describe()} has not ended"
            )
        if start < last.dec:  # type: ignore[operator]
            raise EpisodeRuleError(
                "decom",
                f"The date care started must be on or after {_d(last.dec)}, when the last period "  # type: ignore[arg-type]
                f"of care ended; it overlaps {last.describe()}",
            )
    return [*ordered, EpisodeFacts(decom=start, rne="S", ls=ls, place=place)]


def plan_change(
    episodes: Sequence[EpisodeFacts],
    *,
    on: date,
    ls: str,
    place: str,
    placement_changed: bool,
    same_carer: bool,
    as_of: date,
) -> list[EpisodeFacts]:
    """A change of placement and/or legal status: the open episode ends (X1), a new one begins."""
    ordered = _ordered(episodes)
    if not ordered or not ordered[-1].is_open:
        raise EpisodeRuleError("decom", "The child is not looked after now, so nothing can change")
    current = ordered[-1]
    _check_not_future("decom", "The date of the change", on, as_of)
    if on <= current.decom:
        raise EpisodeRuleError(
            "decom",
            f"The date of the change must be after {_d(current.decom)}, when the current "
            f"episode started; it would overlap {current.describe()}",
        )
    rne = reason_for_new_episode(
        legal_status_changed=ls != current.ls,
        placement_changed=placement_changed,
        same_carer=same_carer,
    )
    closed = replace(current, dec=on, rec="X1")
    return [*ordered[:-1], closed, EpisodeFacts(decom=on, rne=rne, ls=ls, place=place)]


def plan_leaving(
    episodes: Sequence[EpisodeFacts], *, on: date, rec: str, as_of: date
) -> list[EpisodeFacts]:
    """The child ceases to be looked after: the open episode ends with an E… reason."""
    ordered = _ordered(episodes)
    if not ordered or not ordered[-1].is_open:
        raise EpisodeRuleError("dec", "The child is not looked after now")
    if not rec.startswith("E"):
        raise EpisodeRuleError("rec", "Choose why the child left care")
    current = ordered[-1]
    _check_not_future("dec", "The date care ended", on, as_of)
    if on < current.decom:
        raise EpisodeRuleError(
            "dec",
            f"The date care ended must be on or after {_d(current.decom)}, when "
            f"{current.describe()} started",
        )
    return [*ordered[:-1], replace(current, dec=on, rec=rec)]


def plan_date_correction(
    episodes: Sequence[EpisodeFacts],
    *,
    decom: date,
    new_start: date | None = None,
    new_end: date | None = None,
    date_of_birth: date,
    as_of: date,
) -> list[EpisodeFacts]:
    """The episodes after correcting the episode starting on `decom`: its start moves to
    `new_start` (the date of the move, change or entry to care), and the episode before it
    ends that day too when the two meet (REC = X1); or, for an episode that ended care, its
    end moves to `new_end`. A date must stay between its neighbours, so that the order of
    events, and each episode's codes, stay as they were."""
    ordered = _ordered(episodes)
    index = next((i for i, e in enumerate(ordered) if e.decom == decom), None)
    if index is None:
        raise EpisodeRuleError("decom", f"No episode starts on {_d(decom)}")
    target = ordered[index]
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    result = list(ordered)
    if new_start is not None:
        _check_not_future("decom", "The corrected date", new_start, as_of)
        joined = before is not None and before.rec == "X1" and before.dec == target.decom
        earliest, why = date_of_birth, f"the date of birth, {_d(date_of_birth)}"
        if before is not None:
            if joined:
                earliest = before.decom + timedelta(days=1)
                why = f"{_d(earliest)}, the day after {before.describe()} started"
            elif before.dec is not None:
                earliest, why = before.dec, f"{_d(before.dec)}, when the care before ended"
        last_day = target.dec if target.dec is not None else as_of
        if target.rec == "X1" and target.dec is not None:
            last_day = target.dec - timedelta(days=1)
        if new_start < earliest:
            raise EpisodeRuleError("decom", f"The corrected date must be on or after {why}")
        if new_start > last_day:
            raise EpisodeRuleError(
                "decom",
                f"The corrected date must be on or before {_d(last_day)}, "
                + (
                    "the day before the next episode started"
                    if target.rec == "X1"
                    else "when this episode ended"
                    if target.dec
                    else "today"
                ),
            )
        result[index] = replace(target, decom=new_start)
        if joined and before is not None:
            result[index - 1] = replace(before, dec=new_start)
    if new_end is not None:
        if target.dec is None or target.rec == "X1":
            raise EpisodeRuleError(
                "dec", "Only the end of care can be corrected here: this episode did not end it"
            )
        _check_not_future("dec", "The corrected date care ended", new_end, as_of)
        start = result[index].decom
        if new_end < start:
            raise EpisodeRuleError(
                "dec", f"The date care ended must be on or after {_d(start)}, when it started"
            )
        if after is not None and new_end > after.decom:
            raise EpisodeRuleError(
                "dec",
                f"The date care ended must be on or before {_d(after.decom)}, when care "
                "started again",
            )
        result[index] = replace(result[index], dec=new_end)
    return result


#: Reasons for a new episode (RNE) that change the carer as well as the placement.
CARER_CHANGES = frozenset({"P", "U"})


def plan_withdrawal(
    episodes: Sequence[EpisodeFacts],
    *,
    decom: date,
    placement_changed: bool | None = None,
) -> list[EpisodeFacts]:
    """The episodes after withdrawing the one starting on `decom`, entered in error, as if
    it had never happened.

    The episode before it in the same period takes its end: re-opened if it was the latest,
    ending care if it did, or ending when the episode after it begins, which then takes the
    reason for a new episode (RNE) that follows from what changed between the two. Whether
    their placements differ is `placement_changed` (the caller compares the whole placement:
    type, provider, postcode, URN, area; by default only the placement types are compared);
    the carer is the same if no change on the way changed it. The only episode of a period of
    care takes the period with it. Refused: the first episode of a period that goes on (the
    later ones must be withdrawn first, or its date corrected), and one whose neighbours
    would then differ in nothing (no RNE would fit)."""
    ordered = _ordered(episodes)
    index = next((i for i, e in enumerate(ordered) if e.decom == decom), None)
    if index is None:
        raise EpisodeRuleError("decom", f"No episode starts on {_d(decom)}")
    target = ordered[index]
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    # The episode after it in the same period, if any.
    continued = after if target.rec == "X1" else None
    result = ordered[:index] + ordered[index + 1 :]
    if before is None or before.rec != "X1":  # it began a period of care
        if continued is not None:
            raise EpisodeRuleError(
                "decom",
                f"This episode began the period of care that {continued.describe()} "
                "continues: withdraw the later episodes of the period first, or correct the "
                "date care started",
            )
        return result
    result[index - 1] = replace(before, dec=target.dec, rec=target.rec)
    if continued is not None:
        ls_changed = before.ls != continued.ls
        moved = before.place != continued.place if placement_changed is None else placement_changed
        if not (ls_changed or moved):
            raise EpisodeRuleError(
                "decom",
                f"Without it, nothing would change between {before.describe()} and "
                f"{continued.describe()}: if that was entered in error too, withdraw it first",
            )
        same_carer = target.rne not in CARER_CHANGES and continued.rne not in CARER_CHANGES
        result[index] = replace(
            continued,
            rne=reason_for_new_episode(
                legal_status_changed=ls_changed, placement_changed=moved, same_carer=same_carer
            ),
        )
    return result


def periods_of_care(episodes: Sequence[EpisodeFacts]) -> list[PeriodOfCare]:
    """Group episodes into periods of care, each from an RNE = S episode to its E… ending."""
    periods: list[list[EpisodeFacts]] = []
    for episode in _ordered(episodes):
        if episode.rne == "S" or not periods:
            periods.append([episode])
        else:
            periods[-1].append(episode)
    return [
        PeriodOfCare(p[0].decom, p[-1].dec if p[-1].rec != "X1" else None, tuple(p))
        for p in periods
    ]


def sequence_problems(
    episodes: Sequence[EpisodeFacts], *, continues_earlier_period: bool = False
) -> list[str]:
    """Every break of the episode rules in a child's episodes (empty when they are sound).

    With `continues_earlier_period`, the first episode may carry on a period of care whose
    start is not in the list (an SSDA903 return holds only its year's episodes)."""
    problems: list[str] = []
    ordered = _ordered(episodes)
    starts = [e.decom for e in ordered]
    if len(set(starts)) != len(starts):
        problems.append("two episodes start on the same day")
    for i, episode in enumerate(ordered):
        if episode.dec is not None and episode.dec < episode.decom:
            problems.append(f"{episode.describe()} ends before it starts")
        if episode.dec is not None and not episode.rec:
            problems.append(f"{episode.describe()} has ended but has no reason it ceased")
        if episode.dec is None and episode.rec:
            problems.append(f"{episode.describe()} has a reason it ceased but no end date")
        if episode.rec == "X1" and i == len(ordered) - 1:
            problems.append(f"{episode.describe()} ends X1 but no episode follows")
        if episode.is_open and i != len(ordered) - 1:
            problems.append(f"{episode.describe()} is open but a later episode exists")
        if i == 0:
            if episode.rne != "S" and not continues_earlier_period:
                problems.append(
                    f"{episode.describe()} is the first but its RNE is {episode.rne}, not S"
                )
            continue
        previous = ordered[i - 1]
        if previous.dec is None:
            continue
        if previous.rec == "X1":
            if episode.decom != previous.dec:
                kind = "gap" if episode.decom > previous.dec else "overlap"
                problems.append(f"{kind} between {previous.describe()} and {episode.describe()}")
            if episode.rne == "S":
                problems.append(f"{episode.describe()} starts a new period after an X1 ending")
        else:
            if episode.decom < previous.dec:
                problems.append(f"overlap between {previous.describe()} and {episode.describe()}")
            if episode.rne != "S":
                problems.append(
                    f"{episode.describe()} follows the end of care but its RNE is not S"
                )
    return problems
