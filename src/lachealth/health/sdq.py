"""Scoring the Strengths and Difficulties Questionnaire (SDQ), as the published algorithm does.

Only the scoring lives here; the questionnaire's wording is copyright and is never shipped.
Items are numbered 1–25 in questionnaire order and scored 0, 1 or 2 as answered
("not true", "somewhat true", "certainly true"); items 7, 11, 14, 21 and 25 are reverse-scored.
A subscale with 3 or 4 of its 5 items answered is prorated (mean × 5, rounded half up); with
fewer it is missing. Total difficulties is the sum of the four difficulty subscales (0–40).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

REVERSE_SCORED = frozenset({7, 11, 14, 21, 25})
SUBSCALES: dict[str, tuple[int, ...]] = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
    "prosocial": (1, 4, 9, 17, 20),
}
DIFFICULTIES = ("emotional", "conduct", "hyperactivity", "peer")


class SdqBand(StrEnum):
    """Carer-report bands for total difficulties (the three-way split DfE reports)."""

    NORMAL = "normal"
    BORDERLINE = "borderline"
    HIGH = "high"


#: Each band's name and its range of total difficulties: the one set of names every page,
#: chart and report uses.
BANDS: dict[SdqBand, tuple[str, int, int]] = {
    SdqBand.NORMAL: ("Close to average", 0, 13),
    SdqBand.BORDERLINE: ("Slightly raised", 14, 16),
    SdqBand.HIGH: ("High: cause for concern", 17, 40),
}
BAND_LABELS = {band: f"{name} ({low}–{high})" for band, (name, low, high) in BANDS.items()}


def band_for_total(total: int) -> SdqBand:
    if not 0 <= total <= 40:
        raise ValueError(f"an SDQ total difficulties score is 0–40, not {total}")
    return next(band for band, (_, low, high) in BANDS.items() if low <= total <= high)


@dataclass(frozen=True)
class SdqScore:
    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    total_difficulties: int | None
    impact: int | None = None

    @property
    def band(self) -> SdqBand | None:
        return None if self.total_difficulties is None else band_for_total(self.total_difficulties)


def _check(items: Sequence[int | None], count: int, allowed: range, what: str) -> None:
    if len(items) != count:
        raise ValueError(f"an SDQ has {count} {what}, not {len(items)}")
    for number, value in enumerate(items, start=1):
        if value is not None and (isinstance(value, bool) or value not in allowed):
            raise ValueError(
                f"{what[:-1]} {number}: {value!r} is not a score from "
                f"{allowed.start} to {allowed.stop - 1}"
            )


def _subscale(items: Sequence[int | None], numbers: tuple[int, ...]) -> int | None:
    scores = []
    for number in numbers:
        raw = items[number - 1]
        if raw is not None:
            scores.append(2 - raw if number in REVERSE_SCORED else raw)
    if len(scores) < 3:
        return None
    if len(scores) == 5:
        return sum(scores)
    return math.floor(sum(scores) / len(scores) * 5 + 0.5)


def score_sdq(items: Sequence[int | None], impact: Sequence[int | None] | None = None) -> SdqScore:
    """Score 25 answered items (0–2 or None) and, if given, the 5 impact items.

    Impact items are answered 0 "not at all", 1 "only a little", 2 "quite a lot",
    3 "a great deal"; the first two score 0, then 1 and 2, summed to 0–10.
    """
    _check(items, 25, range(0, 3), "items")
    scales = {name: _subscale(items, numbers) for name, numbers in SUBSCALES.items()}
    parts = [scales[name] for name in DIFFICULTIES]
    total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
    impact_score = None
    if impact is not None:
        _check(impact, 5, range(0, 4), "impact items")
        answered = [max(v - 1, 0) for v in impact if v is not None]
        impact_score = sum(answered) if answered else None
    return SdqScore(total_difficulties=total, impact=impact_score, **scales)
