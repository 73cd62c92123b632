"""Reads for the health pages: each child's clock facts in one query, the worklist, the
child's health summary and the health plan actions an organisation owns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from lachealth.care.models import Child, Episode
from lachealth.people import access

from . import clocks, status
from .clocks import ClockState
from .models import (
    ActionStatus,
    Appointment,
    HealthAssessment,
    HealthPlanAction,
    Passport,
    PassportSettings,
    SdqResult,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClockFacts:
    """What a child's clocks and worklist rows need from the record beyond the child itself:
    the current episode, the current period, the latest assessments and SDQ, the next
    booked appointment and the last one that did not happen in the period."""

    current_ls: str | None = None
    current_place: str | None = None
    period_start: date | None = None  # the current period's first day outside short breaks
    iha_done_on: date | None = None
    last_assessment_on: date | None = None
    last_sdq_on: date | None = None
    last_dental_on: date | None = None
    next_appointment_at: datetime | None = None
    next_appointment_kind: str | None = None
    next_practitioner_id: int | None = None
    missed_outcome: str | None = None
    missed_reason: str | None = None
    missed_kind: str | None = None
    passport_given_on: date | None = None  # the first health passport given


#: Appointments that did not happen, as the worklist tells them.
MISSED_OUTCOMES = ("declined", "was_not_brought", "rescheduled")
#: Children whose facts are read in one go (well under every database's bound on parameters).
FACTS_BATCH = 900


def clock_facts(child_ids: list[int]) -> dict[int, ClockFacts]:
    """The clock facts of these children: four plain reads per batch of children, whatever
    their number, worked out here rather than in correlated subqueries (which cost more to
    build than to run). Withdrawn records are left out, as everywhere."""
    facts: dict[int, ClockFacts] = {}
    for i in range(0, len(child_ids), FACTS_BATCH):
        facts.update(_clock_facts(child_ids[i : i + FACTS_BATCH]))
    return facts


def _clock_facts(ids: list[int]) -> dict[int, ClockFacts]:
    found: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    episodes = Episode.objects.filter(child_id__in=ids).order_by("child_id", "decom", "pk")
    by_child: dict[int, list[tuple[Any, ...]]] = {}
    for row in episodes.values_list("child_id", "decom", "dec", "rne", "ls", "place"):
        by_child.setdefault(row[0], []).append(row)
    for pk, rows in by_child.items():
        f = found[pk]
        for _, _, dec, _, ls, place in rows:
            if dec is None:
                f["current_ls"], f["current_place"] = ls, place
        starts = [decom for _, decom, _, rne, _, _ in rows if rne == "S"]
        if starts:
            care_start = max(starts)  # the latest start of a period of care
            f["period_start"] = next(
                (
                    decom
                    for _, decom, _, _, ls, _ in rows
                    if decom >= care_start and ls not in status.SHORT_BREAK_LS
                ),
                None,
            )
    assessments = HealthAssessment.objects.filter(child_id__in=ids).values_list(
        "child_id", "kind", "completed_on", "dental_check_on"
    )
    for pk, kind, completed_on, dental_on in assessments:
        f = found[pk]
        start = f.get("period_start")
        if dental_on is not None:
            f["last_dental_on"] = _later(f.get("last_dental_on"), dental_on)
        if start is None or completed_on is None or completed_on < start:
            continue
        f["last_assessment_on"] = _later(f.get("last_assessment_on"), completed_on)
        if kind == "IHA":
            f["iha_done_on"] = _earlier(f.get("iha_done_on"), completed_on)
    sdqs = SdqResult.objects.filter(
        child_id__in=ids, informant="carer", total_difficulties__isnull=False
    ).values_list("child_id", "completed_on")
    for pk, completed_on in sdqs:
        found[pk]["last_sdq_on"] = _later(found[pk].get("last_sdq_on"), completed_on)
    appointments = (
        Appointment.objects.filter(child_id__in=ids)
        .filter(Q(outcome="") | Q(outcome__in=MISSED_OUTCOMES))
        .order_by("child_id", "starts_at", "pk")
        .values_list(
            "child_id", "starts_at", "kind", "practitioner_id", "outcome", "outcome_reason"
        )
    )
    for pk, starts_at, kind, practitioner_id, outcome, reason in appointments:
        f = found[pk]
        if not outcome:
            if "next_appointment_at" not in f:  # the earliest still to happen
                f.update(
                    next_appointment_at=starts_at,
                    next_appointment_kind=kind,
                    next_practitioner_id=practitioner_id,
                )
        elif f.get("period_start") and timezone.localdate(starts_at) >= f["period_start"]:
            f.update(missed_outcome=outcome, missed_reason=reason, missed_kind=kind)  # the latest
    passports = Passport.objects.filter(child_id__in=ids).values_list("child_id", "given_on")
    for pk, given_on in passports:
        found[pk]["passport_given_on"] = _earlier(found[pk].get("passport_given_on"), given_on)
    return {pk: ClockFacts(**f) for pk, f in found.items()}


def passport_due_months() -> dict[str, int]:
    """The age in months each area that has set one wants its passports given by."""
    return dict(PassportSettings.objects.values_list("area_id", "due_months"))


def _later(a: date | None, b: date) -> date:
    return b if a is None or b > a else a


def _earlier(a: date | None, b: date) -> date:
    return b if a is None or b < a else a


def facts_of(
    child: Any, facts: ClockFacts, due_months: dict[str, int] | None = None
) -> status.ChildHealthFacts:
    """The pure rules' view of a child and its clock facts; `due_months`, the age in months
    each area's passports are due by, where the area has set one."""
    return status.ChildHealthFacts(
        date_of_birth=child.date_of_birth,
        looked_after=child.looked_after,
        current_ls=facts.current_ls,
        period_start=facts.period_start,
        iha_done_on=facts.iha_done_on,
        last_assessment_on=facts.last_assessment_on,
        last_sdq_on=facts.last_sdq_on,
        last_dental_on=facts.last_dental_on,
        passport_given_on=facts.passport_given_on,
        passport_due_months=(due_months or {}).get(
            child.responsible_area_id, clocks.DEFAULT_PASSPORT_DUE_MONTHS
        ),
    )


@dataclass(frozen=True)
class WorklistRow:
    child: Any
    clock: status.Clock
    placed_into_area: bool
    current_place: str | None
    next_appointment_at: datetime | None
    next_practitioner_id: int | None
    missed: str  # why the last appointment for this clock did not happen, if it did not

    @property
    def sort_due(self) -> date:
        return self.clock.status.due


@dataclass
class Worklist:
    rows: list[WorklistRow]
    counts: dict[str, int] = field(default_factory=dict)


#: The clocks met by an appointment the health team books.
BOOKABLE = ("IHA", "RHA")

STATUS_FILTERS = {
    "overdue": ClockState.OVERDUE,
    "due_soon": ClockState.DUE_SOON,
    "due_later": ClockState.DUE_LATER,
}


#: What a worklist row shows of its child (loading no more makes the worklist cheaper).
WORKLIST_CHILD_FIELDS = (
    "la_child_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "looked_after",
    "responsible_area",
    "current_placement_area",
)


def clock_rows(
    children: QuerySet[Child], health_areas: frozenset[str], *, as_of: date, weeks: int = 4
) -> list[WorklistRow]:
    """Every clock of these children that is overdue or due within `weeks` weeks. A child
    whose responsible area is not among `health_areas` is marked as placed into the area."""
    horizon = as_of + timedelta(weeks=weeks)
    rows: list[WorklistRow] = []
    # The few areas are fetched once and shared, not built again for every child.
    listed = list(
        children.only(*WORKLIST_CHILD_FIELDS).prefetch_related(
            "responsible_area", "current_placement_area"
        )
    )
    all_facts = clock_facts([c.pk for c in listed])
    due_months = passport_due_months()
    for child in listed:
        facts = all_facts[child.pk]
        try:
            child_clocks = status.child_clocks(facts_of(child, facts, due_months), as_of)
        except (ValueError, OverflowError):
            # One record with an impossible date must not hide everyone else's clocks.
            logger.exception("clocks could not be worked out for child %s", child.pk)
            continue
        for c in child_clocks:
            if c.status.state == ClockState.DUE_LATER and c.status.due > horizon:
                continue
            booked = facts.next_appointment_kind == c.code
            missed = ""
            if facts.missed_kind == c.code and facts.missed_outcome:
                outcome = facts.missed_outcome.replace("_", " ").capitalize()
                missed = f"{outcome}: {facts.missed_reason}"
            rows.append(
                WorklistRow(
                    child=child,
                    clock=c,
                    placed_into_area=child.responsible_area_id not in health_areas,
                    current_place=facts.current_place,
                    next_appointment_at=facts.next_appointment_at if booked else None,
                    next_practitioner_id=facts.next_practitioner_id if booked else None,
                    missed=missed,
                )
            )
    return rows


def served_children(health_areas: frozenset[str]) -> QuerySet[Child]:
    """Looked-after children a provider serving these areas works with."""
    return Child.objects.filter(looked_after=True).filter(
        Q(responsible_area__in=health_areas) | Q(current_placement_area__in=health_areas)
    )


def status_counts(rows: list[WorklistRow]) -> dict[str, int]:
    counts = {s.value: 0 for s in (ClockState.OVERDUE, ClockState.DUE_SOON, ClockState.DUE_LATER)}
    for row in rows:
        counts[row.clock.status.state.value] += 1
    return counts


SORT_KEYS: dict[str, Any] = {
    "due": lambda r: (r.clock.status.due, r.child.last_name),
    "name": lambda r: (r.child.last_name, r.child.first_name, r.clock.status.due),
    "age": lambda r: (r.child.date_of_birth, r.clock.status.due),
    "clock": lambda r: (r.clock.code, r.clock.status.due),
}


def worklist(
    user: Any,
    *,
    as_of: date,
    weeks: int = 4,
    clock: str = "",
    state: str = "",
    practitioner: str = "",
    responsible: str = "",
    placed: str = "",
    team: str = "",
    booked: str = "",
    sort: str = "due",
) -> Worklist:
    """Every clock, of every child the user's provider serves (or, for LA staff, of the
    children their LA looks after), that is overdue or due within `weeks` weeks, filtered
    (`booked`: "no" for assessments not booked, "yes" for those booked) and sorted; with
    counts per status before the status filter."""
    health_areas = access.areas_for(user, access.HEALTH_CHILD_ROLES)
    la_areas = access.areas_for(user, access.LA_CHILD_ROLES)
    if team:
        health_areas = frozenset(
            area
            for role, area, org in access.scope_of(user).grants
            if str(org) == team and role in access.HEALTH_CHILD_ROLES
        )
    children = (
        served_children(health_areas)
        | Child.objects.filter(looked_after=True, responsible_area__in=la_areas)
    ) & Child.objects.visible_to(user)
    if responsible:
        children = children.filter(responsible_area=responsible)
    if placed:
        children = children.filter(current_placement_area=placed)
    rows = [
        r
        for r in clock_rows(children, health_areas | la_areas, as_of=as_of, weeks=weeks)
        if (not clock or r.clock.code == clock)
        and (not practitioner or str(r.next_practitioner_id) == practitioner)
        and (
            not booked
            or (
                r.clock.code in BOOKABLE
                and (r.next_appointment_at is not None) == (booked == "yes")
            )
        )
    ]
    counts = status_counts(rows)
    if state in STATUS_FILTERS:
        rows = [r for r in rows if r.clock.status.state == STATUS_FILTERS[state]]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["due"]))
    return Worklist(rows=rows, counts=counts)


@dataclass(frozen=True)
class ChildHealth:
    clocks: list[status.Clock]
    assessments: list[HealthAssessment]
    sdqs: list[SdqResult]
    appointments: list[Appointment]
    actions: list[HealthPlanAction]
    has_clocks: bool
    clock_problem: str = ""  # why the clocks cannot be worked out, if they cannot


def child_facts(child: Child) -> status.ChildHealthFacts:
    """One child's clock facts."""
    return facts_of(child, clock_facts([child.pk])[child.pk], passport_due_months())


def child_health(child: Child, *, as_of: date) -> ChildHealth:
    facts = child_facts(child)
    problem = ""
    try:
        clocks = status.child_clocks(facts, as_of, include_done=True)
    except (ValueError, OverflowError) as error:
        # An impossible date in the record must not take the child's page down with it.
        logger.exception("clocks could not be worked out for child %s", child.pk)
        clocks, problem = [], str(error) or "a date in the record is out of range"
    return ChildHealth(
        clocks=clocks,
        clock_problem=problem,
        assessments=list(
            HealthAssessment.objects.filter(child=child).select_related("practitioner", "provider")
        ),
        sdqs=list(SdqResult.objects.filter(child=child).order_by("completed_on")),
        appointments=list(
            Appointment.objects.filter(child=child)
            .select_related("practitioner")
            .order_by("-starts_at")[:20]
        ),
        actions=list(
            HealthPlanAction.objects.filter(child=child)
            .select_related("owner", "done_by")
            .order_by("status", "due_on")
        ),
        has_clocks=status.has_clocks(facts, as_of),
    )


def actions_owned_by(user: Any, *, status_filter: str = "open") -> QuerySet[HealthPlanAction]:
    """Health plan actions the user's organisations follow up, for children they may see,
    newest plan first."""
    visible = Child.objects.visible_to(user).values("pk")
    actions = HealthPlanAction.objects.filter(
        owner_id__in=access.scope_of(user).organisation_ids, child_id__in=visible
    ).select_related("child", "owner")
    if status_filter in ActionStatus.values:
        actions = actions.filter(status=status_filter)
    elif status_filter == "overdue":
        actions = actions.filter(status=ActionStatus.OPEN, due_on__lt=date.today())
    return actions.order_by("-assessment__completed_on", "due_on", "pk")


def action_status(action: HealthPlanAction, as_of: date) -> clocks.ClockStatus:
    return clocks.clock_status(action.due_on, action.done_on, as_of)
