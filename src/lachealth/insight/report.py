"""The board report: one area's measures for a year as a PDF a designated nurse takes to the
ICB board, with every area on lachealth as the comparison.

It is a published document, so small numbers are suppressed whoever asks for it. Its first
page states the period, the data cut-off and the suppression rule; then a short commentary
generated from the figures (which measures changed significantly since the year before, and
where the area sits in the funnel), the summary table, and each measure's funnel plot, trend
and tables. WeasyPrint draws the HTML; the charts are the page's own SVGs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from lachealth.quality import results as qa_results

from . import charts, projection, projection_tables, stats
from .disclosure import SMALLEST_SHOWN
from .measures import Kind, Polarity
from .models import MeasureSnapshot
from .periods import Period
from .projections import Choice as ProjectionChoice
from .projections import kept_outlook
from .selectors import (
    MIN_DENOMINATOR,
    POSITION_WORDS,
    SUPPRESSION_RULE,
    Audience,
    Choice,
    Dashboard,
    Result,
    dashboard,
    draw_charts,
    format_value,
    judgement,
)


@dataclass(frozen=True)
class Commentary:
    improved: list[str]
    worsened: list[str]
    outliers: list[str]
    steady: int


def commentary(board: Dashboard) -> Commentary:
    """What changed significantly (at 95%, two-proportion test) from the year before, in the
    measure's own direction, and where the area is outside the funnel's limits."""
    improved: list[str] = []
    worsened: list[str] = []
    outliers: list[str] = []
    steady = 0
    for result in board.results:
        m = result.measure
        if m.kind == Kind.MEAN or len(result.trend) < 2:
            continue
        (before_label, before), (_, now) = result.trend[-2], result.trend[-1]
        if now.position not in (None, stats.Position.WITHIN):
            outliers.append(
                f"{m.name}: {format_value(m, now.value)}, "
                f"{_judgement_words(result, now.position)} against every area on lachealth."
            )
        if before.value is None or now.value is None:
            continue  # a figure not shown (small numbers) is not commented on
        # A shown value means both its counts are shown.
        z = stats.change_z(
            int(before.numerator.value or 0),
            int(before.denominator.value or 0),
            int(now.numerator.value or 0),
            int(now.denominator.value or 0),
        )
        if abs(z) < stats.Z_95 or m.polarity == Polarity.NEUTRAL:
            steady += 1
            continue
        sentence = (
            f"{m.name}: {format_value(m, before.value)} in {before_label} to "
            f"{format_value(m, now.value)}."
        )
        better = (z > 0) == (m.polarity == Polarity.HIGH_IS_GOOD)
        (improved if better else worsened).append(sentence)
    return Commentary(improved, worsened, outliers, steady)


def _judgement_words(result: Result, position: stats.Position) -> str:
    where, _ = POSITION_WORDS[position]
    return f"{where} ({judgement(result.measure, position)})"


def report_html(
    area_code: str,
    area_name: str,
    period: Period,
    *,
    as_of: date,
    taken: MeasureSnapshot | None = None,
) -> str:
    """The report as HTML, before WeasyPrint lays it out: from the snapshot `taken` when it
    holds the period (its records as they stood then), else from the records as of `as_of`."""
    audience = Audience(True, frozenset({area_code}), None, False)
    board = dashboard(
        audience,
        Choice(period=period, focus=area_code, england=True),
        charts_wanted=False,
        taken=taken,
    )
    for result in board.results:
        draw_charts(result, board.focus_name, fmt="png")
    if board.as_at is not None:
        as_of = timezone.localtime(board.as_at).date()
    return render_to_string(
        "insight/report.jinja",
        {
            "board": board,
            "area_name": area_name,
            "period": period,
            "cut_off": min(as_of, period.end),
            "generated": as_of,
            "taken_at": None if board.as_at is None else timezone.localtime(board.as_at),
            "rule": SUPPRESSION_RULE,
            "notes": commentary(board),
            "format_value": format_value,
            "quality": qa_results.for_area(area_code, since=period.start, until=period.end),
            "min_denominator": MIN_DENOMINATOR,
            "smallest_shown": SMALLEST_SHOWN,
            "projected": projected(area_code, area_name, as_of),
        },
    )


#: The board report's projection: two years ahead, from the default reference years.
REPORT_MONTHS = 24


def projected(area_code: str, area_name: str, as_of: date) -> dict[str, object]:
    """The projections page of the report, suppressed (it is published): the fan chart, the
    children looked after at each quarter's end, the health work and the placement costs;
    or why the area cannot be projected. From the care record as it stands when the report
    is made (the measures may be the night's count)."""
    choice = ProjectionChoice(areas=(area_code,), as_of=as_of, months=REPORT_MONTHS)
    try:
        found = kept_outlook(choice, suppressed=True)
    except projection.ProjectionRefused as refused:
        return {"refused": refused.aggregate}
    t = projection_tables
    return {
        "found": found,
        "chart": charts.fan_chart(
            t.fan(found.base, True),
            alt=f"Children looked after in {area_name}, the last two years and projected two "
            "years ahead with 80% and 95% intervals",
            history=tuple(t.history(found, True)),
            fmt="png",
        ),
        "tables": [
            table
            for table in (
                t.looked_after(found, True, every=3),
                t.work(found, True),
                t.costs(found, True),
            )
            if table is not None
        ],
        "rule": t.SUPPRESSION_RULE,
        "checked": t.backtest_errors(found, True),
    }


def board_report(
    area_code: str,
    area_name: str,
    period: Period,
    *,
    as_of: date,
    taken: MeasureSnapshot | None = None,
) -> bytes:
    """The PDF for one area and period."""
    from weasyprint import HTML

    html = report_html(area_code, area_name, period, as_of=as_of, taken=taken)
    return HTML(string=html).write_pdf()
