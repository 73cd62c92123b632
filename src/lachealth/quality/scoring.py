"""How a QA tool's answers become scores (pure): on a scale of answers given best first, the
best is worth 100, the worst 0 and those between in equal steps (met 100, partly met 50, not
met 0 on the default scale); "not applicable" counts for nothing either way. A group's score is
the mean of its applicable answers, and a criterion is named when its score falls below the
area's threshold (as it is shown, rounded to a whole number).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NOT_APPLICABLE = "na"


def points(answer: str, scale: Sequence[Sequence[str]]) -> float | None:
    """What one answer is worth out of 100 (None for not applicable); ValueError if the
    answer is not on the scale."""
    if answer == NOT_APPLICABLE:
        return None
    applicable = [code for code, _ in scale if code != NOT_APPLICABLE]
    if answer not in applicable:
        raise ValueError(f"{answer!r} is not an answer on this scale")
    if len(applicable) == 1:
        return 100.0
    return 100.0 * (len(applicable) - 1 - applicable.index(answer)) / (len(applicable) - 1)


@dataclass(frozen=True)
class Score:
    """A group of answers: how many were applicable, how many got the best answer, and their
    mean worth (None when none was applicable)."""

    answered: int
    applicable: int
    best: int
    value: float | None

    @property
    def rounded(self) -> int | None:
        return None if self.value is None else round(self.value)

    def below(self, threshold: float) -> bool:
        """Below the threshold as the score is shown (rounded to a whole number)."""
        return self.rounded is not None and self.rounded < threshold


def summarise(answers: Iterable[str], scale: Sequence[Sequence[str]]) -> Score:
    given = list(answers)
    worths = [w for w in (points(a, scale) for a in given) if w is not None]
    best = next((code for code, _ in scale if code != NOT_APPLICABLE), None)
    return Score(
        answered=len(given),
        applicable=len(worths),
        best=sum(a == best for a in given),
        value=sum(worths) / len(worths) if worths else None,
    )
