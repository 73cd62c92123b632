"""The projections page's tables (and its downloads' and the board report's), as the
audience may see them.

A projection is a model's expectation, not a count of children, but its first months follow
the children looked after now closely, so an aggregate-only audience (a commissioner, the
published board report) is shown it as small numbers are shown everywhere else: expected
numbers from 0.5 to under 7.5 (all that would round to 5 or less) as "c", the others rounded
to the nearest 5 (as the ONS rounds modelled figures), and the history and the backtest's
actual counts the same way. Its placement costs are worked out from the numbers as shown (a
kind of placement shown as c has its cost shown as c, and the total is of the kinds shown)
and rounded to two significant figures, and the backtest's errors from the figures as shown.
Staff who see children see whole numbers (one decimal under 10) and costs to the pound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import projection
from .disclosure import SMALLEST_SHOWN
from .models import COST_CATEGORIES
from .projections import Outlook, quarters
from .stats import SUPPRESSED

CATEGORY_NAMES = dict(COST_CATEGORIES)
WORK_NAMES = {
    "iha": "Initial health assessments",
    "rha": "Review health assessments",
    "sdq": "SDQs",
    "dental": "Dental checks",
    "passport": "Health passports",
    "ooa_notice": "Out-of-area notices",
}
#: How a commissioner's figures are rounded (and below what they are shown as c).
ROUND_TO = 5
#: Below this (and from 0.5) an expected number is shown as c: all that would round to 5.
SHOWN_FROM = 7.5
SUPPRESSION_RULE = (
    "Projected numbers are a model's expectations, not counts of children, but the first "
    "months follow today's children closely: for commissioners and in the board report, "
    f"numbers that would round to {ROUND_TO} or less are shown as {SUPPRESSED} (so none under "
    f"{SMALLEST_SHOWN} is shown) and the rest rounded to the nearest {ROUND_TO}; costs are "
    "worked out from the numbers as shown and rounded to two significant figures."
)


def figure(value: float, suppressed: bool) -> float | int | str:
    """A number as the audience sees it (see the module's docstring)."""
    if not suppressed:
        return round(value, 1) if abs(value) < 10 else round(value)
    if value < 0.5:
        return 0
    if value < SHOWN_FROM:
        return SUPPRESSED
    return ROUND_TO * math.floor(value / ROUND_TO + 0.5)


def money(value: float, suppressed: bool) -> str:
    """Pounds: to the pound for staff, to two significant figures when suppressed."""
    if suppressed and value >= 100:
        digits = len(str(int(value))) - 2
        value = round(value, -digits)
    return f"£{value:,.0f}"


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    header: list[str]
    rows: list[list[Any]]


def _month(end: Any) -> str:
    return f"{end:%b %Y}"


def looked_after(found: Outlook, suppressed: bool, *, every: int = 1) -> Table:
    header = ["Month end", "Expected", "80% low", "80% high", "95% low", "95% high"]
    if found.scenario:
        header += ["Scenario: expected", "Scenario: 95% low", "Scenario: 95% high"]
    rows = []
    for i in _every(found.base, every):
        m = found.base[i]
        t = m.looked_after
        row: list[Any] = [m.month_end.isoformat()] + [
            figure(v, suppressed) for v in (t.expected, t.low80, t.high80, t.low95, t.high95)
        ]
        if found.scenario:
            s = found.scenario[i].looked_after
            row += [figure(v, suppressed) for v in (s.expected, s.low95, s.high95)]
        rows.append(row)
    return Table("looked_after", "Children looked after at each month end", header, rows)


def _every(months: Sequence[projection.Month], step: int) -> list[int]:
    """The indices of every `step`th month and the last."""
    picked = list(range(step - 1, len(months), step))
    if not picked or picked[-1] != len(months) - 1:
        picked.append(len(months) - 1)
    return picked


def placements(found: Outlook, suppressed: bool, *, every: int = 1) -> Table:
    keys = list(projection.CATEGORY_KEYS)
    header = ["Month end"] + [CATEGORY_NAMES[k] for k in keys] + ["In area", "Out of area"]
    rows = []
    for i in _every(found.base, every):
        m = found.base[i]
        rows.append(
            [m.month_end.isoformat()]
            + [figure(m.by_placement[k], suppressed) for k in keys]
            + [figure(m.by_location[k], suppressed) for k in ("in_area", "out_of_area")]
        )
    return Table("placements", "Expected children by placement and location", header, rows)


def _by_year(
    found: Outlook, part: str, labels: list[tuple[str, str]], suppressed: bool
) -> tuple[list[str], list[list[Any]]]:
    picked = _every(found.base, 12)
    header = [_month(found.base[i].month_end) for i in picked]
    rows: list[list[Any]] = [
        [label, *(figure(getattr(found.base[i], part)[key], suppressed) for i in picked)]
        for key, label in labels
    ]
    return header, rows


def ages(found: Outlook, suppressed: bool) -> Table:
    header, rows = _by_year(
        found, "by_age", [(str(a), str(a)) for a in range(projection.AGES)], suppressed
    )
    return Table("ages", "Expected children by age in years", ["Age", *header], rows)


def year_groups(found: Outlook, suppressed: bool) -> Table:
    labels = [(g, g) for g in projection.YEAR_GROUPS]
    header, rows = _by_year(found, "by_year_group", labels, suppressed)
    return Table(
        "year_groups", "Expected children by school year group", ["Year group", *header], rows
    )


def work(found: Outlook, suppressed: bool, *, monthly: bool = False) -> Table:
    """The expected health work by quarter, or month by month."""
    header = ["Month end" if monthly else "Quarter", *WORK_NAMES.values()]
    if found.scenario:
        header += [f"Scenario: {name.lower()}" for name in WORK_NAMES.values()]
    rows = []
    periods = (
        [(m.month_end.isoformat(), [i]) for i, m in enumerate(found.base)]
        if monthly
        else quarters(found.base)
    )
    for label, indices in periods:
        row: list[Any] = [label] + [
            figure(sum(found.base[i].workload[k] for i in indices), suppressed) for k in WORK_NAMES
        ]
        if found.scenario:
            row += [
                figure(sum(found.scenario[i].workload[k] for i in indices), suppressed)
                for k in WORK_NAMES
            ]
        rows.append(row)
    if monthly:
        return Table("work_monthly", "Expected health work by month", header, rows)
    return Table("work", "Expected health work by quarter", header, rows)


def costs(found: Outlook, suppressed: bool) -> Table | None:
    """Placement costs by quarter. Suppressed, each month's cost is the number as shown times
    the weekly cost, a kind of placement with a month shown as c is c for the quarter, and the
    total is of the kinds shown."""
    if found.costs is None or not found.costs.weekly:
        return None
    keys = list(found.costs.weekly)
    weekly = found.costs.weekly
    header = ["Quarter"] + [CATEGORY_NAMES[k] for k in keys]
    header.append("Total of the kinds shown" if suppressed else "Total")
    if found.costs.scenario and not suppressed:
        header.append("Scenario: total")
    rows = []
    for label, indices in quarters(found.base):
        by_key: dict[str, float | None] = {}
        for k in keys:
            if not suppressed:
                by_key[k] = sum(found.costs.base[i][k] for i in indices)
                continue
            shown = [figure(found.base[i].by_placement[k], True) for i in indices]
            by_key[k] = (
                None
                if any(isinstance(v, str) for v in shown)
                else sum(
                    float(v) * weekly[k] * found.base[i].month_end.day / 7
                    for v, i in zip(shown, indices, strict=True)
                )
            )
        row: list[Any] = [label] + [
            SUPPRESSED if v is None else money(v, suppressed) for v in by_key.values()
        ]
        row.append(money(sum(v for v in by_key.values() if v is not None), suppressed))
        if found.costs.scenario and not suppressed:
            row.append(money(sum(sum(found.costs.scenario[i].values()) for i in indices), False))
        rows.append(row)
    return Table("costs", "Expected placement costs by quarter", header, rows)


def backtest(found: Outlook, suppressed: bool) -> Table | None:
    if found.backtest is None:
        return None
    header = ["Month end", "Projected", "95% low", "95% high", "Looked after", "Difference"]
    rows = []
    for m, actual in found.backtest.pairs:
        t = m.looked_after
        shown = [figure(v, suppressed) for v in (t.expected, t.low95, t.high95, actual)]
        # Suppressed, the difference is that of the figures shown (it must not undo them).
        gap = (
            abs(shown[0] - shown[3])
            if suppressed and not isinstance(shown[0], str) and not isinstance(shown[3], str)
            else ""
            if suppressed
            else figure(abs(t.expected - actual), False)
        )
        rows.append([m.month_end.isoformat(), *shown, gap])
    return Table(
        "backtest",
        f"The projection made on {found.backtest.as_of:%-d %B %Y} against what happened",
        header,
        rows,
    )


@dataclass(frozen=True)
class Checked:
    """The backtest's errors as the audience may see them."""

    mean_error: str
    percentage: str
    held: int
    months: int


def backtest_errors(found: Outlook, suppressed: bool) -> Checked | None:
    """The backtest's mean absolute error and percentage error, and the month ends its 95%
    interval held what happened: suppressed, from the figures as shown (whole numbers)."""
    if found.backtest is None:
        return None
    checked = found.backtest
    if not suppressed:
        return Checked(
            f"{checked.mean_absolute_error:.1f}",
            f"{checked.mean_absolute_percentage_error:.1f}",
            checked.held,
            len(checked.months),
        )
    shown = [(figure(m.looked_after.expected, True), figure(a, True)) for m, a in checked.pairs]
    pairs = [(p, a) for p, a in shown if not isinstance(p, str) and not isinstance(a, str)]
    if not pairs:
        return None
    errors = [abs(p - a) for p, a in pairs]
    shares = [abs(p - a) / a for p, a in pairs if a]
    return Checked(
        f"{sum(errors) / len(errors):.0f}",
        f"{100 * sum(shares) / len(shares):.0f}" if shares else "0",
        checked.held,
        len(checked.months),
    )


def fan(months: Sequence[projection.Month], suppressed: bool) -> tuple[Any, ...]:
    """The fan chart's points as the audience may see them (a hidden month left out)."""
    shown = [
        (m.month_end, *(figure(v, suppressed) for v in m.looked_after.as_dict().values()))
        for m in months
    ]
    return tuple(p for p in shown if not any(isinstance(v, str) for v in p[1:]))


def history(found: Outlook, suppressed: bool) -> list[tuple[Any, float]]:
    """The history drawn on the chart, as the audience may see it (hidden points left out)."""
    shown = [(day, figure(n, suppressed)) for day, n in found.history]
    return [(day, float(v)) for day, v in shown if not isinstance(v, str)]


def every_table(found: Outlook, suppressed: bool) -> list[Table]:
    """Every table, month by month where the page shows quarters (for the downloads)."""
    tables = [
        looked_after(found, suppressed),
        placements(found, suppressed),
        ages(found, suppressed),
        year_groups(found, suppressed),
        work(found, suppressed),
        work(found, suppressed, monthly=True),
        costs(found, suppressed),
        backtest(found, suppressed),
    ]
    return [t for t in tables if t is not None]
