"""Charts drawn on the server with matplotlib's SVG backend, shown as images with alt text.

Every chart on a page has the same numbers in a table beside it; the image is there for
people who read pictures faster than tables. The SVG goes in an <img> (a data: URL), so the
page's strict Content-Security-Policy needs no inline-style exception; or, for a chart that
differs for each record (`line_chart_svg`, a child's SDQs), it is served at its own URL, which
the page's <img> loads lazily.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402
from matplotlib.dates import DateFormatter, date2num  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.hashsalt": "lachealth",  # the same data gives the same file
        "svg.fonttype": "none",  # text stays text: smaller files, readable by search
        "font.family": "sans-serif",
        "font.size": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
NHS_BLUE, NHS_DARK_GREY = "#005eb8", "#425563"
#: Resolution of the charts in PDFs.
PRINT_DPI = 150


def image(
    fig: plt.Figure, alt: str, css_class: str, *, tight: bool = True, fmt: str = "svg"
) -> Markup:
    """The figure as an <img>: SVG for pages, or PNG at print resolution for PDFs (WeasyPrint
    draws a page of SVG charts several times slower than it places pictures). `tight` trims
    the margins to what is drawn, at the cost of drawing twice; a chart whose labels are
    known sets its margins and passes False."""
    payload = figure_file(fig, tight=tight, fmt=fmt)
    mime = "image/png" if fmt == "png" else "image/svg+xml"
    data = base64.b64encode(payload).decode()
    return Markup(f'<img class="{css_class}" src="data:{mime};base64,{data}" alt="{escape(alt)}">')


def figure_file(fig: plt.Figure, *, tight: bool = True, fmt: str = "svg") -> bytes:
    """The figure as an SVG (or PNG at print resolution) file's bytes; the figure is closed."""
    box = "tight" if tight else None
    if fmt == "png":
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=PRINT_DPI, bbox_inches=box, metadata={"Software": None})
        payload = raw.getvalue()
    else:
        text = io.StringIO()
        fig.savefig(text, format="svg", bbox_inches=box, metadata={"Date": None})
        payload = text.getvalue().encode()
    plt.close(fig)
    return payload


def bar_chart(
    bars: Sequence[tuple[str, float, str]],
    *,
    alt: str,
    x_label: str = "Number of clocks",
    x_max: float | None = None,
    line: float | None = None,
) -> Markup:
    """Horizontal bars: (label, value, colour), with an optional vertical line (a threshold).
    The same bars are drawn once and remembered: drawing costs tens of milliseconds, and a
    team's counts change a few times a day."""
    return _bar_chart(tuple(bars), alt, x_label, x_max, line)


@lru_cache(maxsize=512)
def _bar_chart(
    bars: tuple[tuple[str, float, str], ...],
    alt: str,
    x_label: str,
    x_max: float | None,
    line: float | None,
) -> Markup:
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(bars)))
    labels = [b[0] for b in bars]
    values = [b[1] for b in bars]
    ax.barh(labels, values, color=[b[2] for b in bars])
    ax.invert_yaxis()
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:g}", va="center", color=NHS_DARK_GREY)
    ax.set_xlabel(x_label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if x_max is not None:
        ax.set_xlim(0, x_max)
    if line is not None:
        ax.axvline(line, color=NHS_DARK_GREY, linestyle="--", linewidth=1)
    return image(fig, alt, "app-chart app-chart--bar")


def line_chart_svg(
    points: Sequence[tuple[date, float]],
    *,
    y_label: str,
    y_max: float | None = None,
    bands: Sequence[tuple[float, float, str, str]] = (),
) -> bytes:
    """A line over time, with optional shaded bands (low, high, colour, label), as an SVG
    file. Drawing costs several times the rest of a child's page, so the page links to it
    (its <img> loads lazily, when the reader scrolls to it) and each worker remembers the
    lines it has drawn."""
    return _line_chart_svg(tuple(points), y_label, y_max, tuple(bands))


@lru_cache(maxsize=512)
def _line_chart_svg(
    points: tuple[tuple[date, float], ...],
    y_label: str,
    y_max: float | None,
    bands: tuple[tuple[float, float, str, str], ...],
) -> bytes:
    fig, ax = plt.subplots(figsize=(6.5, 3))
    for low, high, colour, label in bands:
        ax.axhspan(low, high, color=colour, alpha=0.15, label=label)
    ax.plot(date2num([p[0] for p in points]), [p[1] for p in points], marker="o", color=NHS_BLUE)
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    ax.set_ylabel(y_label)
    if y_max is not None:
        ax.set_ylim(0, y_max)
    if bands:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return figure_file(fig)
