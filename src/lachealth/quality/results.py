"""What the QA scores say, for one tool version (so that like is compared with like): per
criterion, per practitioner, per provider and per area over time, with the criteria that fall
below each area's threshold named. Designated professionals read their organisation's; a
practitioner reads only their own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from lachealth.people.models import Area, Organisation, User

from . import scoring
from .area_settings import settings_for_areas
from .models import QaCriterion, QaReview, QaScore, QaToolVersion
from .samples import period_of


@dataclass(frozen=True)
class Row:
    """One group's score: a criterion, a practitioner, a provider, an area in a period."""

    label: str
    score: scoring.Score
    reviews: int = 0
    key: Any = None


@dataclass(frozen=True)
class Named:
    """A criterion whose score in an area fell below the area's threshold."""

    criterion: str
    area: str
    score: int
    threshold: int
    #: the applicable answers the score is from
    applicable: int = 0


@dataclass
class Results:
    version: QaToolVersion
    reviews: int = 0
    criteria: list[Row] = field(default_factory=list)
    practitioners: list[Row] = field(default_factory=list)
    providers: list[Row] = field(default_factory=list)
    #: area name -> [(period start, score)], oldest first
    trend: dict[str, list[tuple[date, scoring.Score]]] = field(default_factory=dict)
    periods: list[date] = field(default_factory=list)
    grades: list[tuple[str, int]] = field(default_factory=list)
    named: list[Named] = field(default_factory=list)
    #: The lowest of the areas' thresholds (the chart's line).
    threshold: int | None = None


def versions_scored(organisation: Organisation) -> QuerySet[QaToolVersion]:
    """The organisation's published versions, newest first, with how many reviews each has."""
    return (
        QaToolVersion.objects.filter(tool__organisation=organisation, published_on__isnull=False)
        .annotate(scored=Count("reviews"))
        .order_by("-number")
    )


def results(
    version: QaToolVersion,
    *,
    since: date,
    until: date,
    frequency: str,
    practitioner: int | None = None,
    area: str | None = None,
) -> Results:
    """The version's scores of assessments completed from `since` to `until`, all of the
    organisation's, or only one practitioner's, or only those of one area's children."""
    only_area = area
    reviews = Q(
        review__version=version, review__item__assessment__completed_on__range=(since, until)
    )
    if practitioner is not None:
        reviews &= Q(review__practitioner_id=practitioner)
    if only_area is not None:
        reviews &= Q(review__item__assessment__child__responsible_area_id=only_area)
    rows = list(
        QaScore.objects.filter(reviews)
        .values_list(
            "criterion_id",
            "answer",
            "review_id",
            "review__practitioner_id",
            "review__item__assessment__provider_id",
            "review__item__assessment__child__responsible_area_id",
            "review__item__assessment__completed_on",
        )
        .order_by()
    )
    scale = version.answers
    found = Results(version=version)
    found.reviews = len({r[2] for r in rows})
    criteria = {
        c.pk: c for c in QaCriterion.objects.filter(version=version).select_related("section")
    }
    by: dict[str, dict[Any, list[str]]] = defaultdict(lambda: defaultdict(list))
    reviews_of: dict[str, dict[Any, set[int]]] = defaultdict(lambda: defaultdict(set))
    for criterion, answer, review, who, provider, area, completed in rows:
        period = period_of(completed, frequency).start
        for group, key in (
            ("criterion", criterion),
            ("practitioner", who),
            ("provider", provider),
            ("trend", (area, period)),
            ("area_criterion", (area, criterion)),
        ):
            by[group][key].append(answer)
            reviews_of[group][key].add(review)
    found.criteria = [
        Row(
            f"{c.section.title}: {c.text}",
            scoring.summarise(by["criterion"].get(pk, []), scale),
            len(reviews_of["criterion"].get(pk, ())),
            pk,
        )
        for pk, c in sorted(
            criteria.items(), key=lambda kv: (kv[1].section.position, kv[1].position)
        )
    ]
    names = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=list(by["practitioner"]))
    }
    found.practitioners = sorted(
        (
            Row(names[k], scoring.summarise(v, scale), len(reviews_of["practitioner"][k]), k)
            for k, v in by["practitioner"].items()
        ),
        key=lambda r: r.label,
    )
    providers = dict(
        Organisation.objects.filter(pk__in=list(by["provider"])).values_list("pk", "name")
    )
    found.providers = sorted(
        (
            Row(providers[k], scoring.summarise(v, scale), len(reviews_of["provider"][k]), k)
            for k, v in by["provider"].items()
        ),
        key=lambda r: r.label,
    )
    areas = dict(Area.objects.filter(pk__in={a for a, _ in by["trend"]}).values_list("pk", "name"))
    trend: dict[str, list[tuple[date, scoring.Score]]] = defaultdict(list)
    for (area, period), answers in sorted(by["trend"].items()):
        trend[areas[area]].append((period, scoring.summarise(answers, scale)))
    found.trend = dict(sorted(trend.items()))
    found.periods = sorted({p for _, p in by["trend"]})
    grades = Counter(
        QaReview.objects.filter(
            version=version, item__assessment__completed_on__range=(since, until)
        )
        .filter(**({"practitioner_id": practitioner} if practitioner is not None else {}))
        .filter(
            **({"item__assessment__child__responsible_area_id": only_area} if only_area else {})
        )
        .values_list("grade", flat=True)
    )
    found.grades = [(label, grades.get(code, 0)) for code, label in version.grades]
    thresholds = {code: setting.threshold for code, setting in settings_for_areas(areas).items()}
    found.threshold = min(thresholds.values(), default=None)
    for (area, criterion), answers in sorted(by["area_criterion"].items()):
        threshold = thresholds[area]
        got = scoring.summarise(answers, scale)
        if got.below(threshold):
            found.named.append(
                Named(
                    criteria[criterion].text,
                    areas[area],
                    got.rounded or 0,
                    threshold,
                    got.applicable,
                )
            )
    return found


def for_area(area: str, *, since: date, until: date) -> list[Results]:
    """An area's QA results for the board report: for each organisation that scored its
    children's assessments completed in the time, those scores with the version it used most
    (like compared with like); practitioners are not named in it."""
    used = (
        QaReview.objects.filter(
            item__assessment__child__responsible_area_id=area,
            item__assessment__completed_on__range=(since, until),
        )
        .values_list("version_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-version_id")
    )
    found: list[Results] = []
    seen: set[int] = set()
    for version_id, _ in used:
        version = QaToolVersion.objects.select_related("tool__organisation").get(pk=version_id)
        if version.tool.organisation_id in seen:
            continue
        seen.add(version.tool.organisation_id)
        frequency = "quarter"
        found.append(results(version, since=since, until=until, frequency=frequency, area=area))
    return found
