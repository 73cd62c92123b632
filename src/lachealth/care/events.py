"""What the care record tells the apps above it: these children's episodes changed.

`handovers` listens, to notify health of entries, moves and leaving care, without `care` (or
`interop`, which writes episodes in bulk) importing it: the dependency arrows stay one way,
as DESIGN.md asks. The signal is sent inside the writer's transaction, so what a listener
writes stands or falls with the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable
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
