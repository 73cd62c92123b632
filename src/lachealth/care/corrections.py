"""Corrections of the care record: the LA puts right the date of a care event typed wrongly
(a move, a change of legal status, entering or leaving care), saying why.

The episode rules check the corrected dates (`episodes.plan_date_correction`); the episode
before a move ends on the corrected day too. Each change is versioned with its reason, and
what derives from the episodes follows at once: the clocks, worklists and measures read the
episodes, the SSDA903 export writes them, and the teams a corrected event was sent to are
told (`events.dates_corrected`, which `handovers` answers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lachealth.people import audit
from lachealth.people.models import AccessAction
from lachealth.versioning import save_versioned

from . import episodes as rules
from . import events
from .models import Episode
from .services import _apply, _facts, _locked_child, _require_recorder


@transaction.atomic
def correct_event_dates(
    *,
    by: Any,
    episode: Episode,
    reason: str,
    new_start: date | None = None,
    new_end: date | None = None,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Episode:
    """Correct when `episode` began (`new_start`) or, if it ended care, when it ended
    (`new_end`). Refused, writing nothing, if the dates would break the episode rules."""
    _require_recorder(by, episode.child.responsible_area_id)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the date is corrected"})
    child, current = _locked_child(episode.child)
    as_of = as_of or timezone.localdate()
    target = next((e for e in current if e.pk == episode.pk), None)
    if target is None:
        raise ValidationError({"decom": "This episode has changed since the page was opened"})
    if new_start == target.decom:
        new_start = None
    if new_end == target.dec:
        new_end = None
    if new_start is None and new_end is None:
        raise ValidationError({"decom": "The date is the same as before: enter the right date"})
    planned = _apply(
        rules.plan_date_correction,
        episodes=_facts(current),
        decom=target.decom,
        new_start=new_start,
        new_end=new_end,
        date_of_birth=child.date_of_birth,
        as_of=as_of,
    )
    problems = rules.sequence_problems(planned)
    if problems:
        raise ValidationError({"decom": f"The dates would not hold together: {problems[0]}"})
    moved: list[events.DateCorrection] = []
    reason = reason.strip()
    # The corrected dates stay between their neighbours, so the order is as before.
    for row, after in zip(current, planned, strict=True):
        if (after.decom, after.dec) == (row.decom, row.dec):
            continue
        moved.append(events.DateCorrection(row.pk, row.decom, after.decom, row.dec, after.dec))
        row.decom, row.dec = after.decom, after.dec
        save_versioned(row, by, reason=reason)
    events.corrected(child.pk, moved, by=by, reason=reason, as_of=as_of)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"corrected the dates of the episode {episode.pk}",
    )
    target.refresh_from_db()
    return target
