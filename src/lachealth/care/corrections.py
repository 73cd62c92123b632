"""Corrections of the care record: the LA puts right the date of a care event typed wrongly
(a move, a change of legal status, entering or leaving care), or withdraws an episode entered
in error (a move recorded on the wrong child, a period of care entered twice), saying why.

The episode rules check the result (`episodes.plan_date_correction`, `plan_withdrawal`): the
episode before a move ends on the corrected day too, and the episodes either side of a
withdrawn one close the gap. Each change is versioned with its reason; a withdrawn episode is
kept, never deleted, but `Episode.objects` leaves it out. What derives from the episodes
follows at once: the clocks, worklists and measures read the episodes, the SSDA903 export
writes them, and the teams a corrected event was sent to are told (`events.dates_corrected`,
which `handovers` answers).
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
from lachealth.versioning import save_versioned, withdraw_versioned

from . import episodes as rules
from . import events
from .models import Episode
from .services import (
    _apply,
    _facts,
    _locked_child,
    _placement_differs,
    _placement_of,
    _require_recorder,
    _sync_child,
)


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


@transaction.atomic
def withdraw_episode(
    *,
    by: Any,
    episode: Episode,
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Episode:
    """Withdraw `episode`, entered in error, saying why: it is kept with the reason, never
    deleted, and the episodes either side close the gap as if it had never happened
    (`episodes.plan_withdrawal`). Refused, writing nothing, if they could not."""
    _require_recorder(by, episode.child.responsible_area_id)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this episode is withdrawn"})
    child, current = _locked_child(episode.child)
    as_of = as_of or timezone.localdate()
    index = next((i for i, e in enumerate(current) if e.pk == episode.pk), None)
    if index is None:  # episodes are never deleted: it was withdrawn meanwhile
        raise ValidationError({"reason": "This episode is already withdrawn"})
    target = current[index]
    before = current[index - 1] if index > 0 else None
    after = current[index + 1] if index + 1 < len(current) else None
    planned = _apply(
        rules.plan_withdrawal,
        episodes=_facts(current),
        decom=target.decom,
        placement_changed=None
        if before is None or after is None
        else _placement_differs(before, _placement_of(after)),
    )
    # A history imported from a return may begin part-way through a period of care.
    problems = rules.sequence_problems(planned, continues_earlier_period=current[0].rne != "S")
    if problems:
        raise ValidationError({"decom": f"The episodes would not hold together: {problems[0]}"})
    withdrawn = withdraw_versioned(target, by, reason)
    why = f"the episode from {target.decom:%-d %B %Y} was withdrawn: {withdrawn.withdrawn_reason}"
    kept = current[:index] + current[index + 1 :]
    for row, facts in zip(kept, planned, strict=True):
        rec = facts.rec or ""
        if (row.dec, row.rec, row.rne) == (facts.dec, rec, facts.rne):
            continue
        if row is before:
            row.reason_place_change = _reason_place_change(before, target, planned, index)
        row.dec, row.rec, row.rne = facts.dec, rec, facts.rne
        save_versioned(row, by, reason=why)
    _sync_child(child, by)
    events.withdrawn(child.pk, withdrawn.pk, by=by, reason=withdrawn.withdrawn_reason, as_of=as_of)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"withdrew the episode {target.pk}",
    )
    return withdrawn


def _reason_place_change(
    before: Episode, target: Episode, planned: list[rules.EpisodeFacts], index: int
) -> str:
    """Why the placement changed at the end of the episode before a withdrawn one, once it
    takes that one's end: the withdrawn episode's reason, or its own when only it said why,
    and none when the placement no longer changes there."""
    if target.rec != "X1" or index >= len(planned):
        return target.reason_place_change
    if planned[index].rne == "L":  # the episode after it changes the legal status only
        return ""
    return target.reason_place_change or before.reason_place_change


def explain_withdrawal(episode: Episode) -> str:
    """What withdrawing `episode` does to the child's episodes, for the page that asks."""
    if episode.rne != "S":
        if episode.rec == "X1" and episode.dec is not None:
            lasts = f"until {episode.dec:%-d %B %Y}, when the next episode began"
        elif episode.dec is not None:
            lasts = f"until care ended on {episode.dec:%-d %B %Y}"
        else:
            lasts = "and is the child's placement now"
        return (
            f"The episode before it continues in its place {lasts}, as if this change had "
            "never happened."
        )
    if episode.rec == "X1":
        return (
            "This episode began a period of care that later episodes continue: withdraw "
            "those first, or correct the date care started."
        )
    return "It is a period of care on its own: the period goes with it" + (
        ", and the child is no longer recorded as looked after." if episode.dec is None else "."
    )
