"""What the care record tells the apps above it: these children's episodes changed, the
dates of these episodes were corrected, and an episode was withdrawn as entered in error.

`handovers` listens, to notify health of entries, moves and leaving care, without `care` (or
`interop`, which writes episodes in bulk) importing it: the dependency arrows stay one way,
as DESIGN.md asks. The signal is sent inside the writer's transaction, so what a listener
writes stands or falls with the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.dispatch import Signal

#: Sent with `child_ids` (the children whose episodes changed), `by` (who changed them) and
#: `as_of` (the day the change was recorded).
episodes_changed = Signal()


def announce(child_ids: Iterable[int], *, by: Any, as_of: date) -> None:
    ids = sorted(set(child_ids))
    if ids:
        episodes_changed.send(sender=announce, child_ids=ids, by=by, as_of=as_of)


@dataclass(frozen=True)
class DateCorrection:
    """One episode's dates before and after a correction."""

    episode_id: int
    old_start: date
    new_start: date
    old_end: date | None
    new_end: date | None


#: Sent with `child_id`, `corrections` (a list of DateCorrection), `by`, `reason` and
#: `as_of`, when the LA corrects the dates of care events: the teams they were sent to are
#: told.
dates_corrected = Signal()


def corrected(
    child_id: int, corrections: list[DateCorrection], *, by: Any, reason: str, as_of: date
) -> None:
    if corrections:
        dates_corrected.send(
            sender=corrected,
            child_id=child_id,
            corrections=corrections,
            by=by,
            reason=reason,
            as_of=as_of,
        )


#: Sent with `child_id`, `episode_id`, `by`, `reason` and `as_of` when the LA withdraws an
#: episode entered in error: the notices about it are withdrawn, or their teams told.
episode_withdrawn = Signal()


def withdrawn(child_id: int, episode_id: int, *, by: Any, reason: str, as_of: date) -> None:
    episode_withdrawn.send(
        sender=withdrawn,
        child_id=child_id,
        episode_id=episode_id,
        by=by,
        reason=reason,
        as_of=as_of,
    )
