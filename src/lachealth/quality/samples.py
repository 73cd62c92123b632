"""Drawing a period's QA sample for an organisation's footprint, once, and adding assessments
to it by hand. The draw itself is `sampling.draw` (pure); this reads the period's completed
assessments, each area's setting, and records the seed and what was drawn.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from lachealth.care.models import Child
from lachealth.health.models import HealthAssessment
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Organisation, OrganisationKind

from . import sampling
from .area_settings import settings_for_areas
from .models import Frequency, HowSampled, QaSample, QaSampleItem
from .tools import QA_ROLES

#: How far back a designated professional may add an assessment by hand: a year before the
#: period's end.
ADD_BY_HAND_DAYS = 366
#: The longest reason for adding an assessment by hand.
REASON_MAX = 500


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return f"{self.start:%B %Y}"
        return f"{self.start:%-d %B} to {self.end:%-d %B %Y}"


def period_of(day: date, frequency: str) -> Period:
    """The month or calendar quarter that `day` falls in."""
    months = 1 if frequency == Frequency.MONTH else 3
    first = (day.month - 1) // months * months + 1
    start = date(day.year, first, 1)
    after = date(start.year + (first + months > 12), (first + months - 1) % 12 + 1, 1)
    return Period(start, after - timedelta(days=1))


def recent_periods(as_of: date, frequency: str, count: int = 4) -> list[Period]:
    """The last `count` periods that have ended by `as_of`, latest first."""
    found: list[Period] = []
    day = period_of(as_of, frequency).start - timedelta(days=1)
    while len(found) < count:
        period = period_of(day, frequency)
        found.append(period)
        day = period.start - timedelta(days=1)
    return found


def frequencies(organisation: Organisation) -> dict[str, str]:
    """How often each of the organisation's areas is sampled (its settings)."""
    codes = organisation.areas.values_list("code", flat=True)
    return {code: found.frequency for code, found in settings_for_areas(codes).items()}


def frequency_of(organisation: Organisation) -> str:
    """The periods an organisation's results are shown by: months if every area samples
    monthly, else quarters."""
    kinds = set(frequencies(organisation).values())
    return Frequency.MONTH if kinds == {Frequency.MONTH} else Frequency.QUARTER


def offered_periods(organisation: Organisation, as_of: date, count: int = 4) -> list[Period]:
    """The periods that have ended that the organisation's areas are sampled by (the last
    `count` of each kind in use), latest first."""
    found = {
        p
        for kind in set(frequencies(organisation).values())
        for p in recent_periods(as_of, kind, count)
    }
    return sorted(found, key=lambda p: (p.end, p.start), reverse=True)


def qa_organisations(user: object) -> QuerySet[Organisation]:
    """The organisations at which the user quality-assures assessments (ICBs and providers)."""
    return Organisation.objects.filter(
        pk__in=access.organisations_for(user, QA_ROLES),
        kind__in=[OrganisationKind.ICB, OrganisationKind.HEALTH_PROVIDER],
    )


def footprint_assessments(areas: list[str]) -> QuerySet[HealthAssessment]:
    """Completed assessments of the footprint's children (whoever assessed them: out-of-area
    assessments by other areas' teams included), withdrawn ones left out."""
    return HealthAssessment.objects.filter(child__responsible_area__in=areas)


def _drawn_by(sample: QaSample) -> str:
    who = sample.drawn_by.get_full_name() or sample.drawn_by.username
    return f"drawn on {sample.drawn_at:%-d %B %Y} by {who}"


def draw_sample(
    *,
    by: Any,
    organisation: Organisation,
    period: Period,
    as_of: date,
    request: HttpRequest | None = None,
) -> QaSample:
    """Draw the organisation's sample for a month or quarter that has ended: of each of its
    areas sampled by that kind of period, with the area's setting; once. A period that
    overlaps one already sampled for an area (a month of a sampled quarter) is refused."""
    if organisation.pk not in access.organisations_for(by, QA_ROLES):
        raise ValidationError(
            {"period": f"Only {organisation}'s designated professionals draw its sample"}
        )
    if period.end >= as_of:
        raise ValidationError(
            {"period": f"{period.label} ends on {period.end:%-d %B %Y}: draw its sample after that"}
        )
    kinds = frequencies(organisation)
    areas = sorted(code for code, kind in kinds.items() if period_of(period.start, kind) == period)
    if not areas:
        raise ValidationError(
            {
                "period": f"{period.label} is not a month or quarter that {organisation}'s "
                "areas are sampled by"
            }
        )
    with transaction.atomic():
        # One draw at a time per organisation, so that two cannot overlap.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        for taken in QaSample.objects.filter(
            organisation=organisation, period_start__lte=period.end, period_end__gte=period.start
        ).select_related("drawn_by"):
            if set(taken.areas) & set(areas):
                said = Period(taken.period_start, taken.period_end).label
                raise ValidationError(
                    {
                        "period": f"The sample for {said} was {_drawn_by(taken)}"
                        + (
                            ": a period is sampled once (add assessments to it by hand, with a "
                            "reason)"
                            if said == period.label
                            else f", and {period.label} overlaps it"
                        )
                    }
                )
        seed = secrets.token_hex(8)
        rows = list(
            footprint_assessments(areas)
            .filter(completed_on__range=(period.start, period.end))
            .values_list("pk", "practitioner_id", "provider_id", "child__responsible_area_id")
        )
        rules = {}
        drawn: list[int] = []
        for code, setting in settings_for_areas(areas).items():
            rule = sampling.Rule(
                percentage=Decimal(setting.percentage),
                minimum_per_practitioner=setting.minimum_per_practitioner,
            )
            rules[code] = {
                "frequency": kinds[code],
                "percentage": str(setting.percentage),
                "minimum_per_practitioner": setting.minimum_per_practitioner,
            }
            candidates = [sampling.Candidate(pk, p, o) for pk, p, o, a in rows if a == code]
            drawn += sampling.draw(candidates, rule, f"{seed}:{code}")
        sample = QaSample.objects.create(
            organisation=organisation,
            period_start=period.start,
            period_end=period.end,
            areas=areas,
            seed=seed,
            rules=rules,
            candidates=len(rows),
            drawn_by=by,
        )
        QaSampleItem.objects.bulk_create(
            QaSampleItem(
                sample=sample, organisation=organisation, assessment_id=pk, how=HowSampled.DRAWN
            )
            for pk in drawn
        )
        audit.record(
            request,
            AccessAction.CREATE,
            user=by,
            detail=f"QA sample drawn for {period.label}: {len(drawn)} of {len(rows)}",
        )
    return sample


def redraw(sample: QaSample) -> list[int]:
    """The assessments the sample's recorded seed and rules draw from the assessments as they
    are now: the drawn items, unless records were added or withdrawn since."""
    rows = (
        footprint_assessments(sample.areas)
        .filter(completed_on__range=(sample.period_start, sample.period_end))
        .values_list("pk", "practitioner_id", "provider_id", "child__responsible_area_id")
    )
    drawn: list[int] = []
    for code in sample.areas:
        rule = sample.rules[code]
        drawn += sampling.draw(
            [sampling.Candidate(pk, p, o) for pk, p, o, a in rows if a == code],
            sampling.Rule(Decimal(rule["percentage"]), rule["minimum_per_practitioner"]),
            f"{sample.seed}:{code}",
        )
    return sorted(drawn)


def addable(sample: QaSample, user: Any) -> QuerySet[HealthAssessment]:
    """Assessments a designated professional may add to the sample by hand: those of the
    sample's footprint's children they may still see, completed within a year before the
    period's end, not already in it."""
    return (
        footprint_assessments(sample.areas)
        .filter(child__in=Child.objects.visible_to(user))
        .filter(
            completed_on__range=(
                sample.period_end - timedelta(days=ADD_BY_HAND_DAYS),
                sample.period_end,
            )
        )
        .exclude(pk__in=sample.items.values("assessment_id"))
    )


def add_by_hand(
    *,
    by: Any,
    sample: QaSample,
    assessment_id: int,
    reason: str,
    request: HttpRequest | None = None,
) -> QaSampleItem:
    """Add an assessment to the sample, with the reason it is looked at."""
    if sample.organisation_id not in access.organisations_for(by, QA_ROLES):
        raise ValidationError(
            {"assessment": "Only the sample's designated professionals add to it"}
        )
    problems = {}
    if not reason.strip():
        problems["reason"] = "Say why this assessment is added to the sample"
    elif len(reason) > REASON_MAX:
        problems["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    found = addable(sample, by).filter(pk=assessment_id).first()
    if found is None:
        in_sample = sample.items.filter(assessment_id=assessment_id).exists()
        problems["assessment"] = (
            "That assessment is already in the sample"
            if in_sample
            else "Choose a completed assessment of the footprint's children, from the year "
            f"before {sample.period_end:%-d %B %Y}"
        )
    if problems or found is None:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            item = QaSampleItem.objects.create(
                sample=sample,
                organisation_id=sample.organisation_id,
                assessment=found,
                how=HowSampled.ADDED,
                reason=reason.strip(),
                added_by=by,
            )
            audit.record(
                request,
                AccessAction.CHANGE,
                user=by,
                child=found.child,
                detail=f"assessment added to the QA sample: {reason.strip()}"[:300],
            )
    except IntegrityError:
        raise ValidationError({"assessment": "That assessment is already in the sample"}) from None
    return item
