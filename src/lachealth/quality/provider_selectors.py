"""Every read the provider pages need, through the access policy: providers (national and
public), the visits and concerns of the registers of the user's areas (and the concerns told
to their organisations), the chances to visit together, and the children placed with a
provider, which only `Child.objects.visible_to` gives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from lachealth.care.models import Child, Episode
from lachealth.people import access

from .area_settings import settings_for_areas
from .joint_funding import current_funding
from .models import (
    Concern,
    ConcernStatus,
    JointFunding,
    Provider,
    Severity,
    Visit,
    VisitStatus,
)
from .providers import (
    is_joint_visit_chance,
    register_areas,
    staff_organisations,
)

#: A concern that flags the provider to the health teams of the children placed there.
OPEN_SERIOUS = Q(status=ConcernStatus.OPEN, severity=Severity.SERIOUS)


def _serious_count() -> Count:
    """How many open serious concerns a provider has, as an annotation."""
    return Count(
        "concerns",
        filter=Q(concerns__status=ConcernStatus.OPEN, concerns__severity=Severity.SERIOUS),
    )


def providers_found(search: str = "") -> QuerySet[Provider]:
    """Providers by name or Ofsted URN, with how many open serious concerns each has."""
    found = Provider.objects.select_related("area").annotate(serious=_serious_count())
    search = search.strip()
    if search:
        found = found.filter(Q(name__icontains=search) | Q(urn__iexact=search.replace(" ", "")))
    return found.order_by("name", "pk")


def reachable_visits(user: Any) -> QuerySet[Visit]:
    """Visits on the timetables of the user's areas, and their own organisations' visits."""
    return Visit.objects.filter(
        Q(area_id__in=sorted(register_areas(user)))
        | Q(organisation_id__in=sorted(staff_organisations(user)))
    ).select_related("provider", "organisation", "area")


def reachable_concerns(user: Any) -> QuerySet[Concern]:
    """Concerns on the registers of the user's areas, and those their organisations raised or
    were told of."""
    mine = sorted(staff_organisations(user))
    told = Concern.told.through.objects.filter(organisation_id__in=mine).values("concern_id")
    return Concern.objects.filter(
        Q(area_id__in=sorted(register_areas(user))) | Q(raised_by_id__in=mine) | Q(pk__in=told)
    ).select_related("provider", "raised_by", "area")


def visit_for(user: Any, pk: int) -> Visit:
    """One visit the user may read: 404 whether it does not exist or is another area's."""
    return get_object_or_404(reachable_visits(user), pk=pk)


def concern_for(user: Any, pk: int) -> Concern:
    return get_object_or_404(reachable_concerns(user), pk=pk)


def windows(area_codes: set[str]) -> dict[str, int]:
    """Each area's window for a chance to visit together (the default where none is set)."""
    return {
        code: found.joint_visit_window_days
        for code, found in settings_for_areas(area_codes).items()
    }


@dataclass(frozen=True)
class Chance:
    """Another agency's visit to the same provider close enough to make together."""

    visit: Visit
    #: whether the user may open it (it is on one of their areas' timetables)
    reachable: bool


def chances(visits: list[Visit], user: Any) -> dict[int, list[Chance]]:
    """For each visit still planned, the other agencies' planned visits to the same provider
    within its area's window, on any area's timetable (a visit done or cancelled is no longer
    a chance to go together)."""
    live = [v for v in visits if v.status == VisitStatus.PLANNED]
    if not live:
        return {}
    window = windows({v.area_id for v in live})
    widest = timedelta(days=max(window.values()))
    others = (
        Visit.objects.filter(
            provider_id__in={v.provider_id for v in live},
            planned_on__gte=min(v.planned_on for v in live) - widest,
            planned_on__lte=max(v.planned_on for v in live) + widest,
        )
        .filter(status=VisitStatus.PLANNED)
        .select_related("organisation")
        .order_by("planned_on", "pk")
    )
    by_provider: dict[int, list[Visit]] = defaultdict(list)
    for other in others:
        by_provider[other.provider_id].append(other)
    areas, organisations = register_areas(user), staff_organisations(user)
    found: dict[int, list[Chance]] = {}
    for visit in live:
        near = [
            Chance(other, other.area_id in areas or other.organisation_id in organisations)
            for other in by_provider[visit.provider_id]
            if other.organisation_id != visit.organisation_id
            and is_joint_visit_chance(visit.planned_on, other.planned_on, window[visit.area_id])
        ]
        if near:
            found[visit.pk] = near
    return found


def month_of(value: str, today: date) -> date:
    """The first day of the month "2026-12" names; this month's if it names none."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Timetable:
    month: date
    visits: list[Visit]
    chances: dict[int, list[Chance]]


def timetable(user: Any, month: date, provider_id: int | None = None) -> Timetable:
    """The visits of one month on the user's areas' timetables, with the chances to visit
    together."""
    found = reachable_visits(user).filter(planned_on__gte=month, planned_on__lt=next_month(month))
    if provider_id is not None:
        found = found.filter(provider_id=provider_id)
    visits = list(found.order_by("planned_on", "provider__name", "pk"))
    return Timetable(month, visits, chances(visits, user))


def open_episode_urn() -> Subquery:
    """A child's open episode's Ofsted URN, for annotating a query of children."""
    return Subquery(
        Episode.objects.filter(child=OuterRef("pk"), dec__isnull=True).values("urn")[:1]
    )


def children_placed_with(user: Any, provider: Provider) -> list[Child]:
    """The children the user may see whose open episode is with this provider."""
    if not provider.urn or not access.can_see_children(user):
        return []
    placed = Episode.objects.filter(child=OuterRef("pk"), dec__isnull=True, urn=provider.urn)
    return list(
        Child.objects.visible_to(user)
        .filter(Exists(placed))
        .select_related("responsible_area", "current_placement_area")
    )


@dataclass(frozen=True)
class SeriousConcern:
    concern: Concern
    reachable: bool


@dataclass(frozen=True)
class ProviderPage:
    visits: list[Visit]
    chances: dict[int, list[Chance]]
    concerns: list[Concern]
    #: open serious concerns on any area's register, each with whether the user may open it
    serious: list[SeriousConcern]
    children: list[Child]


def provider_page(user: Any, provider: Provider) -> ProviderPage:
    visits = list(reachable_visits(user).filter(provider=provider).order_by("-planned_on", "-pk"))
    concerns = list(reachable_concerns(user).filter(provider=provider))
    mine = {c.pk for c in concerns}
    serious = (
        Concern.objects.filter(OPEN_SERIOUS, provider=provider)
        .select_related("raised_by", "area")
        .order_by("-raised_on", "-pk")
    )
    return ProviderPage(
        visits=visits,
        chances=chances(visits, user),
        concerns=concerns,
        serious=[SeriousConcern(c, c.pk in mine) for c in serious],
        children=children_placed_with(user, provider),
    )


def _with_serious_concern() -> QuerySet[Provider]:
    return Provider.objects.exclude(urn="").filter(
        Exists(Concern.objects.filter(OPEN_SERIOUS, provider=OuterRef("pk")))
    )


def placed_with_concerns_query(user: Any) -> QuerySet[Child]:
    """Children the user may see placed (open episode) with a provider that has an open
    serious concern on any area's register."""
    urns = _with_serious_concern().values("urn")
    placed = Episode.objects.filter(child=OuterRef("pk"), dec__isnull=True, urn__in=urns)
    return Child.objects.visible_to(user).filter(Exists(placed))


@dataclass(frozen=True)
class Placed:
    child: Child
    provider: Provider
    serious: int


def placed_with_concerns(user: Any) -> list[Placed]:
    children = list(
        placed_with_concerns_query(user)
        .annotate(placed_urn=open_episode_urn())
        .select_related("responsible_area", "current_placement_area")
    )
    providers = {
        p.urn: p
        for p in _with_serious_concern()
        .filter(urn__in={c.placed_urn for c in children})  # type: ignore[attr-defined]
        .annotate(serious=_serious_count())
    }
    return [
        Placed(c, providers[c.placed_urn], providers[c.placed_urn].serious)  # type: ignore[attr-defined]
        for c in children
        if c.placed_urn in providers  # type: ignore[attr-defined]
    ]


@dataclass(frozen=True)
class ChildQuality:
    """The child's page: their placement's provider and its open serious concerns, and the
    joint-funding agreement."""

    provider: Provider | None
    urn: str
    serious: int
    funding: JointFunding | None


def child_quality(child: Child, as_of: date) -> ChildQuality:
    urn = (
        Episode.objects.filter(child=child, dec__isnull=True).values_list("urn", flat=True).first()
        or ""
    )
    provider = Provider.objects.filter(urn=urn).first() if urn else None
    serious = provider.concerns.filter(OPEN_SERIOUS).count() if provider else 0
    return ChildQuality(provider, urn, serious, current_funding(child, as_of))
