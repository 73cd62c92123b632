"""Reads the care pages need, all built on `Child.objects.visible_to(user)`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import DateField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from lachealth.people import access
from lachealth.people.models import Area
from lachealth.versioning import WITHDRAWN, FieldChange, field_changes

from . import episodes as rules
from .codes import SHORT_BREAK_LS
from .models import (
    AsylumSeekingStatus,
    CareReview,
    Child,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
    TeamMember,
    TeamRole,
)
from .search import ChildSearch, parse

#: What the child list shows: by default the children looked after now and the care leavers.
STATUSES = {
    "current": "Looked after now and care leavers",
    "looked_after": "Looked after now",
    "care_leavers": "Care leavers (left at 16+)",
    "out_of_area": "Placed out of area",
    "left": "Left care",
    "all": "All",
}


#: Endings after which a young person is no care leaver: died, adopted.
NOT_LEAVING_CARE = ("E2", "E11", "E12")


def care_leavers(today: date) -> Q:
    """Young people who left care on or after their 16th birthday and are not yet 26: the
    care leavers the LA supports to 25 (relevant and former relevant children). An episode of
    care (not short breaks) must have ended on or after the 16th birthday, and not by death or
    adoption. Needs `child_list`'s annotation `sixteenth`, the 16th birthday."""
    day = min(today.day, calendar.monthrange(today.year - 26, today.month)[1])
    left_at_sixteen = Episode.objects.filter(child=OuterRef("pk"), dec__gte=OuterRef("sixteenth"))
    left_at_sixteen = left_at_sixteen.exclude(
        Q(ls__in=SHORT_BREAK_LS) | Q(rec__in=NOT_LEAVING_CARE)
    )
    return Q(looked_after=False, date_of_birth__gt=date(today.year - 26, today.month, day)) & Q(
        Exists(left_at_sixteen)
    )


class SixteenthBirthday(Func):
    """The 16th birthday of a date of birth, worked out by the database itself, so that no
    row calls back into Python (SQLite's date functions are C). Sixteen is a multiple of
    four, so a birthday on 29 February falls on 29 February (until the year 2100)."""

    output_field = DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+16 years')")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(%(expressions)s + INTERVAL '16 years' AS date)"
        )


def child_list(
    user: Any, *, search: str = "", status: str = "", area: str = "", today: date | None = None
) -> QuerySet[Child]:
    """The children a user may see, with their current episode's codes, in two queries a page.
    `status` is one of `STATUSES` (by default, those looked after now and care leavers)."""
    today = today or date.today()
    current = Episode.objects.filter(child=OuterRef("pk"), dec__isnull=True)
    last_start = Episode.objects.filter(child=OuterRef("pk")).order_by("-decom")
    children = (
        Child.objects.visible_to(user)
        .select_related("responsible_area", "current_placement_area")
        .annotate(
            current_ls=Subquery(current.values("ls")[:1]),
            current_place=Subquery(current.values("place")[:1]),
            latest_decom=Subquery(last_start.values("decom")[:1]),
            sixteenth=SixteenthBirthday("date_of_birth"),
        )
    )
    found = parse(search)
    if found:
        children = children.filter(matching(found))
    if status in ("", "current"):
        children = children.filter(Q(looked_after=True) | care_leavers(today))
    elif status == "care_leavers":
        children = children.filter(care_leavers(today))
    elif status == "looked_after":
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


def matching(found: ChildSearch) -> Q:
    """The children a search finds: the NHS number (or an LA child ID of those digits), each
    word in the first, last or former names or the LA child ID, and the date of birth."""
    q = Q()
    if found.nhs_number:
        q &= Q(nhs_number=found.nhs_number) | Q(la_child_id__iexact=found.nhs_number)
    for word in found.words:
        q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(former_names__icontains=word)
            | Q(la_child_id__iexact=word)
        )
    if found.date_of_birth is not None:
        q &= Q(date_of_birth=found.date_of_birth)
    return q


def child_ids_matching(text: str) -> QuerySet[Any]:
    """The ids of every child a search finds, whoever may see them: for the access log,
    whose readers see records' references, never the children."""
    found = parse(text)
    if not found:
        return Child.objects.none().values("pk")
    return Child.objects.filter(matching(found)).values("pk")


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
    #: why, as the person who made a correction said it (empty for ordinary recording)
    why: str = ""
    #: each field changed, before and after
    fields: tuple[FieldChange, ...] = ()


#: The parts of the care record whose versions the child's history lists, each named.
DESCRIBED: list[tuple[Any, Any]] = [
    (Episode, lambda h: f"Episode from {h.decom:%-d %B %Y}"),
    (MissingEpisode, lambda h: f"Time missing or away from {h.start:%-d %B %Y}"),
    (CareReview, lambda h: f"Review of {h.held_on:%-d %B %Y}"),
    (AsylumSeekingStatus, lambda h: "UASC status"),
    (DeprivationOfLiberty, lambda h: f"Deprivation of liberty order from {h.start:%-d %B %Y}"),
    (TeamMember, lambda h: f"{TeamRole(h.role).label} in the team"),
]


def change_history(child: Child, limit: int = 20) -> list[Change]:
    """Recent versions of the child, their episodes, their team and the other parts of the
    care record (times missing, reviews, UASC status, orders): who changed what and when, and
    for a change, each field before and after and why."""
    verbs = {"+": "added", "~": "changed", "-": "removed"}
    sources: list[tuple[Any, Any]] = [(child.history.all(), lambda h: "Child's record")]
    sources += [(model.history.filter(child_id=child.pk), what) for model, what in DESCRIBED]
    rows: list[Change] = []
    for versions, what in sources:
        for h, before in _latest_with_previous(versions.select_related("history_user"), limit):
            who = str(h.history_user) if h.history_user else "system"
            fields = field_changes(h, before)
            reason = h.history_change_reason or ""
            verb = "withdrawn" if reason.startswith(WITHDRAWN) else verbs[h.history_type]
            why = reason.removeprefix(WITHDRAWN)
            rows.append(Change(h.history_date, who, f"{what(h)} {verb}", why, tuple(fields)))
    rows.sort(key=lambda c: c.when, reverse=True)
    return rows[:limit]


@dataclass(frozen=True)
class LastChange:
    when: Any
    who: str


def last_change(child: Child) -> LastChange | None:
    """When the child's care record last changed and by whom: one query over the versions of
    every part of it (the whole history has its own page)."""
    parts = [child.history.all()] + [m.history.filter(child_id=child.pk) for m, _ in DESCRIBED]
    versions = [p.order_by().values("history_date", "history_user_id") for p in parts]
    newest = versions[0].union(*versions[1:], all=True).order_by("-history_date")[:1]
    found = next(iter(newest), None)
    if found is None:
        return None
    user = (
        get_user_model().objects.filter(pk=found["history_user_id"]).first()
        if found["history_user_id"]
        else None
    )
    return LastChange(found["history_date"], str(user) if user else "system")


def _latest_with_previous(versions: Any, limit: int) -> list[tuple[Any, Any]]:
    """The `limit` newest versions, each with the version of the same row just before it (or
    None), from one query: a child's rows have tens of versions, not thousands."""
    ordered = list(versions.order_by("history_date", "history_id"))
    if not ordered:
        return []
    pk_name = ordered[0].instance_type._meta.pk.attname
    last: dict[Any, Any] = {}
    paired = []
    for h in ordered:
        key = getattr(h, pk_name)
        paired.append((h, last.get(key)))
        last[key] = h
    return paired[::-1][:limit]
