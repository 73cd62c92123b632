"""The QA results as charts: each criterion's score against the lowest threshold, and each
area's score over time. Each page shows the same numbers in a table beneath."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from lachealth.charts import NHS_BLUE, NHS_DARK_GREY, bar_chart, image, plt

from .results import Results

NHS_WARM_YELLOW = "#ffb81c"
#: Lines for the areas, in turn (NHS blue, dark pink, green, purple, dark grey).
LINE_COLOURS = ("#005eb8", "#7c2855", "#007f3b", "#330072", NHS_DARK_GREY)


def criteria_chart(found: Results) -> Markup:
    """Each criterion's score out of 100, with a dashed line at the lowest of the areas'
    thresholds; those below it in warm yellow."""
    line = found.threshold
    bars = [
        (
            _short(row.label.split(": ", 1)[-1]),
            row.score.rounded or 0,
            NHS_WARM_YELLOW if line is not None and row.score.below(line) else NHS_BLUE,
        )
        for row in found.criteria
        if row.score.value is not None
    ]
    alt = "Bar chart of each criterion's score out of 100: " + "; ".join(
        f"{label} {value}" for label, value, _ in bars
    )
    if line is not None:
        alt += f". The dashed line is the threshold, {line}."
    return bar_chart(bars, alt=alt, x_label="Score out of 100", x_max=100, line=line)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def trend_chart(found: Results) -> Markup:
    series = tuple(
        (area, tuple((period, score.value) for period, score in points if score.value is not None))
        for area, points in found.trend.items()
    )
    alt = "Line chart of each area's score out of 100 by period: " + "; ".join(
        f"{area}: " + ", ".join(f"{p:%b %Y} {v:.0f}" for p, v in points) for area, points in series
    )
    return _trend(series, alt)


@lru_cache(maxsize=128)
def _trend(series: tuple, alt: str) -> Markup:  # type: ignore[type-arg]
    fig, ax = plt.subplots(figsize=(6.5, 3))
    for (area, points), colour in zip(series, LINE_COLOURS * 10, strict=False):
        ax.plot(
            [p for p, _ in points], [v for _, v in points], marker="o", color=colour, label=area
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel("Score out of 100")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return image(fig, alt, "app-chart app-chart--line")
