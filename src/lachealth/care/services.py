"""Every write to a child's care record: one transaction, episode rules checked, history, audit.

The rules themselves live in `episodes.py` (pure); these functions load the child's episodes,
ask the rules for the episodes as they would be after the event, and persist the difference.
A rule broken raises `ValidationError` keyed by the form field at fault; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area
from lachealth.versioning import save_versioned

from . import episodes as rules
from . import events, team
from .codes import LEGACY_PLACE
from .models import Child, Episode, TeamRole


@dataclass(frozen=True)
class PlacementDetails:
    """Where and with whom a child is placed (the placement half of an episode)."""

    place: str
    place_provider: str
    placement_area: Area
    pl_post: str = ""
    urn: str = ""


def _facts(episodes: list[Episode]) -> list[rules.EpisodeFacts]:
    return [e.facts() for e in episodes]


def _apply(call: Any, **kwargs: Any) -> list[rules.EpisodeFacts]:
    try:
        return call(**kwargs)
    except rules.EpisodeRuleError as exc:
        raise ValidationError({exc.field: exc.message}) from exc


def _check_placement(placement: PlacementDetails) -> None:
    if placement.place in LEGACY_PLACE:
        raise ValidationError(
            {
                "place": f"Placement type {placement.place} is no longer used in "
                "the SSDA903 return: choose a current one"
            }
        )


def _placement_of(episode: Episode) -> PlacementDetails:
    """The placement half of an episode."""
    return PlacementDetails(
        place=episode.place,
        place_provider=episode.place_provider,
        placement_area=episode.placement_area,
        pl_post=episode.pl_post,
        urn=episode.urn,
    )


def _placement_differs(episode: Episode, placement: PlacementDetails) -> bool:
    """Whether anything SSDA903 counts as the placement (type, provider, place, URN) changes."""
    return (
        episode.place != placement.place
        or episode.place_provider != placement.place_provider
        or episode.pl_post != placement.pl_post
        or episode.urn != placement.urn
        or episode.placement_area_id != placement.placement_area.pk
    )


def _require_recorder(by: Any, child_area: str) -> None:
    if not access.can_record_care(by, child_area):
        raise PermissionDenied("Only staff of the child's local authority can record care events")


def _sync_child(child: Child, by: Any) -> None:
    """Mirror the open episode onto the child (the access policy filters on these fields)."""
    current = child.episodes.filter(dec__isnull=True).first()
    child.looked_after = current is not None
    child.current_placement_area_id = current.placement_area_id if current else None
    child._history_user = by  # type: ignore[attr-defined]
    child.save(update_fields=["looked_after", "current_placement_area", "updated_at"])


def _new_episode(
    child: Child,
    facts: rules.EpisodeFacts,
    *,
    cin: str,
    placement: PlacementDetails,
    by: Any,
    home_post: str = "",
    reason_place_change: str = "",
) -> Episode:
    episode = Episode(
        child=child,
        decom=facts.decom,
        rne=facts.rne,
        ls=facts.ls,
        cin=cin,
        place=placement.place,
        place_provider=placement.place_provider,
        pl_post=placement.pl_post,
        urn=placement.urn,
        placement_area=placement.placement_area,
        home_post=home_post,
        reason_place_change=reason_place_change,
    )
    save_versioned(episode, by)
    return episode


@transaction.atomic
def record_entry_to_care(
    *,
    by: Any,
    responsible_area: Area,
    child_details: dict[str, Any],
    decom: date,
    ls: str,
    cin: str,
    placement: PlacementDetails,
    home_post: str = "",
    gp_practice: tuple[str, str] = ("", ""),
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Child:
    """A new child starts to be looked after: their record and first episode (RNE = S), and
    their GP practice (name and ODS code) in their team when the LA knows it."""
    _require_recorder(by, responsible_area.code)
    as_of = as_of or timezone.localdate()
    dob = child_details["date_of_birth"]
    if dob > as_of:
        raise ValidationError({"date_of_birth": "The date of birth must be today or in the past"})
    la_child_id = child_details["la_child_id"]
    existing = Child.objects.filter(responsible_area=responsible_area, la_child_id=la_child_id)
    if existing.exists():
        raise ValidationError(
            {
                "la_child_id": f"A child with LA child ID {la_child_id} is already "
                f"recorded for {responsible_area.name}"
            }
        )
    nhs = child_details.get("nhs_number") or ""
    if nhs and Child.objects.filter(nhs_number=nhs).exists():
        raise ValidationError(
            {
                "nhs_number": "A child with this NHS number is already recorded; "
                "search for them instead of adding them again"
            }
        )
    _check_placement(placement)
    planned = _apply(
        rules.plan_entry,
        episodes=[],
        date_of_birth=dob,
        start=decom,
        ls=ls,
        place=placement.place,
        as_of=as_of,
    )
    child = Child(responsible_area=responsible_area, **child_details)
    try:
        save_versioned(child, by)
    except IntegrityError as exc:  # a concurrent save of the same child
        raise ValidationError({"la_child_id": "This child was recorded a moment ago"}) from exc
    _new_episode(child, planned[-1], cin=cin, placement=placement, by=by, home_post=home_post)
    _sync_child(child, by)
    if any(gp_practice):
        _add_gp(child, gp_practice, start=decom, by=by, as_of=as_of)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request, AccessAction.CREATE, user=by, child=child, detail="recorded entry to care"
    )
    return child


def _add_gp(
    child: Child, gp_practice: tuple[str, str], *, start: date, by: Any, as_of: date
) -> None:
    """The GP practice typed on entry to care, as the first GP of the child's team; its
    errors are put on the entry form's own GP fields."""
    name, code = gp_practice
    try:
        team.add_team_member(
            by=by,
            child=child,
            role=TeamRole.GP,
            details=team.MemberDetails(start=start, organisation=name, code=code),
            as_of=as_of,
        )
    except ValidationError as exc:
        # The practice's name is the team member's organisation (its `name` is a named GP).
        fields = {"code": "gp_practice_code", "organisation": "gp_practice_name"}
        raise ValidationError(
            {fields.get(f, f): errors for f, errors in exc.message_dict.items()}
        ) from exc


def _locked_child(child: Child) -> tuple[Child, list[Episode]]:
    locked = Child.objects.select_for_update().get(pk=child.pk)
    return locked, list(locked.episodes.order_by("decom"))


@transaction.atomic
def record_new_period_of_care(
    *,
    by: Any,
    child: Child,
    decom: date,
    ls: str,
    cin: str,
    placement: PlacementDetails,
    home_post: str = "",
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Episode:
    """A child who had left care starts to be looked after again (a new RNE = S episode)."""
    _require_recorder(by, child.responsible_area_id)
    child, current = _locked_child(child)
    _check_placement(placement)
    as_of = as_of or timezone.localdate()
    planned = _apply(
        rules.plan_entry,
        episodes=_facts(current),
        date_of_birth=child.date_of_birth,
        start=decom,
        ls=ls,
        place=placement.place,
        as_of=as_of,
    )
    episode = _new_episode(
        child, planned[-1], cin=cin, placement=placement, by=by, home_post=home_post
    )
    _sync_child(child, by)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=child, detail="recorded a new period of care"
    )
    return episode


@transaction.atomic
def record_change(
    *,
    by: Any,
    child: Child,
    on: date,
    ls: str,
    placement: PlacementDetails | None,
    same_carer: bool = False,
    reason_place_change: str = "",
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Episode:
    """A change of placement and/or legal status. `placement=None` keeps the current one."""
    _require_recorder(by, child.responsible_area_id)
    child, current = _locked_child(child)
    open_episode = current[-1] if current and current[-1].dec is None else None
    if placement is not None:
        _check_placement(placement)
        if open_episode is not None and not _placement_differs(open_episode, placement):
            raise ValidationError(
                {
                    "place": "These placement details are the same as now: "
                    "change them, or record a change of legal status only"
                }
            )
        if not reason_place_change:
            raise ValidationError({"reason_place_change": "Choose why the placement changed"})
    as_of = as_of or timezone.localdate()
    planned = _apply(
        rules.plan_change,
        episodes=_facts(current),
        on=on,
        ls=ls,
        place=placement.place if placement else (open_episode.place if open_episode else ""),
        placement_changed=placement is not None,
        same_carer=same_carer,
        as_of=as_of,
    )
    assert open_episode is not None  # plan_change refuses a child who is not looked after
    open_episode.dec, open_episode.rec = on, "X1"
    if placement is not None:
        open_episode.reason_place_change = reason_place_change
    save_versioned(open_episode, by)
    kept = placement or _placement_of(open_episode)
    episode = _new_episode(
        child,
        planned[-1],
        cin=open_episode.cin,
        placement=kept,
        by=by,
        home_post=open_episode.home_post,
    )
    _sync_child(child, by)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"recorded a change (RNE {episode.rne}) from {on.isoformat()}",
    )
    return episode


@transaction.atomic
def record_leaving_care(
    *,
    by: Any,
    child: Child,
    on: date,
    rec: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Episode:
    """The child ceases to be looked after: the open episode ends with reason `rec`."""
    _require_recorder(by, child.responsible_area_id)
    child, current = _locked_child(child)
    as_of = as_of or timezone.localdate()
    _apply(
        rules.plan_leaving,
        episodes=_facts(current),
        on=on,
        rec=rec,
        as_of=as_of,
    )
    episode = current[-1]
    episode.dec, episode.rec = on, rec
    save_versioned(episode, by)
    _sync_child(child, by)
    events.announce([child.pk], by=by, as_of=as_of)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"recorded leaving care ({rec}) on {on.isoformat()}",
    )
    return episode


@transaction.atomic
def update_child_details(
    *,
    by: Any,
    child: Child,
    details: dict[str, Any],
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Child:
    """Correct a child's personal details (not their episodes).

    Only the detail fields are written, on a fresh locked copy, so that an edit started before
    a move cannot put back the old placement area.
    """
    _require_recorder(by, child.responsible_area_id)
    child, _ = _locked_child(child)
    as_of = as_of or timezone.localdate()
    if details["date_of_birth"] > as_of:
        raise ValidationError({"date_of_birth": "The date of birth must be today or in the past"})
    first = child.episodes.order_by("decom").first()
    if first and details["date_of_birth"] > first.decom:
        raise ValidationError(
            {
                "date_of_birth": f"The date of birth must be on or before "
                f"{first.decom:%-d %B %Y}, when care started"
            }
        )
    nhs = details.get("nhs_number") or ""
    if nhs and Child.objects.filter(nhs_number=nhs).exclude(pk=child.pk).exists():
        raise ValidationError({"nhs_number": "Another child already has this NHS number"})
    la_child_id = details["la_child_id"]
    if (
        Child.objects.filter(responsible_area_id=child.responsible_area_id, la_child_id=la_child_id)
        .exclude(pk=child.pk)
        .exists()
    ):
        raise ValidationError(
            {"la_child_id": f"Another child already has LA child ID {la_child_id}"}
        )
    for name, value in details.items():
        setattr(child, name, value)
    save_versioned(child, by, update_fields=[*details, "updated_at"])
    audit.record(request, AccessAction.CHANGE, user=by, child=child, detail="changed details")
    return child
