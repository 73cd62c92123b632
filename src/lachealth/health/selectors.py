"""Reads for the health pages: each child's clock facts in one query, the worklist, the
child's health summary and the health plan actions an organisation owns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from lachealth.care.models import Child, Episode
from lachealth.people import access

from . import clocks, status
from .clocks import ClockState
from .models import ActionStatus, Appointment, HealthAssessment, HealthPlanAction, SdqResult

logger = logging.getLogger(__name__)


def with_clock_facts(children: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate each child with the facts its clocks need: one query, whatever the number."""
    child = OuterRef("pk")
    period_start = OuterRef("period_start")
    in_period = HealthAssessment.objects.filter(child=child, completed_on__gte=period_start)
    pending = Appointment.objects.filter(child=child, outcome="").order_by("starts_at")
    missed = Appointment.objects.filter(
        child=child,
        outcome__in=["declined", "was_not_brought", "rescheduled"],
        starts_at__date__gte=period_start,
    ).order_by("-starts_at")
    return children.annotate(
        care_start=Subquery(
            Episode.objects.filter(child=child, rne="S").order_by("-decom").values("decom")[:1]
        ),
        period_start=Subquery(
            Episode.objects.filter(child=child, decom__gte=OuterRef("care_start"))
            .exclude(ls__in=sorted(status.SHORT_BREAK_LS))
            .order_by("decom")
            .values("decom")[:1]
        ),
        current_ls=Subquery(Episode.objects.filter(child=child, dec__isnull=True).values("ls")[:1]),
        current_place=Subquery(
            Episode.objects.filter(child=child, dec__isnull=True).values("place")[:1]
        ),
        iha_done_on=Subquery(
            in_period.filter(kind="IHA").order_by("completed_on").values("completed_on")[:1]
        ),
        last_assessment_on=Subquery(in_period.order_by("-completed_on").values("completed_on")[:1]),
        last_sdq_on=Subquery(
            SdqResult.objects.filter(
                child=child, informant="carer", total_difficulties__isnull=False
            )
            .order_by("-completed_on")
            .values("completed_on")[:1]
        ),
        last_dental_on=Subquery(
            HealthAssessment.objects.filter(child=child, dental_check_on__isnull=False)
            .order_by("-dental_check_on")
            .values("dental_check_on")[:1]
        ),
        next_appointment_at=Subquery(pending.values("starts_at")[:1]),
        next_appointment_kind=Subquery(pending.values("kind")[:1]),
        next_practitioner_id=Subquery(pending.values("practitioner_id")[:1]),
        missed_outcome=Subquery(missed.values("outcome")[:1]),
        missed_reason=Subquery(missed.values("outcome_reason")[:1]),
        missed_kind=Subquery(missed.values("kind")[:1]),
    )


def facts_of(child: Any) -> status.ChildHealthFacts:
    """The pure rules' view of a child annotated by `with_clock_facts`."""
    return status.ChildHealthFacts(
        date_of_birth=child.date_of_birth,
        looked_after=child.looked_after,
        current_ls=child.current_ls,
        period_start=child.period_start,
        iha_done_on=child.iha_done_on,
        last_assessment_on=child.last_assessment_on,
        last_sdq_on=child.last_sdq_on,
        last_dental_on=child.last_dental_on,
    )


@dataclass(frozen=True)
class WorklistRow:
    child: Any
    clock: status.Clock
    placed_into_area: bool
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


def clock_rows(
    children: QuerySet[Child], health_areas: frozenset[str], *, as_of: date, weeks: int = 4
) -> list[WorklistRow]:
    """Every clock of these children that is overdue or due within `weeks` weeks. A child
    whose responsible area is not among `health_areas` is marked as placed into the area."""
    horizon = as_of + timedelta(weeks=weeks)
    rows: list[WorklistRow] = []
    annotated: list[Any] = list(
        with_clock_facts(children.select_related("responsible_area", "current_placement_area"))
    )
    for child in annotated:
        try:
            child_clocks = status.child_clocks(facts_of(child), as_of)
        except (ValueError, OverflowError):
            # One record with an impossible date must not hide everyone else's clocks.
            logger.exception("clocks could not be worked out for child %s", child.pk)
            continue
        for c in child_clocks:
            if c.status.state == ClockState.DUE_LATER and c.status.due > horizon:
                continue
            booked = child.next_appointment_kind == c.code
            missed = ""
            if child.missed_kind == c.code and child.missed_outcome:
                outcome = child.missed_outcome.replace("_", " ").capitalize()
                missed = f"{outcome}: {child.missed_reason}"
            rows.append(
                WorklistRow(
                    child=child,
                    clock=c,
                    placed_into_area=child.responsible_area_id not in health_areas,
                    next_appointment_at=child.next_appointment_at if booked else None,
                    next_practitioner_id=child.next_practitioner_id if booked else None,
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
    """One child's clock facts, in one query."""
    return facts_of(with_clock_facts(Child.objects.filter(pk=child.pk)).get())


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
