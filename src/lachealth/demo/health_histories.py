"""Synthetic health histories for one period of care: assessments, SDQs, dental checks and
health plan actions. Pure: a seeded `random.Random`, the child's dates and `as_of` in.

Calibrated loosely on DfE's 2025 figures: most assessments on time (about 90% of children
have their annual assessment), some late, a few overdue today; carer SDQ totals average
about 15 with roughly 45% close to average, 13% slightly raised and 42% high.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from lachealth.health import clocks
from lachealth.health.sdq import REVERSE_SCORED, SUBSCALES

NEEDS = [
    ("Dental decay", "Register with a dentist and attend a check-up", "carer"),
    ("Immunisations not up to date", "Book catch-up immunisations", "gp"),
    ("Emotional wellbeing", "Refer to the emotional wellbeing service", "health"),
    ("Sleep difficulties", "Keep a sleep diary for four weeks", "carer"),
    ("Eyesight", "Arrange an optician appointment", "la"),
    ("Speech and language", "Assess speech and language", "service"),
    ("Healthy weight", "Daily activity and healthy school meals", "school"),
    ("Sexual health", "Offer a sexual health clinic appointment", "health"),
]


@dataclass
class PlannedAssessment:
    kind: str
    completed_on: date
    due_on: date
    dental_check_on: date | None
    immunisations: str
    sdq_considered: bool
    substance_misuse: bool
    intervention_received: bool | None = None
    intervention_offered: bool | None = None
    actions: list[tuple[str, str, str, date, bool]] = field(default_factory=list)


@dataclass
class PlannedSdq:
    completed_on: date
    items: list[int | None]


@dataclass
class PlannedHealth:
    assessments: list[PlannedAssessment] = field(default_factory=list)
    sdqs: list[PlannedSdq] = field(default_factory=list)


#: The share of assessments done by their due date where an area's team is typical.
TYPICAL_ON_TIME = 0.72


@dataclass(frozen=True)
class Timeliness:
    """How often an area's team gets assessments done by their due date."""

    initial: float = TYPICAL_ON_TIME
    review: float = TYPICAL_ON_TIME


TYPICAL = Timeliness()


def _completion(rng: random.Random, due: date, on_time: float) -> date | None:
    """When an assessment due on `due` was done: `on_time` of them by then, most of the rest
    late, a few never."""
    roll = rng.random()
    if roll < on_time:
        return clocks.add_working_days(due, -rng.randint(0, 12))
    if roll < 0.94:
        return due + timedelta(days=rng.randint(1, 45))
    return None


def sdq_items(rng: random.Random) -> list[int | None]:
    """A plausible carer SDQ: one latent level of difficulty drives the difficulty items."""
    level = rng.betavariate(2.0, 3.2)
    items: list[int | None] = [None] * 25
    for scale, numbers in SUBSCALES.items():
        for n in numbers:
            p = 1 - level if scale == "prosocial" else level
            scored = (rng.random() < p) + (rng.random() < p)
            items[n - 1] = 2 - scored if n in REVERSE_SCORED else scored
    if rng.random() < 0.05:  # an unanswered item now and then
        items[rng.randrange(25)] = None
    return items


def plan_health(
    rng: random.Random,
    *,
    date_of_birth: date,
    start: date,
    end: date | None,
    as_of: date,
    timeliness: Timeliness = TYPICAL,
) -> PlannedHealth:
    """Assessments and SDQs for a period of care from `start` to `end` (or still open)."""
    plan = PlannedHealth()
    stop = min(end or as_of, as_of)
    due = clocks.initial_health_assessment_due(start)
    kind = "IHA"
    last_sdq: date | None = None
    while due <= stop + timedelta(days=60):
        done = _completion(rng, due, timeliness.initial if kind == "IHA" else timeliness.review)
        if done is None:
            if due > as_of - timedelta(days=120):
                break  # still outstanding: overdue today
            done = due + timedelta(days=rng.randint(46, 160))  # very late, but done
        if done > stop:
            break  # not done yet, or care ended first
        dental = done - timedelta(days=rng.randint(0, 90)) if rng.random() < 0.85 else None
        if dental is not None and dental < date_of_birth:
            dental = None
        age = clocks.age_in_years(date_of_birth, done)
        assessment = PlannedAssessment(
            kind=kind,
            completed_on=done,
            due_on=due,
            dental_check_on=dental,
            immunisations=rng.choices(["yes", "no", "unknown"], weights=[84, 11, 5])[0],
            sdq_considered=4 <= age <= 16,
            substance_misuse=age >= 13 and rng.random() < 0.06,
        )
        if assessment.substance_misuse:  # most are helped; a few decline what is offered
            assessment.intervention_received = rng.random() < 0.7
            if not assessment.intervention_received:
                assessment.intervention_offered = rng.random() < 0.8
        for need, action, owner in rng.sample(NEEDS, k=rng.choice([1, 1, 2, 2, 3])):
            action_due = done + timedelta(days=rng.choice([30, 60, 90]))
            finished = action_due < as_of - timedelta(days=20) and rng.random() < 0.85
            assessment.actions.append((need, action, owner, action_due, finished))
        plan.assessments.append(assessment)
        sdq_due = clocks.sdq_due(date_of_birth, last_sdq, done, entered_care=start)
        if sdq_due is not None and sdq_due <= done + timedelta(days=30) and rng.random() < 0.85:
            taken = done - timedelta(days=rng.randint(0, 40))
            if taken >= start and taken >= clocks.birthday(date_of_birth, 4):
                plan.sdqs.append(PlannedSdq(taken, sdq_items(rng)))
                last_sdq = taken
        due = clocks.review_health_assessment_due(date_of_birth, done)
        kind = "RHA"
    return plan
