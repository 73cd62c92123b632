"""What the insight pages show, for whom: the measures per area with their intervals, funnel
positions, trends and small-number suppression, and the children behind a figure.

Two audiences (decided by `audience_of`, from the access policy):
- a **commissioner** sees the areas of their footprint (or England as lachealth holds it) as
  aggregates only, and only the figures `publish` gives (the snapshot's, or counted live by
  the same function): counts from 1 to 5 shown as "c", with the secondary suppression that
  holds across every area, footprint, breakdown and measure (ADR 010), rates of fewer than
  10 not shown, and no way to a child;
- a user with **child-level access** (LA or health staff) sees the same measures over the
  children the access policy lets them see, unsuppressed, with the children behind each
  numerator and each gap one click away.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from markupsafe import Markup

from lachealth.care.models import Child
from lachealth.people import access
from lachealth.people.models import Area, Role

from . import charts, publish, snapshot, stats
from .measures import (
    DIMENSIONS,
    EMPTY,
    EVERYONE,
    MEASURES,
    Breakdown,
    Cohort,
    Kind,
    Measure,
    Polarity,
    Tally,
    cohort_rows,
    count,
)
from .models import MeasureSnapshot
from .periods import TREND_YEARS, Period

#: Rates (and means) on fewer than this many are not shown to an aggregate-only audience.
MIN_DENOMINATOR = publish.MIN_DENOMINATOR
SUPPRESSION_RULE = (
    "Counts from 1 to 5 are shown as c, as the DfE shows them. So are other counts wherever "
    "a hidden one could be worked out from them: every area, footprint, England, breakdown "
    "and measure of a period is suppressed as one set of linked tables and checked the way a "
    "reader would combine them (linear programming). Rates and averages on fewer than 10 "
    "children, or from a hidden count, are not shown; figures are broken down by one "
    "characteristic at a time, and then for a whole footprint or England, not area by area."
)


@dataclass(frozen=True)
class Audience:
    suppressed: bool  # aggregates only, small numbers hidden
    areas: frozenset[str]  # the user's own areas (footprint or caseload)
    rows_q: Callable[[Cohort], Q] | None  # the access policy on each cohort's rows
    drill_down: bool


def audience_of(user) -> Audience | None:  # type: ignore[no-untyped-def]
    """How the user sees the measures; None if their roles give them no measures at all."""
    scope = access.scope_of(user)
    if scope.sees_children:

        def rows_q(cohort: Cohort) -> Q:
            return access.child_q(
                user,
                cohort.child_field("responsible_area"),
                cohort.child_field("current_placement_area"),
            )

        return Audience(False, scope.la_areas | scope.health_areas, rows_q, True)
    if access.is_commissioner(user):
        return Audience(True, access.areas_for(user, {Role.COMMISSIONER}), None, False)
    return None


@dataclass(frozen=True)
class Shown:
    """One figure as the audience may see it: its value, or "c", or nothing."""

    value: float | int | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.text == stats.SUPPRESSED


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    numerator: Shown
    denominator: Shown
    value: float | None  # the rate (0-1) or the mean; None when not shown
    low: float | None
    high: float | None
    position: stats.Position | None = None
    highlighted: bool = False

    @property
    def gap(self) -> int | None:
        """The children counted but not in the numerator (for the drill-down)."""
        if isinstance(self.numerator.value, int) and isinstance(self.denominator.value, int):
            return self.denominator.value - self.numerator.value
        return None


@dataclass
class Result:
    measure: Measure
    rows: list[Row]
    total: Row
    focus: Row
    baseline: float | None
    outliers: list[str] = field(default_factory=list)
    trend: list[tuple[str, Row]] = field(default_factory=list)
    funnel_svg: Markup | None = None
    trend_svg: Markup | None = None

    @property
    def is_mean(self) -> bool:
        return self.measure.kind == Kind.MEAN


def format_value(measure: Measure, value: float | None) -> str:
    if value is None:
        return "not shown"
    return f"{value:.1f}" if measure.kind == Kind.MEAN else f"{100 * value:.1f}%"


POSITION_WORDS = {
    stats.Position.ABOVE_998: ("above the 99.8% limit", "very unlikely to be chance"),
    stats.Position.ABOVE_95: ("above the 95% limit", "unlikely to be chance"),
    stats.Position.BELOW_95: ("below the 95% limit", "unlikely to be chance"),
    stats.Position.BELOW_998: ("below the 99.8% limit", "very unlikely to be chance"),
}


def judgement(measure: Measure, position: stats.Position) -> str:
    """ "better/worse than expected" by the measure's polarity ("higher/lower" when neutral)."""
    above = position in (stats.Position.ABOVE_95, stats.Position.ABOVE_998)
    if measure.polarity == Polarity.NEUTRAL:
        return "higher than expected" if above else "lower than expected"
    good = above == (measure.polarity == Polarity.HIGH_IS_GOOD)
    return "better than expected" if good else "worse than expected"


def describe_outlier(measure: Measure, row: Row) -> str:
    assert row.position is not None and row.position != stats.Position.WITHIN
    where, likelihood = POSITION_WORDS[row.position]
    return (
        f"{row.name}: {format_value(measure, row.value)}, {where}: "
        f"{judgement(measure, row.position)} ({likelihood})."
    )


def _counts(tally: Tally) -> tuple[Shown, Shown]:
    """A tally's numerator and denominator as staff see them: all of it."""
    return Shown(tally.numerator, str(tally.numerator)), Shown(
        tally.denominator, str(tally.denominator)
    )


def _rate_shown(shown: tuple[Shown, Shown], denominator: int, suppressed: bool) -> bool:
    """Whether a rate or mean may be shown: only from counts the audience is shown, and on 10
    or more children for a suppressed audience (on 1 or more for staff)."""
    numerator_shown, denominator_shown = shown
    minimum = MIN_DENOMINATOR if suppressed else 1
    hidden = numerator_shown.hidden or denominator_shown.hidden
    return not hidden and denominator >= minimum


def _row(
    measure: Measure,
    code: str,
    name: str,
    tally: Tally,
    shown: tuple[Shown, Shown],
    suppressed: bool,
    baseline: float | None = None,
    highlighted: bool = False,
) -> Row:
    value = low = high = None
    position = None
    visible = _rate_shown(shown, tally.denominator, suppressed)
    if visible and measure.kind == Kind.MEAN:
        value = tally.total / tally.denominator
        if tally.denominator >= 2:
            low, high = stats.mean_interval(tally.total, tally.squares, tally.denominator)
    elif visible:
        value = tally.numerator / tally.denominator
        low, high = stats.wilson_interval(tally.numerator, tally.denominator)
        if baseline is not None:
            position = stats.funnel_position(tally.numerator, tally.denominator, baseline)
    return Row(code, name, *shown, value, low, high, position, highlighted)


def baseline_shown(
    measure: Measure, total: Tally, shown: tuple[Shown, Shown], suppressed: bool
) -> float | None:
    """The average of the areas compared (the funnel's centre line), as the audience may see
    it: like any rate, only from counts it is shown, and on 10 or more for a suppressed one
    (3 of 6 would give a hidden 3 back)."""
    if measure.kind == Kind.MEAN or not _rate_shown(shown, total.denominator, suppressed):
        return None
    return total.numerator / total.denominator


@dataclass(frozen=True)
class Choice:
    """What the user asked to see."""

    period: Period
    focus: str = ""  # one area code, or "" for all the user's own areas
    england: bool = False  # compare with every area lachealth holds (commissioners)
    breakdown: Breakdown = EVERYONE


@dataclass
class Dashboard:
    audience: Audience
    choice: Choice
    focus_name: str
    results: list[Result]
    as_at: datetime | None = None  # when the snapshot counted was taken; None if live
    pending: bool = False  # the footprint's own figures wait for tonight's count


def snapshot_for(audience: Audience) -> MeasureSnapshot | None:
    """The snapshot an audience reads: the latest, for aggregates-only audiences; none (a live
    count) for staff, whose figures must agree with the children listed behind them."""
    return snapshot.latest_snapshot() if audience.suppressed else None


def area_names(codes: Sequence[str] | frozenset[str]) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=sorted(codes)).values_list("code", "name"))


def dashboard(
    audience: Audience,
    choice: Choice,
    measures: Sequence[Measure] = MEASURES,
    *,
    charts_wanted: bool = True,
    taken: MeasureSnapshot | None = None,
) -> Dashboard:
    """Every measure for the chosen period: per area, the focus, the funnel and the trend.
    An aggregate-only audience gets the published figures (from the snapshot `taken` when
    it holds them, otherwise counted by the same function); staff count their children."""
    if audience.suppressed:
        return _published_dashboard(audience, choice, measures, charts_wanted, taken)
    focus = frozenset({choice.focus}) if choice.focus else audience.areas
    # Staff's summary and trend are every child they can see (a health team's include
    # children placed into its areas by other LAs), or one area's.
    trend_areas = focus if choice.focus else None
    current = count(measures, choice.period, breakdown=choice.breakdown, rows_q=audience.rows_q)
    periods = [choice.period.previous(n) for n in range(TREND_YEARS - 1, 0, -1)]
    history = [
        count(measures, p, breakdown=choice.breakdown, areas=trend_areas, rows_q=audience.rows_q)
        for p in periods
    ]
    codes = {code for tallies in current.values() for code in tallies} | set(focus)
    names = area_names(sorted(codes))
    focus_name = (
        names.get(choice.focus, choice.focus) if choice.focus else "the children you can see"
    )
    results = []
    for m in measures:
        tallies = sorted(current[m.key].items(), key=lambda item: names.get(item[0], item[0]))
        total = sum((t for _, t in tallies), EMPTY)
        baseline = baseline_shown(m, total, _counts(total), False)
        rows = [
            _row(m, code, names.get(code, code), t, _counts(t), False, baseline, code in focus)
            for code, t in tallies
        ]
        total_row = _row(m, "", "Total", total, _counts(total), False)
        if choice.focus:
            own = current[m.key].get(choice.focus, EMPTY)
            focus_row = _row(m, "", focus_name, own, _counts(own), False, baseline)
        else:
            focus_row = dataclasses.replace(total_row, name=focus_name)
        result = Result(m, rows, total_row, focus_row, baseline)
        result.outliers = [
            describe_outlier(m, r) for r in rows if r.position not in (None, stats.Position.WITHIN)
        ]
        for p, counted in zip(periods, history, strict=True):
            t = sum(counted[m.key].values(), EMPTY)
            result.trend.append((p.label, _row(m, "", p.label, t, _counts(t), False)))
        result.trend.append((choice.period.label, focus_row))
        if charts_wanted:
            draw_charts(result, focus_name)
        results.append(result)
    return Dashboard(audience, choice, focus_name, results, None)


def _slice(breakdown: Breakdown) -> publish.Slice:
    """The published slice of a breakdown by one characteristic (or none)."""
    chosen = [(name, getattr(breakdown, name)) for name in DIMENSIONS if getattr(breakdown, name)]
    if len(chosen) > 1:
        raise ValueError("Aggregates are published by one characteristic at a time")
    return chosen[0] if chosen else publish.ALL


#: A figure of a footprint the latest count did not publish: not shown until the next.
NOT_YET = publish.Figure(None, None)


def _shown(fig: publish.Figure) -> tuple[Shown, Shown]:
    return tuple(  # type: ignore[return-value]
        Shown(None, stats.SUPPRESSED) if v is None else Shown(v, str(v))
        for v in (fig.numerator, fig.denominator)
    )


def _published_row(
    m: Measure,
    fig: publish.Figure,
    code: str,
    name: str,
    baseline: float | None = None,
    highlighted: bool = False,
) -> Row:
    return _row(m, code, name, fig.tally, _shown(fig), True, baseline, highlighted)


def _published_dashboard(
    audience: Audience,
    choice: Choice,
    measures: Sequence[Measure],
    charts_wanted: bool,
    taken: MeasureSnapshot | None,
) -> Dashboard:
    """The dashboard of an aggregate-only audience, made of published figures alone: each
    area's, the footprint's (or England's) as the total, the focus's, and the focus's in
    each year of the trend."""
    every = frozenset(Area.english.values_list("code", flat=True))
    footprint = publish.scope_key(audience.areas, every)
    total_scope = publish.ENGLAND if choice.england else footprint
    focus_scope = choice.focus or footprint
    row_areas = every if choice.england else audience.areas
    cut = _slice(choice.breakdown)
    if cut != publish.ALL:
        # Broken down, figures are published for footprints and England as wholes (ADR
        # 010): no area by area, unless the footprint is that one area.
        row_areas = row_areas & {footprint}
    periods = [choice.period.previous(n) for n in range(TREND_YEARS - 1, -1, -1)]
    scopes = {*row_areas, total_scope, focus_scope}
    # A footprint the night's count did not publish (a commissioner added today) waits for
    # tonight's: publishing it now would mean counting the whole family again (a minute for
    # England) and a second suppression of the same figures beside the first.
    pending: frozenset[str] = frozenset()
    if taken is not None:
        pending = frozenset(scopes - snapshot.scopes_held(taken, scopes, cut))
    if taken is not None and snapshot.covers(taken, choice.period, measures, scopes - pending, cut):
        figures = snapshot.figures(taken, periods, measures, cut, scopes)
        for held in figures.values():
            held.update({(m.key, s, *cut): NOT_YET for m in measures for s in pending})
    else:
        pending = frozenset()
        taken = None
        now = publish.published_scopes()
        if cut != publish.ALL and not scopes <= now.detailed:
            raise ValueError("Breakdowns are published for a footprint or England as a whole")
        figures = {
            (p.start, p.end): publish.count_published(p, now.members, detailed=now.detailed)
            for p in periods
        }
    names = area_names(sorted(row_areas | {focus_scope}))
    if choice.focus:
        focus_name = names.get(choice.focus, choice.focus)
    else:
        focus_name = "your footprint" if len(audience.areas) > 1 else "your area"
    nobody = publish.Figure(0, 0)
    current = figures[(choice.period.start, choice.period.end)]
    results = []
    for m in measures:
        row = functools.partial(_published_row, m)
        total_fig = current.get((m.key, total_scope, *cut), nobody)
        baseline = baseline_shown(m, total_fig.tally, _shown(total_fig), True)
        rows = []
        for code in sorted(row_areas, key=lambda c: names.get(c, c)):
            fig = current.get((m.key, code, *cut), nobody)
            if fig.denominator != 0:  # nobody counted there
                rows.append(
                    row(
                        fig,
                        code,
                        names.get(code, code),
                        baseline,
                        highlighted=code in audience.areas,
                    )
                )
        total_row = row(total_fig, "", "Total")
        focus_fig = current.get((m.key, focus_scope, *cut), nobody)
        focus_row = row(focus_fig, "", focus_name, baseline if choice.focus else None)
        result = Result(m, rows, total_row, focus_row, baseline)
        result.outliers = [
            describe_outlier(m, r) for r in rows if r.position not in (None, stats.Position.WITHIN)
        ]
        for p in periods[:-1]:
            fig = figures[(p.start, p.end)].get((m.key, focus_scope, *cut), nobody)
            result.trend.append((p.label, row(fig, "", p.label)))
        result.trend.append((choice.period.label, focus_row))
        if charts_wanted:
            draw_charts(result, focus_name)
        results.append(result)
    return Dashboard(
        audience,
        choice,
        focus_name,
        results,
        None if taken is None else taken.taken_at,
        pending=bool(pending),
    )


def draw_charts(result: Result, focus_name: str, fmt: str = "svg") -> None:
    """The result's trend and funnel plot, as SVG (pages) or PNG (the PDF)."""
    m = result.measure
    mean = result.is_mean
    y_label = "Mean score" if mean else "Per cent"
    values = tuple(
        (label, None if row.value is None else (row.value if mean else 100 * row.value))
        for label, row in result.trend
    )
    if any(v is not None for _, v in values):
        result.trend_svg = charts.trend_chart(
            values,
            alt=f"{m.name} for {focus_name}, year by year: the table below gives the figures",
            y_label=y_label,
            y_max=40 if mean else 100,
            fmt=fmt,
        )
    points = tuple(
        (r.name, int(r.denominator.value or 0), float(r.value), r.highlighted)
        for r in result.rows
        if r.value is not None and not mean
    )
    if points and result.baseline is not None:
        outliers = frozenset(
            r.name for r in result.rows if r.position not in (None, stats.Position.WITHIN)
        )
        result.funnel_svg = charts.funnel_plot(
            points,
            result.baseline,
            alt=(
                f"Funnel plot of {m.name.lower()} by area against the average of "
                f"{100 * result.baseline:.1f}%: the table below gives each area's figures"
            ),
            y_label="Per cent",
            outliers=outliers,
            fmt=fmt,
        )


def members(
    user,  # type: ignore[no-untyped-def]
    measure: Measure,
    period: Period,
    *,
    area: str,
    counted: bool,
    breakdown: Breakdown = EVERYONE,
) -> QuerySet[Child]:
    """The children behind one area's numerator (`counted`) or its gap, of those the access
    policy lets the user see."""
    cohort = measure.cohort
    rows = cohort_rows(cohort, period, breakdown).filter(**{cohort.area: area})
    if measure.eligible is not None:
        rows = rows.filter(measure.eligible(period))
    inside = rows.filter(measure.counted(period))
    # The gap as "not in the numerator", not as a negated condition: a fact that is missing
    # (no assessment at all) is NULL, and NOT (NULL = 'yes') would drop the child.
    rows = inside if counted else rows.exclude(pk__in=inside.values("pk"))
    child_pk = cohort.child_field("pk")
    return (
        Child.objects.visible_to(user)
        .filter(Exists(rows.filter(**{child_pk: OuterRef("pk")})))
        .select_related("responsible_area", "current_placement_area")
    )
