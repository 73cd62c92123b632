"""The funnel plot and trend are SVG images with their alt text; the funnel names the user's
own areas and its outliers while they are few enough to read."""

from __future__ import annotations

import base64
import re

from lachealth.insight.charts import MAX_NAMED_OUTLIERS, OUTLIER_EDGE, funnel_plot, trend_chart


def _picture(markup: str, mime: str = "image/svg+xml") -> bytes:
    match = re.search(rf'src="data:{re.escape(mime)};base64,([^"]+)"', markup)
    assert match, markup[:200]
    return base64.b64decode(match.group(1))


def _svg(markup: str) -> str:
    return _picture(markup).decode()


def _points(count: int) -> tuple[tuple[str, int, float, bool], ...]:
    return tuple((f"Area {i:03d}", 50 + 10 * i, 0.5 + (i % 7) / 20, i == 0) for i in range(count))


def test_the_funnel_names_the_users_area_and_a_few_outliers():
    markup = funnel_plot(
        _points(20),
        0.7,
        alt="Funnel plot of dental checks",
        y_label="Per cent",
        outliers=frozenset({"Area 003", "Area 005"}),
    )
    assert 'alt="Funnel plot of dental checks"' in markup
    svg = _svg(markup)
    assert "Area 000" in svg and "Area 003" in svg and "Area 005" in svg
    assert "Area 004" not in svg
    assert "99.8% limits" in svg and "Average 70.0%" in svg


def test_many_outliers_are_marked_but_not_named():
    many = frozenset(f"Area {i:03d}" for i in range(1, MAX_NAMED_OUTLIERS + 2))
    svg = _svg(funnel_plot(_points(40), 0.7, alt="x", y_label="Per cent", outliers=many))
    assert "Area 000" in svg  # the user's own area still is
    assert not any(name in svg for name in many)
    assert OUTLIER_EDGE in svg  # ringed
    plain = _svg(funnel_plot(_points(40), 0.7, alt="x", y_label="Per cent", outliers=frozenset()))
    assert OUTLIER_EDGE not in plain


def test_the_largest_areas_names_stay_inside_the_chart():
    points = (("Small", 20, 0.7, True), ("Bath and North East Somerset", 900, 0.7, True))
    svg = _svg(funnel_plot(points, 0.7, alt="x", y_label="Per cent", outliers=frozenset()))
    small, large = (re.search(rf"<text[^>]*>{name}<", svg) for name in points_names(points))
    assert small and "text-anchor: end" not in small.group(0)
    assert large and "text-anchor: end" in large.group(0)  # drawn to the left of its point


def points_names(points: tuple[tuple[str, int, float, bool], ...]) -> list[str]:
    return [name for name, *_ in points]


def test_the_pdfs_charts_are_pictures():
    markup = funnel_plot(
        _points(5), 0.7, alt="Funnel", y_label="Per cent", outliers=frozenset(), fmt="png"
    )
    assert _picture(markup, "image/png").startswith(b"\x89PNG")
    assert 'alt="Funnel"' in markup


def test_the_trend_labels_every_year_even_one_not_shown():
    markup = trend_chart(
        (("2023-24", 80.0), ("2024-25", None), ("2025-26", 85.0)),
        alt="Dental check year by year",
        y_label="Per cent",
        y_max=100,
    )
    svg = _svg(markup)
    assert all(year in svg for year in ("2023-24", "2024-25", "2025-26"))
    assert 'alt="Dental check year by year"' in markup
