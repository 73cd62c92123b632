"""Projections of the children looked after and the health work they bring (pure: dates and
numbers in, numbers out; no ORM, no today).

The model, fitted from the care record's episodes over the reference years before `as_of`:
- entries per month, by a log-linear trend in time (a Poisson regression of the monthly
  counts, the trend shrunk towards none by a prior of about 6% a year), shared out by age in
  years and sex as the reference years' entries were;
- leaving care per month, a hazard by age in years, time in care (under 6 months, 6 to 23,
  24 and over) and the legal status group the period of care began with, the time at risk
  split at birthdays and the bands' edges, each cell shrunk towards its age's rate where it
  has little exposure; everyone leaves at 18 (so leaving on the 18th birthday is not counted
  as a 17-year-old's hazard);
- moves between placement categories per month (a transition matrix per category), the first
  placement by age band, and the chance of a placement being out of area by category.

`project` simulates every child month by month (those in care on `as_of`, then the entries),
many times, each time with rates drawn from their uncertainty (the regression's covariance for
the trend, Gamma and Dirichlet posteriors for the counts), so the intervals hold both the
randomness of who enters and leaves and the uncertainty of the fitted rates. Ages are taken on
the day; school year groups follow the English September-to-August year.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

#: The placement categories projected, and the SSDA903 placement codes in each.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "fostering": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "residential": ("K2", "R1", "R2", "R3", "S1", "P3"),
    "supported": ("K3", "H5", "P2"),
    "secure": ("K1", "R5"),
    "parents": ("P1",),
    "other": (
        "A3",
        "A4",
        "A5",
        "A6",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "Z1",
        "Z11",
        "Z12",
        "Z13",
        "Z14",
    ),
}
CATEGORY_KEYS = tuple(CATEGORIES)
_CATEGORY_OF = {code: key for key, codes in CATEGORIES.items() for code in codes}
#: Legal status groups: the leaving rate differs most between these.
LEGAL_GROUPS: dict[str, tuple[str, ...]] = {
    "care_order": ("C1", "C2"),
    "placement_order": ("E1", "D1"),
    "accommodated": ("V2",),
    "other": ("J1", "J2", "J3", "L1", "L2", "L3", "W1"),
}
LEGAL_KEYS = tuple(LEGAL_GROUPS)
_LEGAL_OF = {code: key for key, codes in LEGAL_GROUPS.items() for code in codes}
#: Time in care bands, in whole months: under 6, 6 to 23, 24 and over.
TIME_BANDS = (6, 24)
AGES = 18  # ages 0 to 17; everyone leaves at 18
SEXES = ("1", "2")
#: Pseudo-exposure (months) that pulls a thin cell's leaving rate towards its age's.
SHRINK_MONTHS = 24.0
#: The prior on the monthly trend of entries: about 6% a year. Two years of a mid-size
#: area's entries fix a trend only to about 8% a year, so a trend must show in the data
#: clearly before it is projected five years on.
SLOPE_PRIOR_SD = 0.005
#: Reference years when none are asked for (fewer where the record is shorter): two years of a
#: mid-size area's entries fix their trend only to about 8% a year, three to about 4%.
DEFAULT_REFERENCE_YEARS = 3
#: A record complete from within the reference period's first month is taken as complete.
COMPLETE_SLACK_DAYS = 31
MAX_MONTHS = 60
#: Simulations per projection: enough for steady 95% intervals; fewer for very large
#: populations, so that England's takes about a minute.
SIMULATIONS = 200
CHILD_MONTHS_PER_RUN = 4_000_000
MIN_CHILDREN = 20
DAYS_PER_MONTH = 365.2425 / 12


def simulations_for(children: int, months: int) -> int:
    """How many simulations a projection of `children` over `months` runs (40 to 200)."""
    return max(40, min(SIMULATIONS, CHILD_MONTHS_PER_RUN // max(1, children * months)))


def category_of(place: str) -> str:
    return _CATEGORY_OF.get(place, "other")


def legal_group(ls: str) -> str:
    return _LEGAL_OF.get(ls, "other")


class ProjectionRefused(ValueError):
    """What cannot be projected and why, naming the argument at fault."""

    def __init__(self, argument: str, message: str, aggregate: str = "") -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message
        #: the reason as an aggregate-only reader is told it: no count, no child's date
        self.aggregate = aggregate or message


@dataclass(frozen=True)
class CareEpisode:
    """One episode of care as the projection reads it (short breaks left out by the caller)."""

    child: int
    born: date
    sex: str
    start: date
    end: date | None
    place: str
    ls: str
    out_of_area: bool
    #: the child started to be looked after (RNE "S"): an entry
    entered: bool
    #: the responsible area's code (for costs across areas; the model does not use it)
    area: str = ""


# --- calendar --------------------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def month_ends_after(as_of: date, months: int) -> list[date]:
    """The first `months` month ends after `as_of` (its own month's, unless it is one)."""
    found: list[date] = []
    year, month = as_of.year, as_of.month
    if month_end(year, month) > as_of:
        found.append(month_end(year, month))
    while len(found) < months:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        found.append(month_end(year, month))
    return found


def month_ends_before(day: date, months: int) -> list[date]:
    """The last `months` month ends up to `day` (its own, if it is one), oldest first."""
    year, month = day.year, day.month
    if month_end(year, month) > day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    found = []
    for _ in range(months):
        found.append(month_end(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def age_in_years(born: date, on: date) -> int:
    """Whole years on the day (a 29 February birthday comes on 1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def school_year(born: date, on: date) -> int:
    """The English school year group on the day: 0 is Reception (the September after the 4th
    birthday), 1 to 13 the years; below 0 not yet at school, above 13 past it."""
    academic = on.year if on.month >= 9 else on.year - 1
    cohort = born.year if born.month >= 9 else born.year - 1
    return academic - cohort - 5


def _months(days: float) -> float:
    return days / DAYS_PER_MONTH


# --- fitting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """The fitted model and what its uncertainty needs (see the module's docstring)."""

    as_of: date
    reference_months: int
    #: log-linear trend of monthly entries: log(mean) = level + slope * month (0 = as_of's month)
    level: float
    slope: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    #: entries in the reference years by age (0-17) and sex: counts, for a Dirichlet
    entry_mix: np.ndarray
    #: leaving: exits and exposure months by age x time band x legal group
    exits: np.ndarray
    exposure: np.ndarray
    #: moves: counts from category to category, and exposure months per category
    moves: np.ndarray
    move_exposure: np.ndarray
    #: first placement category by age band (0-4, 5-9, 10-15, 16-17): counts
    first_placement: np.ndarray
    #: out-of-area exposure and total exposure by category
    out_exposure: np.ndarray
    #: legal group at entry by age band: counts
    entry_legal: np.ndarray
    entries: int = 0
    children: int = 0
    #: the month the trend's month 0 is (the first after the reference months); None: as_of's
    origin: date | None = None

    @property
    def monthly_entries(self) -> float:
        return math.exp(self.level)


def _age_band(age: int) -> int:
    return 0 if age < 5 else 1 if age < 10 else 2 if age < 16 else 3


def _time_band(months_in_care: float) -> int:
    return sum(months_in_care >= b for b in TIME_BANDS)


def _poisson_trend(
    counts: Sequence[int], months: Sequence[float]
) -> tuple[float, float, np.ndarray]:
    """Poisson regression of counts on month by Newton's method, the slope with a normal prior
    centred on no trend (`SLOPE_PRIOR_SD`): (level at month 0, slope, covariance). Fitted
    about the reference period's middle, so that shrinking the slope leaves the level where
    the data are."""
    y = np.asarray(counts, dtype=float)
    centre = float(np.mean(months))
    x = np.column_stack([np.ones(len(y)), np.asarray(months, dtype=float) - centre])
    prior = np.diag([0.0, 1 / SLOPE_PRIOR_SD**2])
    beta = np.array([math.log(max(y.mean(), 1e-9)), 0.0])
    for _ in range(50):
        mu = np.exp(x @ beta)
        information = x.T @ (x * mu[:, None]) + prior
        step = np.linalg.solve(information, x.T @ (y - mu) - prior @ beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(x @ beta)
    covariance = np.linalg.inv(x.T @ (x * mu[:, None]) + prior)
    # log(mean) = a + b (m - centre) = (a - b centre) + b m
    to_zero = np.array([[1.0, -centre], [0.0, 1.0]])
    return float(beta[0] - centre * beta[1]), float(beta[1]), to_zero @ covariance @ to_zero.T


def _birthday(born: date, year: int) -> date:
    """The day `age_in_years` counts a year older (1 March for 29 February in other years)."""
    try:
        return date(year, born.month, born.day)
    except ValueError:
        return date(year, 3, 1)


def _pieces(born: date, began: date, lo: date, hi: date) -> list[tuple[float, int, int]]:
    """[lo, hi) cut at birthdays and at the time-in-care bands' edges: (months, age, band)."""
    cuts = {lo, hi}
    for year in range(lo.year, hi.year + 1):
        cuts.add(_birthday(born, year))
    for months in TIME_BANDS:
        cuts.add(date.fromordinal(began.toordinal() + math.ceil(months * DAYS_PER_MONTH)))
    edges = sorted(d for d in cuts if lo <= d <= hi)
    return [
        (_months((b - a).days), age_in_years(born, a), _time_band(_months((a - began).days)))
        for a, b in zip(edges, edges[1:], strict=False)
    ]


def _spells(episodes: Iterable[CareEpisode]) -> dict[int, list[list[CareEpisode]]]:
    """Each child's periods of care: runs of episodes from an entry to the episode that ends
    without another starting that day."""
    by_child: dict[int, list[CareEpisode]] = {}
    for e in episodes:
        by_child.setdefault(e.child, []).append(e)
    spells: dict[int, list[list[CareEpisode]]] = {}
    for child, rows in by_child.items():
        rows.sort(key=lambda e: e.start)
        current: list[CareEpisode] = []
        for e in rows:
            if current and (e.entered or current[-1].end is None or e.start > current[-1].end):
                spells.setdefault(child, []).append(current)
                current = []
            current.append(e)
        if current:
            spells.setdefault(child, []).append(current)
    return spells


def fit(
    episodes: Iterable[CareEpisode],
    *,
    as_of: date,
    reference_years: int | None = None,
    complete_from: date | None = None,
) -> Rates:
    """Fit the model from the episodes over the `reference_years` before `as_of`: by default
    `DEFAULT_REFERENCE_YEARS`, or the whole years the record holds completely if fewer (at
    least one). `complete_from` is the day from which the record holds every entry to care
    (the start of the first SSDA903 return loaded: an earlier return's children who left
    before it are not on the record); without it, the first entry recorded. Reference years
    asked for that reach before it are refused, naming --reference-years."""
    if reference_years is not None and not 1 <= reference_years <= 10:
        raise ProjectionRefused("--reference-years", "give 1 to 10 years of reference")
    spells = _spells(episodes)
    if not spells:
        raise ProjectionRefused("--area", "the area has no episodes of care to project from")
    first_day = min(s[0].start for rows in spells.values() for s in rows)
    if as_of < first_day:
        raise ProjectionRefused(
            "--as-of",
            f"{as_of.isoformat()} is before the first episode ({first_day.isoformat()})",
            "the day is before the record begins",
        )
    if complete_from is not None and as_of < complete_from:
        raise ProjectionRefused(
            "--as-of",
            f"{as_of.isoformat()} is before the record is complete ({complete_from.isoformat()}, "
            "the start of the first SSDA903 return loaded)",
            "the day is before the record holds every entry to care",
        )
    first_entry = min(
        (s[0].start for rows in spells.values() for s in rows if s[0].entered), default=None
    )
    known = [d for d in (first_entry, complete_from) if d is not None]
    complete = max(known) if known else None

    # Whole months up to as_of's (its own too when as_of ends it): a part month would bend
    # the trend. The reference years are the whole months before `stop`.
    tomorrow = date.fromordinal(as_of.toordinal() + 1)
    stop = tomorrow if tomorrow.day == 1 else as_of.replace(day=1)

    def begins(years: int) -> date:
        return date(stop.year - years, stop.month, 1)

    def reaches_before(years: int) -> bool:
        return complete is not None and (complete - begins(years)).days > COMPLETE_SLACK_DAYS

    if reference_years is None:
        reference_years = DEFAULT_REFERENCE_YEARS
        while reference_years > 1 and reaches_before(reference_years):
            reference_years -= 1
    start = begins(reference_years)
    if reaches_before(reference_years):
        assert complete is not None
        if reference_years == 1:
            raise ProjectionRefused(
                "--as-of",
                f"the record holds every entry to care only from {complete.isoformat()}: less "
                f"than a year before {as_of.isoformat()}, too little to fit the entries from; "
                "choose a later date",
                "the record holds less than a year of entries to care before the day",
            )
        where = (
            f"the record holds every entry to care only from {complete.isoformat()} (the "
            "start of the first SSDA903 return loaded)"
            if complete == complete_from
            else f"the record's first entry to care is on {complete.isoformat()}"
        )
        raise ProjectionRefused(
            "--reference-years",
            f"{where}: {reference_years} reference year{'s' if reference_years > 1 else ''} "
            f"before {as_of.isoformat()} begin before it, and months with no record of entries "
            "would look like months with none; choose fewer years or a later date",
            f"{reference_years} reference years before the day begin before the record holds "
            "every entry to care: choose fewer years or a later date",
        )
    months = reference_years * 12
    monthly = [0] * months
    entry_mix = np.zeros((AGES, len(SEXES)))
    exits = np.zeros((AGES, len(TIME_BANDS) + 1, len(LEGAL_KEYS)))
    exposure = np.zeros_like(exits)
    moves = np.zeros((len(CATEGORY_KEYS), len(CATEGORY_KEYS)))
    move_exposure = np.zeros(len(CATEGORY_KEYS))
    first_placement = np.zeros((4, len(CATEGORY_KEYS)))
    entry_legal = np.zeros((4, len(LEGAL_KEYS)))
    out_exposure = np.zeros(len(CATEGORY_KEYS))
    entries = 0
    in_care_now = 0
    for rows in spells.values():
        for spell in rows:
            head = spell[0]
            began, ended = head.start, spell[-1].end
            # Leaving is by the legal status the period of care began with: the projection
            # keeps each child's (changes of status are not modelled).
            legal = LEGAL_KEYS.index(legal_group(head.ls))
            if began <= as_of and (ended is None or ended > as_of):
                in_care_now += 1
            if start <= began < stop:
                age = min(max(age_in_years(head.born, began), 0), AGES - 1)
                index = (began.year - start.year) * 12 + began.month - start.month
                if 0 <= index < months:
                    monthly[index] += 1
                entries += 1
                entry_mix[age, 0 if head.sex in ("1", "M") else 1] += 1
                first_placement[_age_band(age), CATEGORY_KEYS.index(category_of(head.place))] += 1
                entry_legal[_age_band(age), legal] += 1
            for i, e in enumerate(spell):
                lo = max(e.start, start)
                hi = min(e.end or stop, stop)
                if hi <= lo:
                    continue
                months_in = _months((hi - lo).days)
                cat = CATEGORY_KEYS.index(category_of(e.place))
                move_exposure[cat] += months_in
                if e.out_of_area:
                    out_exposure[cat] += months_in
                # Time at risk of leaving, at each age and time in care it was spent at (past
                # 18 no one is at risk: everyone leaves then).
                for piece, age, band in _pieces(e.born, began, lo, hi):
                    if 0 <= age < AGES:
                        exposure[age, band, legal] += piece
                following = spell[i + 1] if i + 1 < len(spell) else None
                if following is not None and e.end is not None and start <= e.end < stop:
                    to = CATEGORY_KEYS.index(category_of(following.place))
                    if to != cat:
                        moves[cat, to] += 1
            if ended is not None and start <= ended < stop:
                age = age_in_years(spell[-1].born, ended)
                # Leaving on the 18th birthday is the rule the simulation applies, not a hazard.
                if 0 <= age < AGES:
                    band = _time_band(_months((ended - began).days))
                    exits[age, band, legal] += 1
    if in_care_now < MIN_CHILDREN:
        raise ProjectionRefused(
            "--area",
            f"{in_care_now} {'child was' if in_care_now == 1 else 'children were'} looked after "
            f"on {as_of.isoformat()}: fewer than "
            f"{MIN_CHILDREN} are too few to project",
            f"fewer than {MIN_CHILDREN} children were looked after on the day: too few to project",
        )
    if entries == 0:
        raise ProjectionRefused(
            "--reference-years",
            f"no child entered care in the {reference_years} years before {stop.isoformat()}: "
            "the entries cannot be fitted",
            f"no child entered care in the {reference_years} reference years: the entries "
            "cannot be fitted",
        )
    level, slope, covariance = _poisson_trend(monthly, [m - months for m in range(months)])
    return Rates(
        as_of=as_of,
        reference_months=months,
        level=level,
        slope=slope,
        covariance=((covariance[0, 0], covariance[0, 1]), (covariance[1, 0], covariance[1, 1])),
        entry_mix=entry_mix,
        exits=exits,
        exposure=exposure,
        moves=moves,
        move_exposure=move_exposure,
        first_placement=first_placement,
        out_exposure=out_exposure,
        entry_legal=entry_legal,
        entries=entries,
        children=in_care_now,
        origin=stop,
    )


# --- projecting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """Entries, or the moves out of one placement category (or all), changed by a percentage
    from a date (from the start when no date is given)."""

    entries_change: float = 0.0  # +10 is 10% more entries
    moves_change: float = 0.0
    moves_from: str = ""  # a category key; "" for every category
    from_date: date | None = None

    def applies(self, on: date) -> bool:
        return self.from_date is None or on >= self.from_date


@dataclass(frozen=True)
class Interval:
    expected: float
    low80: float
    high80: float
    low95: float
    high95: float

    def as_dict(self) -> dict[str, float]:
        keys = ("expected", "low80", "high80", "low95", "high95")
        return {k: round(getattr(self, k), 2) for k in keys}


def _interval(values: np.ndarray) -> Interval:
    q = np.percentile(values, [10, 90, 2.5, 97.5])
    return Interval(float(values.mean()), float(q[0]), float(q[1]), float(q[2]), float(q[3]))


@dataclass
class Month:
    """One month end's projection: the total with its intervals, the expected numbers by
    single year of age, school year group, placement category and location (each sums to the
    expected total), and the expected health work of the month."""

    month_end: date
    looked_after: Interval
    by_age: dict[str, float] = field(default_factory=dict)
    by_year_group: dict[str, float] = field(default_factory=dict)
    by_placement: dict[str, float] = field(default_factory=dict)
    by_location: dict[str, float] = field(default_factory=dict)
    workload: dict[str, float] = field(default_factory=dict)


WORK = ("iha", "rha", "sdq", "dental", "passport", "ooa_notice")
#: Year groups kept apart: -1 and below are "not yet at school", 14 and above "past it".
YEAR_GROUPS = [
    "Not yet at school",
    "Reception",
    *(f"Year {n}" for n in range(1, 14)),
    "Past school age",
]


def year_group_label(group: int) -> str:
    return YEAR_GROUPS[min(max(group, -1), 14) + 1]


@dataclass(frozen=True)
class _Drawn:
    """One simulation's rates, drawn from their uncertainty; arrays with a leading axis of
    simulations."""

    level: np.ndarray  # (S,)
    slope: np.ndarray
    mix: np.ndarray  # (S, AGES * 2) cumulative
    leave: np.ndarray  # (S, AGES, bands, legal) monthly probability
    move: np.ndarray  # (S, cats) monthly probability of a move
    move_to: np.ndarray  # (S, cats, cats) cumulative
    first: np.ndarray  # (S, 4, cats) cumulative
    legal_at: np.ndarray  # (S, 4, legal) cumulative
    out_share: np.ndarray  # (S, cats)

    def take(self, runs: list[int]) -> _Drawn:
        return _Drawn(*(getattr(self, f)[runs] for f in self.__dataclass_fields__))


def _draw(rates: Rates, sims: int, rng: np.random.Generator) -> _Drawn:
    n_cats = len(CATEGORY_KEYS)
    trend = rng.multivariate_normal([rates.level, rates.slope], np.asarray(rates.covariance), sims)
    mix = rng.dirichlet(rates.entry_mix.ravel() + 0.5, sims)
    # Each cell's leaving rate shrunk towards its age's: Gamma(exits + k r_age, exposure + k).
    by_age = rng.gamma(
        rates.exits.sum(axis=(1, 2)) + 0.5,
        1.0 / (rates.exposure.sum(axis=(1, 2)) + 1.0),
        (sims, AGES),
    )
    prior = SHRINK_MONTHS * by_age[:, :, None, None]
    hazard = rng.gamma(rates.exits[None] + prior + 1e-3) / (rates.exposure[None] + SHRINK_MONTHS)
    moves = rng.gamma(
        rates.moves.sum(axis=1) + 0.5, 1.0 / (rates.move_exposure + 1.0), (sims, n_cats)
    )
    others = 1.0 - np.eye(n_cats)
    move_to = np.stack(
        [rng.dirichlet(rates.moves[c] + 0.1 * others[c] + 1e-12, sims) for c in range(n_cats)],
        axis=1,
    )
    move_to = move_to * others[None]
    move_to /= move_to.sum(axis=2, keepdims=True)
    first = np.stack([rng.dirichlet(row + 0.5, sims) for row in rates.first_placement], axis=1)
    legal_at = np.stack([rng.dirichlet(row + 0.5, sims) for row in rates.entry_legal], axis=1)
    out_share = rng.beta(
        rates.out_exposure + 0.5, rates.move_exposure - rates.out_exposure + 0.5, (sims, n_cats)
    )
    return _Drawn(
        level=trend[:, 0],
        slope=trend[:, 1],
        mix=np.cumsum(mix, axis=1),
        leave=1.0 - np.exp(-hazard),
        move=1.0 - np.exp(-moves),
        move_to=np.cumsum(move_to, axis=2),
        first=np.cumsum(first, axis=2),
        legal_at=np.cumsum(legal_at, axis=2),
        out_share=out_share,
    )


def _pick(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws: `cumulative` (..., k) per draw, `u` uniform of shape (...)."""
    return np.minimum((cumulative < u[..., None]).sum(axis=-1), cumulative.shape[-1] - 1)


def _in_care_on(
    episodes: Sequence[CareEpisode], as_of: date
) -> list[tuple[int, int, int, int, bool]]:
    """Each child looked after on `as_of`: birth, category, legal group, start, out of area."""
    found = []
    for rows in _spells(episodes).values():
        for spell in rows:
            if spell[0].start <= as_of and (spell[-1].end is None or spell[-1].end > as_of):
                current = [e for e in spell if e.start <= as_of][-1]
                found.append(
                    (
                        current.born.toordinal(),
                        CATEGORY_KEYS.index(category_of(current.place)),
                        LEGAL_KEYS.index(legal_group(spell[0].ls)),
                        spell[0].start.toordinal(),
                        current.out_of_area,
                    )
                )
    return found


def _school_years(born: np.ndarray, on: date) -> np.ndarray:
    """`school_year` for many birth dates (day ordinals) at once."""
    days = (born - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype(np.int64)
    year, month = months // 12 + 1970, months % 12 + 1
    academic = on.year if on.month >= 9 else on.year - 1
    return academic - np.where(month >= 9, year, year - 1) - 5


def _ages(born: np.ndarray, on: date) -> np.ndarray:
    """`age_in_years` for many birth dates (day ordinals) on one day."""
    days = (born - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year, month = months.astype(np.int64) // 12 + 1970, months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    later = (on.month < month) | ((on.month == month) & (on.day < day))
    return on.year - year - later


#: How many children (in care and entering, times simulations) a batch of simulations holds.
CHILD_SLOTS = 6_000_000


def _simulate(
    drawn: _Drawn,
    start: list[tuple[int, int, int, int, bool]],
    ends: list[date],
    as_of: date,
    origin: date,
    scenario: Scenario,
    moves_from: int,
    rng: np.random.Generator,
    sims: int,
    totals: np.ndarray,
    by_age: np.ndarray,
    by_group: np.ndarray,
    by_cat: np.ndarray,
    by_out: np.ndarray,
    work: dict[str, np.ndarray],
) -> None:
    """One batch of simulations (`drawn` holds their rates), adding each month's expected
    counts (divided by all `sims`) to the accumulators and its totals to `totals`."""
    n_cats = len(CATEGORY_KEYS)
    runs = len(drawn.level)
    rows = np.arange(runs)[:, None]

    def tile(values: list, dtype: type) -> np.ndarray:
        return np.tile(np.asarray(values, dtype=dtype), (runs, 1))

    born = tile([c[0] for c in start], np.int64)
    cat = tile([c[1] for c in start], np.int64)
    legal = tile([c[2] for c in start], np.int64)
    began = tile([c[3] for c in start], np.int64)
    out = tile([c[4] for c in start], bool)
    alive = np.ones(born.shape, dtype=bool)
    previous = as_of.toordinal()
    for m, end in enumerate(ends):
        day = end.toordinal()
        # A first step shorter than its month (as_of within a month) has less of everything.
        share = (day - previous) / end.day
        previous = day
        t = (end.year - origin.year) * 12 + end.month - origin.month
        # Entries: a Poisson count per simulation, by age and sex as the reference years'.
        mean = np.exp(drawn.level + drawn.slope * t) * share
        if scenario.entries_change and scenario.applies(end):
            mean = mean * (1 + scenario.entries_change / 100)
        counts = rng.poisson(mean)
        width = int(counts.max())
        if width:
            fresh = np.arange(width)[None, :] < counts[:, None]
            ages = _pick(drawn.mix[:, None, :], rng.random((runs, width))) // len(SEXES)
            new_born = day - ((ages + rng.random((runs, width))) * 365.2425).astype(np.int64)
            band = np.select([ages >= 16, ages >= 10, ages >= 5], [3, 2, 1], 0)
            new_cat = _pick(drawn.first[rows, band], rng.random((runs, width)))
            new_legal = _pick(drawn.legal_at[rows, band], rng.random((runs, width)))
            new_out = rng.random((runs, width)) < drawn.out_share[rows, new_cat]
            work["iha"][m] += counts.sum() / sims
            work["ooa_notice"][m] += (new_out & fresh).sum() / sims
            born = np.hstack([born, new_born])
            cat = np.hstack([cat, new_cat])
            legal = np.hstack([legal, new_legal])
            began = np.hstack([began, np.full((runs, width), day - 15, dtype=np.int64)])
            out = np.hstack([out, new_out])
            alive = np.hstack([alive, fresh])
        # Leaving: everyone at 18, others by the hazard of age, time in care, legal group.
        ages = np.clip((day - born) / 365.2425, 0, AGES).astype(np.int64)
        in_care = (day - began) / DAYS_PER_MONTH
        band = (in_care >= TIME_BANDS[0]).astype(np.int64) + (in_care >= TIME_BANDS[1])
        p_leave = drawn.leave[rows, np.minimum(ages, AGES - 1), band, legal]
        if share < 1:
            p_leave = 1 - (1 - p_leave) ** share
        alive &= (ages < AGES) & (rng.random(alive.shape) >= p_leave)
        # Moves between placement categories.
        p_move = drawn.move[rows, cat]
        if share < 1:
            p_move = 1 - (1 - p_move) ** share
        if scenario.moves_change and scenario.applies(end):
            chosen = (moves_from < 0) | (cat == moves_from)
            p_move = np.where(
                chosen, np.clip(p_move * (1 + scenario.moves_change / 100), 0, 1), p_move
            )
        moving = alive & (rng.random(alive.shape) < p_move)
        who = np.nonzero(moving)
        if len(who[0]):
            # Only the children who move draw where to (a draw for everyone would hold a
            # category's probabilities for every child of every simulation).
            target = _pick(drawn.move_to[who[0], cat[who]], rng.random(len(who[0])))
            now_out = rng.random(len(who[0])) < drawn.out_share[who[0], target]
            work["ooa_notice"][m] += (now_out & ~out[who]).sum() / sims
            cat[who] = target
            out[who] = now_out
        # What the month holds.
        totals[:, m] = alive.sum(axis=1)
        living = born[alive]
        exact = _ages(living, end)
        by_age[m] += np.bincount(np.clip(exact, 0, AGES - 1), minlength=AGES) / sims
        groups = np.clip(_school_years(living, end), -1, 14) + 1
        by_group[m] += np.bincount(groups, minlength=len(YEAR_GROUPS)) / sims
        by_cat[m] += np.bincount(cat[alive], minlength=n_cats) / sims
        by_out[m] += np.bincount(out[alive].astype(np.int64), minlength=2) / sims
        months_in = (day - began[alive]) / DAYS_PER_MONTH
        under5 = exact < 5
        # Reviews fall due every 6 months under 5 and every 12 from 5, SDQs and dental checks
        # every year: a month holds its share of each.
        work["rha"][m] += (
            share
            * ((under5 & (months_in >= 6)).sum() / 6 + (~under5 & (months_in >= 12)).sum() / 12)
            / sims
        )
        work["sdq"][m] += share * ((exact >= 4) & (exact <= 16)).sum() / 12 / sims
        work["dental"][m] += share * (exact >= 1).sum() / 12 / sims
        age_months = (day - living) / DAYS_PER_MONTH
        work["passport"][m] += ((age_months >= 210) & (age_months < 211)).sum() / sims
        if m % 12 == 11:  # forget the children every simulation has seen leave
            keep = alive.any(axis=0)
            born, cat, legal, began, out, alive = (
                a[:, keep] for a in (born, cat, legal, began, out, alive)
            )


def project(
    episodes: Sequence[CareEpisode],
    rates: Rates,
    *,
    months: int,
    sims: int = 200,
    seed: int = 0,
    scenario: Scenario | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Month]:
    """Simulate month by month for `months` months after `rates.as_of` (see the module's
    docstring); expected values and 80% and 95% intervals for the total, expected values for
    the breakdowns (each sums to the expected total) and for the month's health work. The
    simulations run a few at a time, so that a large population fits in memory; `progress`
    is told the share done."""
    if not 1 <= months <= MAX_MONTHS:
        raise ProjectionRefused("--months", f"project 1 to {MAX_MONTHS} months ahead, not {months}")
    scenario = scenario or Scenario()
    rng = np.random.default_rng(seed)
    drawn = _draw(rates, sims, rng)
    ends = month_ends_after(rates.as_of, months)
    start = _in_care_on(episodes, rates.as_of)
    n_cats = len(CATEGORY_KEYS)
    moves_from = CATEGORY_KEYS.index(scenario.moves_from) if scenario.moves_from else -1
    totals = np.zeros((sims, months))
    by_age = np.zeros((months, AGES))
    by_group = np.zeros((months, len(YEAR_GROUPS)))
    by_cat = np.zeros((months, n_cats))
    by_out = np.zeros((months, 2))
    work = {k: np.zeros(months) for k in WORK}
    # The children one batch of simulations holds: those in care now and all entries to come.
    expected_entries = math.exp(rates.level) * months * 1.5 + 10
    chunk = max(1, min(sims, int(CHILD_SLOTS // max(1.0, len(start) + expected_entries))))
    for lo in range(0, sims, chunk):
        part = list(range(lo, min(sims, lo + chunk)))
        _simulate(
            drawn.take(part),
            start,
            ends,
            rates.as_of,
            rates.origin or rates.as_of.replace(day=1),
            scenario,
            moves_from,
            rng,
            sims,
            totals[part[0] : part[-1] + 1],
            by_age,
            by_group,
            by_cat,
            by_out,
            work,
        )
        if progress is not None:
            progress(min(sims, lo + chunk) / sims)
    return [
        Month(
            month_end=end,
            looked_after=_interval(totals[:, m]),
            by_age={str(a): float(by_age[m, a]) for a in range(AGES)},
            by_year_group={label: float(by_group[m, i]) for i, label in enumerate(YEAR_GROUPS)},
            by_placement={k: float(by_cat[m, i]) for i, k in enumerate(CATEGORY_KEYS)},
            by_location={"in_area": float(by_out[m, 0]), "out_of_area": float(by_out[m, 1])},
            workload={k: float(v[m]) for k, v in work.items()},
        )
        for m, end in enumerate(ends)
    ]


# --- checking against what happened ------------------------------------------------------------


def looked_after_on(episodes: Sequence[CareEpisode], days: Sequence[date]) -> list[int]:
    """How many children were looked after at the end of each of `days` (as `fit` counts)."""
    periods = [
        (spell[0].start, spell[-1].end) for rows in _spells(episodes).values() for spell in rows
    ]
    return [
        sum(1 for began, ended in periods if began <= day and (ended is None or ended > day))
        for day in days
    ]


@dataclass(frozen=True)
class Backtest:
    """A projection made as of `as_of` (a year before the caller's), month by month against
    the children actually looked after, with its errors."""

    as_of: date
    months: list[Month]
    actual: list[int]

    @property
    def mean_absolute_error(self) -> float:
        return float(np.mean([abs(m.looked_after.expected - a) for m, a in self.pairs]))

    @property
    def mean_absolute_percentage_error(self) -> float:
        """In percent, of the months with children looked after (never a division by 0)."""
        shares = [abs(m.looked_after.expected - a) / a for m, a in self.pairs if a]
        return 100 * float(np.mean(shares)) if shares else 0.0

    @property
    def held(self) -> int:
        """Month ends at which the 95% interval held what happened."""
        return sum(m.looked_after.low95 <= a <= m.looked_after.high95 for m, a in self.pairs)

    @property
    def pairs(self) -> list[tuple[Month, int]]:
        return list(zip(self.months, self.actual, strict=True))


def backtest(
    episodes: Sequence[CareEpisode],
    *,
    as_of: date,
    months: int = 12,
    reference_years: int | None = None,
    complete_from: date | None = None,
    seed: int = 0,
) -> Backtest:
    """The projection that would have been made `months` months before the last month end
    up to `as_of`, against what happened at each month end since (both from the record as it
    stands, which may have been corrected since). Refused (naming --as-of) when the record
    does not reach back far enough."""
    # From the last month end that has happened, so every month compared is complete.
    then = month_ends_before(as_of, months + 1)[0]
    try:
        rates = fit(
            episodes, as_of=then, reference_years=reference_years, complete_from=complete_from
        )
    except ProjectionRefused as refused:
        raise ProjectionRefused(
            "--as-of",
            f"no projection could have been made {months} months earlier, on "
            f"{then.isoformat()}: {refused.message}",
            f"no projection could have been made {months} months earlier: {refused.aggregate}",
        ) from refused
    found = project(
        episodes, rates, months=months, sims=simulations_for(rates.children, months), seed=seed
    )
    return Backtest(then, found, looked_after_on(episodes, [m.month_end for m in found]))
