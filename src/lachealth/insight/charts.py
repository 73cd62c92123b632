"""The insight charts: funnel plots of areas against the baseline, and a measure's trend.

Drawn by matplotlib (through `lachealth.charts`): SVG on the page, PNG in the board report's
PDF; each with the same numbers in a table beside it. The same figures draw the same chart,
so each is remembered.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
from markupsafe import Markup
from matplotlib.dates import DateFormatter

from lachealth.charts import NHS_BLUE, NHS_DARK_GREY, image, plt

from .stats import Z_95, Z_998, funnel_limits

NHS_MID_GREY = "#768692"
#: The projection's intervals: NHS light blue (80%) and a paler tint of it (95%).
NHS_LIGHT_BLUE, NHS_PALE_BLUE = "#41b6e6", "#c6e7f6"
#: A scenario's line: NHS warm yellow is too pale on white, so NHS dark pink.
SCENARIO_COLOUR = "#7c2855"
#: The ring round an outlier's point (NHS black, used for nothing else on the chart).
OUTLIER_EDGE = "#212b32"

#: More outliers than this are marked on the funnel plot but not named on it.
MAX_NAMED_OUTLIERS = 10
#: (area name, denominator, rate, highlighted)
FunnelPoint = tuple[str, int, float, bool]


def funnel_plot(
    points: tuple[FunnelPoint, ...],
    p0: float,
    *,
    alt: str,
    y_label: str,
    outliers: frozenset[str],
    fmt: str = "svg",
) -> Markup:
    """Each area's rate against its denominator, with the baseline and the 95% and 99.8%
    limits; highlighted areas in blue and named, outliers ringed (and named, when few)."""
    return _funnel(points, p0, alt, y_label, outliers, fmt)


@lru_cache(maxsize=256)
def _funnel(
    points: tuple[FunnelPoint, ...],
    p0: float,
    alt: str,
    y_label: str,
    outliers: frozenset[str],
    fmt: str,
) -> Markup:
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    # Margins set, not trimmed: England's funnels are drawn a dozen to a page (see `image`).
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.15, top=0.94)
    largest = max(n for _, n, _, _ in points)
    xs = sorted({max(1, round(largest * 1.1 * i / 120)) for i in range(1, 121)} | {1, 2, 3, 5})
    for z, style, label in ((Z_95, "--", "95% limits"), (Z_998, ":", "99.8% limits")):
        limits = [funnel_limits(p0, n, z) for n in xs]
        ax.plot(xs, [100 * lo for lo, _ in limits], style, color=NHS_DARK_GREY, label=label)
        ax.plot(xs, [100 * hi for _, hi in limits], style, color=NHS_DARK_GREY)
    ax.axhline(100 * p0, color=NHS_DARK_GREY, linewidth=1, label=f"Average {100 * p0:.1f}%")
    # One call per kind of point: a call per area costs a tenth of a second for England.
    for highlighted, outlier in ((False, False), (False, True), (True, False), (True, True)):
        group = [
            (n, 100 * rate)
            for name, n, rate, h in points
            if h == highlighted and (name in outliers) == outlier
        ]
        if group:
            ax.plot(
                [n for n, _ in group],
                [rate for _, rate in group],
                "o",
                markersize=8 if highlighted else 5,
                color=NHS_BLUE if highlighted else NHS_MID_GREY,
                markeredgecolor=OUTLIER_EDGE if outlier else "none",
                zorder=3,
            )
    # Outliers are named on the chart while the names stay legible; the page lists them all.
    named = outliers if len(outliers) <= MAX_NAMED_OUTLIERS else frozenset()
    for name, n, rate, highlighted in points:
        if highlighted or name in named:
            # Names of the largest areas go to the left of their point, inside the chart.
            left = n > 0.6 * largest
            ax.annotate(
                name,
                (n, 100 * rate),
                xytext=(-5 if left else 5, 4),
                textcoords="offset points",
                ha="right" if left else "left",
                fontsize=8,
            )
    ax.set_xlabel("Number counted (denominator)")
    ax.set_ylabel(y_label)
    ax.set_ylim(0, 100)
    ax.set_xlim(0, largest * 1.1)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return image(fig, alt, "app-chart app-chart--funnel", tight=False, fmt=fmt)


def trend_chart(
    points: tuple[tuple[str, float | None], ...],
    *,
    alt: str,
    y_label: str,
    y_max: float,
    fmt: str = "svg",
) -> Markup:
    """The measure year by year (None where it is not shown), oldest first."""
    return _trend(points, alt, y_label, y_max, fmt)


@lru_cache(maxsize=256)
def _trend(
    points: tuple[tuple[str, float | None], ...], alt: str, y_label: str, y_max: float, fmt: str
) -> Markup:
    fig, ax = plt.subplots(figsize=(4.2, 2.2))
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.14, top=0.95)
    labels = [label for label, _ in points]
    values = [float("nan") if v is None else v for _, v in points]
    ax.plot(labels, values, marker="o", color=NHS_BLUE)
    ax.set_ylim(0, y_max)
    ax.set_ylabel(y_label, fontsize=9)
    ax.tick_params(labelsize=8)
    return image(fig, alt, "app-chart app-chart--trend", tight=False, fmt=fmt)


#: (month end, expected, low80, high80, low95, high95)
FanPoint = tuple[date, float, float, float, float, float]


def fan_chart(
    fan: tuple[FanPoint, ...],
    *,
    alt: str,
    history: tuple[tuple[date, float], ...] = (),
    scenario: tuple[tuple[date, float], ...] = (),
    actual_label: str = "Looked after",
    fmt: str = "svg",
) -> Markup:
    """The projection's expected number with its 80% and 95% intervals shaded, the history
    (or what happened) as a line, and a scenario's expected number dashed."""
    return _fan(fan, alt, history, scenario, actual_label, fmt)


@lru_cache(maxsize=64)
def _fan(
    fan: tuple[FanPoint, ...],
    alt: str,
    history: tuple[tuple[date, float], ...],
    scenario: tuple[tuple[date, float], ...],
    actual_label: str,
    fmt: str,
) -> Markup:
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.95)
    days = np.array([p[0] for p in fan], dtype="datetime64[D]")
    ax.fill_between(days, [p[4] for p in fan], [p[5] for p in fan], color=NHS_PALE_BLUE, lw=0)
    ax.fill_between(days, [p[2] for p in fan], [p[3] for p in fan], color=NHS_LIGHT_BLUE, lw=0)
    ax.plot(days, [p[1] for p in fan], color=NHS_BLUE, linewidth=2, label="Projected (expected)")
    ax.plot([], [], color=NHS_LIGHT_BLUE, linewidth=8, label="80% interval")
    ax.plot([], [], color=NHS_PALE_BLUE, linewidth=8, label="95% interval")
    if history:
        ax.plot(
            np.array([d for d, _ in history], dtype="datetime64[D]"),
            [v for _, v in history],
            color=NHS_DARK_GREY,
            marker="." if len(history) < 30 else None,
            linewidth=1.5,
            label=actual_label,
        )
    if scenario:
        ax.plot(
            np.array([d for d, _ in scenario], dtype="datetime64[D]"),
            [v for _, v in scenario],
            "--",
            color=SCENARIO_COLOUR,
            linewidth=2,
            label="Scenario (expected)",
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel("Children looked after", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=2)
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    fig.autofmt_xdate()
    return image(fig, alt, "app-chart app-chart--fan", tight=False, fmt=fmt)
