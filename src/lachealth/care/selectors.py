"""Reads the care pages need, all built on `Child.objects.visible_to(user)`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from lachealth.people import access
from lachealth.people.models import Area

from . import episodes as rules
from .models import (
    AsylumSeekingStatus,
    CareReview,
    Child,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
)


def child_list(user: Any, *, search: str = "", status: str = "", area: str = "") -> QuerySet[Child]:
    """The children a user may see, with their current episode's codes, in two queries a page."""
    current = Episode.objects.filter(child=OuterRef("pk"), dec__isnull=True)
    last_start = Episode.objects.filter(child=OuterRef("pk")).order_by("-decom")
    children = (
        Child.objects.visible_to(user)
        .select_related("responsible_area", "current_placement_area")
        .annotate(
            current_ls=Subquery(current.values("ls")[:1]),
            current_place=Subquery(current.values("place")[:1]),
            latest_decom=Subquery(last_start.values("decom")[:1]),
        )
    )
    search = search.strip()
    if search:
        compact = search.replace(" ", "")
        q = (
            Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(la_child_id__iexact=search)
        )
        if compact.isdigit():
            q |= Q(nhs_number=compact)
        children = children.filter(q)
    if status == "looked_after":
        children = children.filter(looked_after=True)
    elif status == "left":
        children = children.filter(looked_after=False)
    elif status == "out_of_area":
        children = children.filter(looked_after=True).exclude(
            current_placement_area=F("responsible_area")
        )
    if area:
        children = children.filter(Q(responsible_area=area) | Q(current_placement_area=area))
    return children


def areas_in_scope(user: Any) -> QuerySet[Area]:
    """The areas whose children the user works with (for filter lists)."""
    scope = access.scope_of(user)
    return Area.objects.filter(code__in=scope.la_areas | scope.health_areas).order_by("name")


def visible_child(user: Any, pk: int) -> Child:
    """One child through the access policy: 404 whether it does not exist or is not theirs."""
    return get_object_or_404(
        Child.objects.visible_to(user).select_related("responsible_area", "current_placement_area"),
        pk=pk,
    )


@dataclass(frozen=True)
class TimelinePeriod:
    start: date
    end: date | None
    reason_ended: str | None
    episodes: list[Episode]


@dataclass(frozen=True)
class CareEvents:
    """What the child's record holds beside the episodes: times missing or away, reviews and
    how the child took part, UASC status and deprivation of liberty orders."""

    missing: list[MissingEpisode]
    missing_last_year: int  # times missing or away that began in the 12 months to today
    reviews: list[CareReview]
    uasc: AsylumSeekingStatus | None
    deprivations: list[DeprivationOfLiberty]


def care_events(child: Child, today: date) -> CareEvents:
    """The child's care events, newest first (the caller has passed the access policy)."""
    missing = list(child.missing_episodes.order_by("-start"))
    last_day = calendar.monthrange(today.year - 1, today.month)[1]
    year_ago = date(today.year - 1, today.month, min(today.day, last_day))
    return CareEvents(
        missing=missing,
        missing_last_year=sum(1 for m in missing if year_ago < m.start <= today),
        reviews=list(child.care_reviews.order_by("-held_on")),
        uasc=AsylumSeekingStatus.objects.filter(child=child).first(),
        deprivations=list(child.deprivations_of_liberty.order_by("-start")),
    )


def timeline(child: Child) -> list[TimelinePeriod]:
    """The child's periods of care, newest first, each with its episodes in order."""
    episodes = list(child.episodes.select_related("placement_area").order_by("decom"))
    by_start = {e.decom: e for e in episodes}
    periods = rules.periods_of_care([e.facts() for e in episodes])
    return [
        TimelinePeriod(p.start, p.end, p.reason_ended, [by_start[f.decom] for f in p.episodes])
        for p in reversed(periods)
    ]


@dataclass(frozen=True)
class Change:
    when: Any
    who: str
    what: str


def change_history(child: Child, limit: int = 20) -> list[Change]:
    """Recent versions of the child, their episodes and the other parts of the care record
    (times missing, reviews, UASC status, orders): who changed what, and when."""
    verbs = {"+": "added", "~": "changed", "-": "removed"}
    rows: list[Change] = []
    for h in child.history.select_related("history_user").order_by("-history_date")[:limit]:
        who = str(h.history_user) if h.history_user else "system"
        rows.append(Change(h.history_date, who, f"Child's record {verbs[h.history_type]}"))
    described: list[tuple[Any, Any]] = [
        (Episode, lambda h: f"Episode from {h.decom:%-d %B %Y}"),
        (MissingEpisode, lambda h: f"Time missing or away from {h.start:%-d %B %Y}"),
        (CareReview, lambda h: f"Review of {h.held_on:%-d %B %Y}"),
        (AsylumSeekingStatus, lambda h: "UASC status"),
        (DeprivationOfLiberty, lambda h: f"Deprivation of liberty order from {h.start:%-d %B %Y}"),
    ]
    for model, what in described:
        versions = (
            model.history.filter(child_id=child.pk)
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        for h in versions:
            who = str(h.history_user) if h.history_user else "system"
            rows.append(Change(h.history_date, who, f"{what(h)} {verbs[h.history_type]}"))
    rows.sort(key=lambda c: c.when, reverse=True)
    return rows[:limit]
