"""A simulated local authority whose future is known, for measuring projections: children enter,
move and leave care in continuous time, and the simulation writes the yearly SSDA903 returns a
council would hold on the as-of date, the episodes its care record would hold, and the children
actually looked after at each of the 24 month ends that follow. All of it is made up.

The model (waiting times are exponential; a child's rates are constant between birthdays and a
few points in their time in care, so the simulation is exact in continuous time):
- first entries are a Poisson process. Steady for a warm-up of ten years, then changing by the
  scenario's yearly factor, applied continuously, from the start of the returns (five years
  before the as-of) to the end of the future; the rate two years before the as-of is the same
  in every scenario, so each council looks after about 500. Ages at entry as in England (a
  fifth under 1, many of them newborn; a third 10 to 15), with their sex, legal status (C2,
  V2, L1, L2, J1, J2) and first placement by age;
- leaving care: a hazard by age, falling with time in care (many short stays), and by legal
  status; the legal status changes over time (C2 to C1, young children on a care order to a
  placement order, E1, then placed for adoption, A4 or A6, and adopted); everyone leaves on
  their 18th birthday;
- moves between placements (U1 to U6, K2, R1, S1, K1, H5, P2, P1, Z1...) at rates by category
  and age, to categories that depend on where the child is and how old.
Children enter once (no second periods of care), so the entries are the scenario's own.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from lachealth.insight import projection  # noqa: E402

#: Entries' yearly factor per scenario.
SCENARIOS: dict[str, float] = {"steady": 1.00, "growing": 1.10, "falling": 0.94}
AS_OF = date(2026, 3, 31)
WARM_UP_YEARS = 10
RETURN_YEARS = 5
FUTURE_MONTHS = 24
#: First entries a year two years before the as-of: about 500 looked after in a steady area.
ENTRIES_PER_YEAR = 220.0
DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
EPISODE_COLUMNS += ["REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]

Weights = Sequence[tuple[str, float]]

# --- who enters ------------------------------------------------------------------------------

#: Age at entry: (lowest, highest) years and share.
ENTRY_AGES = [((0.0, 1.0), 0.19), ((1.0, 5.0), 0.14), ((5.0, 10.0), 0.15)]
ENTRY_AGES += [((10.0, 16.0), 0.34), ((16.0, 18.0), 0.18)]
#: Share of the under-1s who enter in their first fortnight.
NEWBORN = 0.45
ETHNIC: Weights = [("WBRI", 0.68), ("WOTH", 0.05), ("MWBC", 0.06), ("MOTH", 0.04)]
ETHNIC = [*ETHNIC, ("BAFR", 0.05), ("BCRB", 0.03), ("APKN", 0.04), ("AOTH", 0.02)]
ETHNIC = [*ETHNIC, ("OOTH", 0.03)]
CIN: Weights = [("N1", 0.65), ("N2", 0.07), ("N3", 0.05), ("N4", 0.14), ("N5", 0.03)]
CIN = [*CIN, ("N6", 0.03), ("N7", 0.01), ("N8", 0.02)]
#: Legal status at entry by age band: under 1, 1-4, 5-9, 10-15, 16-17.
ENTRY_LEGAL: list[Weights] = [
    [("C2", 0.58), ("V2", 0.22), ("L2", 0.12), ("L1", 0.08)],
    [("C2", 0.50), ("V2", 0.30), ("L1", 0.12), ("L2", 0.08)],
    [("C2", 0.45), ("V2", 0.38), ("L1", 0.12), ("L2", 0.05)],
    [("V2", 0.52), ("C2", 0.30), ("L1", 0.12), ("J2", 0.04), ("L2", 0.02)],
    [("V2", 0.72), ("C2", 0.10), ("L1", 0.08), ("J2", 0.07), ("J1", 0.03)],
]
#: First placement category by the same bands.
ENTRY_CATEGORY: list[Weights] = [
    [("fostering", 0.86), ("parents", 0.05), ("residential", 0.05), ("other", 0.04)],
    [("fostering", 0.88), ("parents", 0.07), ("other", 0.05)],
    [("fostering", 0.88), ("residential", 0.05), ("parents", 0.05), ("other", 0.02)],
    [("fostering", 0.70), ("residential", 0.20), ("secure", 0.02), ("supported", 0.02)]
    + [("parents", 0.03), ("other", 0.03)],
    [("fostering", 0.38), ("supported", 0.35), ("residential", 0.17), ("secure", 0.03)]
    + [("other", 0.07)],
]
#: The placement codes of each category, and how often each is used.
CODES: dict[str, Weights] = {
    "fostering": [("U1", 0.08), ("U2", 0.02), ("U3", 0.12), ("U4", 0.45)]
    + [("U5", 0.05), ("U6", 0.28)],
    "residential": [("K2", 0.80), ("R1", 0.08), ("S1", 0.07), ("R3", 0.05)],
    "supported": [("H5", 0.60), ("P2", 0.30), ("K3", 0.10)],
    "secure": [("K1", 1.0)],
    "parents": [("P1", 1.0)],
    "other": [("Z1", 0.7), ("T1", 0.3)],
    "adoption": [("A4", 0.5), ("A6", 0.5)],
}
#: Placed out of the council's area, by category.
OUT_OF_AREA = {"fostering": 0.30, "residential": 0.60, "supported": 0.35, "secure": 0.80}
OUT_OF_AREA |= {"parents": 0.05, "other": 0.30, "adoption": 0.45}
PROVIDERS: dict[str, Weights] = {
    "fostering": [("PR1", 0.65), ("PR4", 0.35)],
    "residential": [("PR1", 0.20), ("PR4", 0.70), ("PR5", 0.10)],
    "supported": [("PR1", 0.40), ("PR4", 0.60)],
    "secure": [("PR2", 1.0)],
    "parents": [("PR0", 1.0)],
    "other": [("PR1", 0.5), ("PR4", 0.5)],
    "adoption": [("PR1", 0.7), ("PR5", 0.3)],
}

# --- how they leave and move (rates a month) ---------------------------------------------------

#: Leaving at each age (0-17), before the effects of time in care and legal status.
LEAVE_BY_AGE = [0.024, 0.022, 0.022, 0.019, 0.019] + [0.016] * 7
LEAVE_BY_AGE += [0.018, 0.02, 0.022, 0.025, 0.028, 0.028]
LEAVE_BY_LEGAL = {"V2": 1.5, "C2": 0.8, "C1": 0.35, "E1": 0.15}
LEAVE_BY_LEGAL |= {"L1": 3.0, "L2": 2.0, "J1": 2.0, "J2": 3.0}
#: Points in time in care (months) between which a child's rates are held constant.
TIME_POINTS = [0.5, 1, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48, 60]
MOVES = {"fostering": 0.022, "residential": 0.035, "supported": 0.03, "secure": 0.2}
MOVES |= {"parents": 0.02, "other": 0.06}
#: Legal status changes: (from, to, monthly rate, youngest, oldest age at which it happens).
LEGAL_CHANGES = [("L1", "C2", 3.6, 0, 17), ("L1", "V2", 2.4, 0, 17), ("L2", "C2", 3.0, 0, 17)]
LEGAL_CHANGES += [("L2", "V2", 1.0, 0, 17), ("C2", "C1", 0.125, 0, 17), ("V2", "C2", 0.02, 0, 15)]
LEGAL_CHANGES += [("C1", "E1", 0.06, 0, 3), ("C2", "E1", 0.02, 0, 3), ("J2", "V2", 0.15, 0, 17)]
#: Placed for adoption once on a placement order, then adopted.
ADOPTION_PLACEMENT = 1 / 6
ADOPTED = 1 / 6
REASONS: Weights = [("CARPL", 0.30), ("LAREQ", 0.20), ("CHILD", 0.12), ("CREQB", 0.10)]
REASONS = [*REASONS, ("CREQO", 0.08), ("STAND", 0.05), ("CLOSE", 0.05), ("OTHER", 0.10)]
#: Why a period of care ended (REC), by age band 0-9, 10-15, 16-17; then at 18 and adopted.
ENDED: list[Weights] = [
    [("E4A", 0.55), ("E4B", 0.10), ("E41", 0.10), ("E45", 0.10), ("E46", 0.10), ("E8", 0.05)],
    [("E4A", 0.60), ("E4B", 0.15), ("E13", 0.10), ("E45", 0.05), ("E8", 0.10)],
    [("E4A", 0.35), ("E4B", 0.10), ("E5", 0.20), ("E6", 0.10), ("E13", 0.10), ("E8", 0.15)],
]
AT_EIGHTEEN: Weights = [("E5", 0.35), ("E17", 0.25), ("E6", 0.15), ("E8", 0.25)]
ADOPTION_ENDED: Weights = [("E11", 0.9), ("E12", 0.1)]


def _choose(rng: random.Random, weights: Weights) -> str:
    return rng.choices([k for k, _ in weights], [w for _, w in weights])[0]


def _move_to(rng: random.Random, category: str, age: int) -> str:
    """Where a child moving from `category` at `age` goes."""
    if category == "fostering":
        options = [("fostering", 0.82), ("parents", 0.03)]
        options += [("residential", 0.15)] if age >= 10 else [("other", 0.05)]
        options += [("supported", 0.10)] if age >= 16 else []
    elif category == "residential":
        options = [("fostering", 0.40), ("residential", 0.40), ("secure", 0.05)]
        options += [("supported", 0.25)] if age >= 16 else []
    elif category == "supported":
        options = [("supported", 0.70), ("residential", 0.20), ("fostering", 0.10)]
    elif category == "secure":
        options = [("residential", 0.70), ("fostering", 0.20)]
        options += [("supported", 0.10)] if age >= 16 else []
    else:  # parents, other
        options = [("fostering", 0.75), ("residential", 0.25 if age >= 10 else 0.05)]
    return _choose(rng, options)


def _band(age: int) -> int:
    return 0 if age < 1 else 1 if age < 5 else 2 if age < 10 else 3 if age < 16 else 4


def _time_factor(months: float) -> float:
    """How much likelier leaving is after `months` in care than in the long run."""
    return 1 + 3 * math.exp(-months / 1.5) + 0.8 * math.exp(-months / 10)


def birthday(born: date, years: int) -> date:
    """The day a child born on `born` turns `years` (29 February's in other years: 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


# --- the records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    child: int
    born: date
    sex: str
    ethnic: str


@dataclass(frozen=True)
class Episode:
    """One row of an Episodes return, to the end of the future (end None: still open then)."""

    child: int
    start: date
    end: date | None
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    rec: str
    reason_change: str
    out_of_area: bool
    urn: str


@dataclass(frozen=True)
class SimulatedArea:
    """One simulated council: its children and every episode to the end of the future."""

    scenario: str
    seed: int
    as_of: date
    children: dict[int, Child]
    history: list[Episode]
    #: the first day of the returns (1 April, RETURN_YEARS years before the as-of)
    first_return_day: date

    def looked_after_on(self, day: date) -> int:
        """Children looked after at the end of `day` (episodes are contiguous in a period)."""
        return sum(e.start <= day and (e.end is None or e.end > day) for e in self.history)

    @property
    def truth(self) -> list[tuple[date, int]]:
        """The children looked after at each of the FUTURE_MONTHS month ends after the as-of."""
        ends = projection.month_ends_after(self.as_of, FUTURE_MONTHS)
        return [(day, self.looked_after_on(day)) for day in ends]

    def entries_in(self, first: date, last: date) -> int:
        return sum(e.rne == "S" and first <= e.start <= last for e in self.history)

    def episodes(self) -> list[projection.CareEpisode]:
        """The episodes as a care record loaded from the returns holds them on the as-of: those
        open on or after the first return's first day, ending after the as-of left open."""
        found = []
        for e in self.history:
            if e.start > self.as_of or (e.end is not None and e.end < self.first_return_day):
                continue
            child = self.children[e.child]
            found.append(
                projection.CareEpisode(
                    child=e.child,
                    born=child.born,
                    sex=child.sex,
                    start=e.start,
                    end=e.end if e.end is not None and e.end <= self.as_of else None,
                    place=e.place,
                    ls=e.ls,
                    out_of_area=e.out_of_area,
                    entered=e.rne == "S",
                )
            )
        return found

    def return_years(self) -> list[tuple[date, date]]:
        """Each return's first and last day (1 April to 31 March), oldest first."""
        return [
            (date(year - 1, 4, 1), date(year, 3, 31))
            for year in range(self.as_of.year - RETURN_YEARS + 1, self.as_of.year + 1)
        ]

    def write_returns(self, directory: Path) -> list[Path]:
        """Each year's Header and Episodes in `directory`/<year ending>/ (header.csv,
        episodes.csv), as the council would have sent them: every episode open at some time
        in the year, its end left blank when after the year's last day."""
        written = []
        for first, last in self.return_years():
            folder = directory / str(last.year)
            folder.mkdir(parents=True, exist_ok=True)
            rows = [
                e for e in self.history if e.start <= last and (e.end is None or e.end >= first)
            ]
            with open(folder / "episodes.csv", "w", newline="") as f:
                out = csv.writer(f)
                out.writerow(EPISODE_COLUMNS)
                for e in rows:
                    ended = e.end if e.end is not None and e.end <= last else None
                    closed = [_ddmmyyyy(ended), e.rec] if ended else ["", ""]
                    where = ["ZZ1 1", "ZZ9 1" if e.out_of_area else "ZZ1 2", e.urn]
                    started = [e.child, _ddmmyyyy(e.start), e.rne, e.ls, e.cin, e.place]
                    out.writerow([*started, e.provider, *closed, e.reason_change, *where])
            with open(folder / "header.csv", "w", newline="") as f:
                out = csv.writer(f)
                out.writerow(HEADER_COLUMNS)
                for number in sorted({e.child for e in rows}):
                    child = self.children[number]
                    age = projection.age_in_years(child.born, last)
                    mother = "0" if child.sex == "2" and age >= 12 else ""
                    upn = "UN1" if age < 6 else "UN2"
                    born = _ddmmyyyy(child.born)
                    out.writerow([number, child.sex, born, child.ethnic, upn, mother, ""])
            written += [folder / "header.csv", folder / "episodes.csv"]
        return written


def _ddmmyyyy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the simulation --------------------------------------------------------------------------


def entry_rate(scenario: str, day: float, anchor: float, trend_from: float) -> float:
    """First entries a day at `day` (days from any origin, as are `anchor`, where the rate is
    ENTRIES_PER_YEAR in every scenario, and `trend_from`, before which it is steady)."""
    growth = math.log(SCENARIOS[scenario]) / DAYS_PER_YEAR
    return ENTRIES_PER_YEAR / DAYS_PER_YEAR * math.exp(growth * (max(day, trend_from) - anchor))


def simulate(scenario: str, seed: int, as_of: date = AS_OF) -> SimulatedArea:
    """Simulate one council from the warm-up to FUTURE_MONTHS months after `as_of` (31 March).
    The same scenario and seed give the same council."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario: one of {', '.join(SCENARIOS)}, not {scenario!r}")
    rng = random.Random(f"{scenario}:{seed}")
    first_return_day = date(as_of.year - RETURN_YEARS, 4, 1)
    origin = date(first_return_day.year - WARM_UP_YEARS, 4, 1).toordinal()
    stop = projection.month_ends_after(as_of, FUTURE_MONTHS)[-1].toordinal() + 1 - origin
    # Anchored where the reference years begin, so every scenario's area is mid-sized.
    at = birthday(as_of, -2).toordinal() - origin
    trend_from = first_return_day.toordinal() - origin
    peak = max(entry_rate(scenario, float(day), at, trend_from) for day in (trend_from, stop))
    children: dict[int, Child] = {}
    history: list[Episode] = []
    t = 0.0
    while True:
        # Thinning: candidates at the highest rate, each kept in proportion to the rate then.
        t += rng.expovariate(peak)
        if t >= stop:
            break
        if rng.random() * peak > entry_rate(scenario, t, at, trend_from):
            continue
        number = 100_001 + len(children)
        child = _entrant(rng, number, date.fromordinal(origin + int(t)))
        children[number] = child
        history += _period_of_care(rng, child, t, origin, stop)
    return SimulatedArea(scenario, seed, as_of, children, history, first_return_day)


def _entrant(rng: random.Random, number: int, day: date) -> Child:
    (low, high), _ = rng.choices(ENTRY_AGES, [w for _, w in ENTRY_AGES])[0]
    if low == 0 and rng.random() < NEWBORN:
        days = rng.uniform(0, 14)
    else:
        days = rng.uniform(low, high) * DAYS_PER_YEAR
    born = day - timedelta(days=int(days))
    while projection.age_in_years(born, day) >= 18:
        born += timedelta(days=1)
    boys = 0.70 if low >= 16 else 0.53
    sex = "1" if rng.random() < boys else "2"
    return Child(number, born, sex, _choose(rng, ETHNIC))


def _period_of_care(
    rng: random.Random, child: Child, entered: float, origin: int, stop: float
) -> list[Episode]:
    """A child's episodes from entering at `entered` (days from `origin`) until they leave or
    the simulation stops at `stop`."""
    day0 = date.fromordinal(origin + int(entered))
    age = projection.age_in_years(child.born, day0)
    birthdays = [birthday(child.born, years).toordinal() - origin for years in range(19)]
    eighteen = birthdays[18]
    ls = _choose(rng, ENTRY_LEGAL[_band(age)])
    category = _choose(rng, ENTRY_CATEGORY[_band(age)])
    cin = _choose(rng, CIN)
    # Each row: [first day (ordinal), rne, ls, category, place, provider, out, urn, reason]
    rows: list[list] = []

    def change(t: float, rne: str, new_ls: str, new_category: str, reason: str) -> None:
        day = origin + int(t)
        new = [day, rne, new_ls, new_category, *_placement(rng, new_category), reason]
        if rows and rows[-1][0] == day:  # the same day: one episode, its changes combined
            kinds = {rows[-1][1], rne}
            new[1] = "S" if "S" in kinds else "T" if kinds >= {"P", "L"} or "T" in kinds else rne
            if new_category == rows[-1][3]:
                new[4:8] = rows[-1][4:8]
            if new[1] == "S":
                new[8] = ""
            rows[-1] = new
        else:
            rows.append(new)

    change(entered, "S", ls, category, "")
    t = entered
    rec = ""
    ended: float | None = None
    while True:
        age = bisect_right(birthdays, t) - 1
        months = (t - entered) / DAYS_PER_MONTH
        passed = bisect_right(TIME_POINTS, months)
        boundaries = [stop, eighteen, birthdays[min(age + 1, 18)]]
        if passed < len(TIME_POINTS):
            boundaries.append(entered + TIME_POINTS[passed] * DAYS_PER_MONTH)
        boundary = min(b for b in boundaries if b > t)
        # The rates in force until the boundary, at the middle of this stretch of time in care.
        lower = TIME_POINTS[passed - 1] if passed else 0.0
        middle = (lower + TIME_POINTS[passed]) / 2 if passed < len(TIME_POINTS) else lower + 12
        events: list[tuple[float, str]] = []
        if category == "adoption":
            events.append((ADOPTED, "adopted"))
        else:
            leave = LEAVE_BY_AGE[age] * _time_factor(middle) * LEAVE_BY_LEGAL.get(ls, 1.0)
            events.append((leave, "leave"))
            events.append((MOVES[category] * (1.3 if age >= 10 else 1.0), "move"))
            for before, after, rate, youngest, oldest in LEGAL_CHANGES:
                if ls == before and youngest <= age <= oldest:
                    events.append((rate, "legal:" + after))
            if ls == "E1":
                events.append((ADOPTION_PLACEMENT, "placed"))
        total = sum(rate for rate, _ in events) / DAYS_PER_MONTH
        wait = rng.expovariate(total)
        if t + wait >= boundary:
            t = boundary
            if t >= stop:
                break
            if t >= eighteen:
                rec, ended = _choose(rng, AT_EIGHTEEN), t
                break
            continue
        t += wait
        what = rng.choices([w for _, w in events], [r for r, _ in events])[0]
        if what == "adopted":
            rec, ended = _choose(rng, ADOPTION_ENDED), t
            break
        if what == "leave":
            rec, ended = _choose(rng, ENDED[max(0, _band(age) - 2)]), t
            break
        if what == "move":
            category = _move_to(rng, category, age)
            change(t, "P", ls, category, _choose(rng, REASONS))
        elif what == "placed":
            category = "adoption"
            change(t, "P", ls, category, "CARPL")
        else:
            ls = what.split(":")[1]
            change(t, "L", ls, category, "")
    last_day: int | None = None
    if ended is not None:
        # At least a day in care; on the 18th birthday at the latest.
        last_day = max(origin + int(ended), rows[-1][0] + 1)
        last_day = min(last_day, origin + int(eighteen))
    episodes = []
    for i, (day, rne, row_ls, _cat, place, provider, out, urn, reason) in enumerate(rows):
        following = rows[i + 1][0] if i + 1 < len(rows) else last_day
        end = date.fromordinal(following) if following is not None else None
        why = "X1" if i + 1 < len(rows) else rec
        started = (child.child, date.fromordinal(day), end, rne, row_ls, cin, place, provider)
        episodes.append(Episode(*started, why, reason, out, urn))
    return episodes


def _placement(rng: random.Random, category: str) -> tuple[str, str, bool, str]:
    """A placement in `category`: its code, provider, whether out of area, and URN (a made-up
    one for children's homes and secure units; XXXXXXX otherwise)."""
    place = _choose(rng, CODES[category])
    homes = place in ("K1", "K2", "S1")
    urn = f"SC{990000 + rng.randrange(40):06d}" if homes else "XXXXXXX"
    return place, _choose(rng, PROVIDERS[category]), rng.random() < OUT_OF_AREA[category], urn
