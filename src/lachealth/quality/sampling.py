"""Which completed health assessments a designated professional quality-assures in a period
(pure): a random sample that sees every practitioner and every provider, drawn again the same
from the same seed.

The draw is stratified in three steps, each from the assessments not yet picked, in a fixed
order so that the seed alone decides it:
1. each practitioner: `minimum_per_practitioner` of theirs (all of them if they did fewer);
2. each provider (including other areas' teams that assessed our children) not yet seen
   `minimum_per_provider` times: enough more of its assessments;
3. everyone: more at random until the sample is `percentage` of all (rounded up).
Nothing here reads the database or the clock; `services` gives it the period's assessments
and records the seed and the sample it drew.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, order=True)
class Candidate:
    """A completed assessment that may be sampled: its id, who did it and for which team."""

    key: int
    practitioner: int
    provider: int


@dataclass(frozen=True)
class Rule:
    """An area's sampling setting."""

    percentage: Decimal
    minimum_per_practitioner: int
    minimum_per_provider: int = 1

    def __post_init__(self) -> None:
        if not Decimal(0) <= Decimal(self.percentage) <= Decimal(100):
            raise ValueError(f"a sample is 0 to 100 percent, not {self.percentage}")
        if self.minimum_per_practitioner < 0 or self.minimum_per_provider < 0:
            raise ValueError("minimums are 0 or more")


def target_size(total: int, percentage: Decimal) -> int:
    """`percentage` of `total` assessments, rounded up: 10% of 25 is 3."""
    return min(total, math.ceil(Decimal(total) * Decimal(percentage) / 100))


def draw(candidates: Iterable[Candidate], rule: Rule, seed: str) -> list[int]:
    """The keys of the sampled assessments, in ascending order (see the module's docstring).
    The same candidates (in any order), rule and seed always give the same sample."""
    pool = sorted(set(candidates))
    keys = [c.key for c in pool]
    if len(keys) != len(set(keys)):
        raise ValueError("each assessment is a candidate once")
    rng = random.Random(seed)
    picked: set[int] = set()

    def pick(group: Sequence[Candidate], wanted: int) -> None:
        left = [c for c in group if c.key not in picked]
        picked.update(c.key for c in rng.sample(left, max(0, min(wanted, len(left)))))

    by_practitioner: dict[int, list[Candidate]] = defaultdict(list)
    by_provider: dict[int, list[Candidate]] = defaultdict(list)
    for c in pool:
        by_practitioner[c.practitioner].append(c)
        by_provider[c.provider].append(c)
    for practitioner in sorted(by_practitioner):
        pick(by_practitioner[practitioner], rule.minimum_per_practitioner)
    for provider in sorted(by_provider):
        seen = sum(c.key in picked for c in by_provider[provider])
        pick(by_provider[provider], rule.minimum_per_provider - seen)
    pick(pool, target_size(len(pool), rule.percentage) - len(picked))
    return sorted(picked)
