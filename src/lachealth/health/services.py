"""Every write of the health record: one transaction each, rules checked, history, audit.

A refused write raises `ValidationError` keyed by the form field at fault and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lachealth.care.models import Child, Episode
from lachealth.date_bounds import APPOINTMENT, PLAN_ACTION_YEARS
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Organisation, OrganisationKind
from lachealth.problems import Problems
from lachealth.versioning import save_versioned

from . import clocks, growth, ownership, summary
from .models import (
    FOLLOWED_UP_BY_LA,
    ActionStatus,
    Appointment,
    AssessmentKind,
    HealthAssessment,
    HealthPlanAction,
    Professional,
    SdqResult,
    TakenHow,
)
from .sdq import score_sdq

#: Roles that carry out health plan actions for their organisation.
ACTION_ROLES = access.LA_CHILD_ROLES | access.HEALTH_RECORD_ROLES


def childs_la(child: Child) -> Organisation | None:
    """The local authority on lachealth responsible for the child, which follows up the LA's
    actions (and the carer's and the school's); None if no LA of that area uses lachealth."""
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY,
            areas=child.responsible_area_id,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def _require(user: Any, roles: frozenset[str], child: Child, what: str) -> None:
    if not access.acts_for_child(user, roles, child):
        raise PermissionDenied(f"Your role does not let you {what} for this child")


def provider_for(user: Any, roles: frozenset[str], child: Child) -> Organisation:
    """The user's provider organisation that serves this child (responsible area first)."""
    scope = access.scope_of(user)
    for wanted in (child.responsible_area_id, child.current_placement_area_id):
        for role, area, org_id in scope.grants:
            if role in roles and area == wanted:
                return Organisation.objects.get(pk=org_id)
    raise PermissionDenied("You work for no provider that serves this child")


def current_period_start(child: Child) -> date | None:
    start = (
        Episode.objects.filter(child=child, rne="S")
        .order_by("-decom")
        .values_list("decom", flat=True)
        .first()
    )
    return start


def booking_day_problem(day: date, as_of: date) -> str | None:
    """What is wrong with booking an appointment on `day`, if anything: the booking form's own
    bound (`date_bounds.APPOINTMENT`: today or later, within a year), named by its label."""
    return APPOINTMENT.problem(day, as_of, "Date of the appointment")


#: How long after the assessment a health plan action may fall due (`date_bounds`).
ACTION_HORIZON_YEARS = PLAN_ACTION_YEARS


def latest_due(completed_on: date) -> date:
    """The latest due date an action of an assessment on `completed_on` may have."""
    return clocks.add_months(completed_on, 12 * ACTION_HORIZON_YEARS)


@transaction.atomic
def book_appointment(
    *,
    by: Any,
    child: Child,
    kind: str,
    starts_at: datetime,
    venue: str,
    practitioner: Any,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Appointment:
    _require(by, access.HEALTH_RECORD_ROLES, child, "book appointments")
    provider = provider_for(by, access.HEALTH_RECORD_ROLES, child)
    problems = Problems()
    if not child.looked_after:
        problems.add("starts_at", f"{child} is not looked after now")
    wrong_day = booking_day_problem(timezone.localdate(starts_at), as_of or timezone.localdate())
    if wrong_day:
        problems.add("day", wrong_day)
    if not access.acts_for_child(practitioner, access.ASSESSMENT_ROLES, child):
        problems.add(
            "practitioner", f"{practitioner} is not a health practitioner serving this child"
        )
    problems.raise_any()
    ownership.require_or_claim(
        child=child,
        team=provider,
        by=by,
        how=TakenHow.BOOKED,
        as_of=as_of or timezone.localdate(),
        request=request,
    )
    appointment = Appointment(
        child=child,
        kind=kind,
        provider=provider,
        starts_at=starts_at,
        venue=venue,
        practitioner=practitioner,
        booked_by=by,
        booked_on=as_of or timezone.localdate(),
    )
    save_versioned(appointment, by)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"booked {kind} for {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
    )
    return appointment


@transaction.atomic
def record_outcome(
    *,
    by: Any,
    appointment: Appointment,
    outcome: str,
    reason: str = "",
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Appointment:
    """Attended, was not brought, declined or rescheduled. Only attending can lead to an
    assessment being recorded; the others leave the clock running, with the reason shown."""
    child = appointment.child
    _require(by, access.HEALTH_RECORD_ROLES, child, "record appointment outcomes")
    if appointment.provider_id not in access.organisations_for(by, access.HEALTH_RECORD_ROLES):
        raise PermissionDenied("Only the provider that booked an appointment records its outcome")
    today = as_of or timezone.localdate()
    if (
        outcome in ("attended", "was_not_brought")
        and timezone.localdate(appointment.starts_at) > today
    ):
        raise ValidationError(
            {
                "outcome": "The appointment has not happened yet: record "
                "declined or rescheduled, or wait until the day"
            }
        )
    if appointment.outcome:
        raise ValidationError({"outcome": "This appointment's outcome is already recorded"})
    if outcome != "attended" and not reason.strip():
        raise ValidationError({"reason": "Say why, so that the team can follow it up"})
    appointment.outcome, appointment.outcome_reason = outcome, reason.strip()
    appointment.outcome_recorded_on = today
    save_versioned(appointment, by)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=child, detail=f"appointment outcome: {outcome}"
    )
    return appointment


@dataclass(frozen=True)
class PlannedAction:
    need: str
    action: str
    owner_kind: str
    due_on: date
    #: the service, or the person, where naming them helps ("CAMHS")
    owner_name: str = ""


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bmi_of(
    child: Child, on: date, height: Decimal | None, weight: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """The BMI of a height and weight measured on `on`, and its centile for the child's age
    and sex (RCPCH's UK-WHO reference); neither without both measurements."""
    if not (height and weight):
        return None, None
    bmi_value = float(weight) / (float(height) / 100) ** 2
    found = growth.bmi_centile(child.date_of_birth, on, child.sex, bmi_value)
    return _one_decimal(bmi_value), _one_decimal(found) if found is not None else None


def check_checks(child: Child, details: dict[str, Any], completed_on: date) -> None:
    """The dental and immunisation checks fall between birth and the assessment, and the
    substance misuse answers hold together."""
    for field, label in (
        ("dental_check_on", "The dental check"),
        ("immunisations_checked_on", "The immunisation check"),
    ):
        value = details.get(field)
        if value is not None and not child.date_of_birth <= value <= completed_on:
            raise ValidationError(
                {
                    field: f"{label} date must be between the date of birth and "
                    "the date of the assessment"
                }
            )
    _check_substance_misuse(details)


def _check_substance_misuse(details: dict[str, Any]) -> None:
    """Whether an intervention was received is asked when substance misuse is identified, and
    whether one was offered when none was received (SSDA903 OC2 rules 192-194)."""
    identified = details.get("substance_misuse")
    received, offered = details.get("intervention_received"), details.get("intervention_offered")
    if not identified and (received is not None or offered is not None):
        raise ValidationError(
            {
                "intervention_received": "Only answer about interventions when substance "
                "misuse is identified"
            }
        )
    if identified and received is None:
        raise ValidationError(
            {
                "intervention_received": "Say whether the child has received an intervention "
                "for substance misuse"
            }
        )
    if received and offered is not None:
        raise ValidationError(
            {"intervention_offered": "Only say whether one was offered if none was received"}
        )
    if received is False and offered is None:
        raise ValidationError(
            {"intervention_offered": "Say whether an intervention for substance misuse was offered"}
        )


@transaction.atomic
def record_assessment(
    *,
    by: Any,
    child: Child,
    kind: str,
    completed_on: date,
    practitioner: Any,
    professional: str,
    details: dict[str, Any],
    actions: Sequence[PlannedAction] = (),
    new_entries: Sequence[tuple[str, summary.EntryDetails]] = (),
    ended_entries: Sequence[int] = (),
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> HealthAssessment:
    """A completed initial or review health assessment, its health plan, and what it changed
    in the clinical summary (entries found, entries resolved or stopped).

    It stops the clock it answers (its due date and lateness are kept) and starts the next.
    """
    _require(by, access.ASSESSMENT_ROLES, child, "record health assessments")
    provider = provider_for(by, access.ASSESSMENT_ROLES, child)
    as_of = as_of or timezone.localdate()
    child = Child.objects.select_for_update().get(pk=child.pk)
    problems = Problems()
    if completed_on > as_of:
        problems.add("completed_on", "The date of the assessment must be today or in the past")
    period_start = current_period_start(child)
    if period_start is None or completed_on < period_start:
        started = f"{period_start:%-d %B %Y}" if period_start else "never"
        problems.add(
            "completed_on",
            "The date of the assessment must be on or after "
            f"the day the child came into care ({started})",
        )
    if kind == AssessmentKind.IHA and professional != Professional.MEDICAL:
        problems.add(
            "professional",
            "An initial health assessment must be done by a registered medical practitioner",
        )
    if HealthAssessment.objects.filter(child=child, completed_on=completed_on).exists():
        problems.add(
            "completed_on", "An assessment is already recorded for this child on this date"
        )
    due = None
    if period_start is not None:
        in_period = HealthAssessment.objects.filter(child=child, completed_on__gte=period_start)
        if kind == AssessmentKind.IHA:
            if in_period.filter(kind=AssessmentKind.IHA).exists():
                problems.add(
                    "kind",
                    "An initial health assessment is already recorded for this period of "
                    "care: record a review",
                )
            due = clocks.initial_health_assessment_due(period_start)
        else:
            last = in_period.filter(completed_on__lt=completed_on).order_by("-completed_on").first()
            if last is None:
                problems.add(
                    "kind",
                    "There is no initial health assessment in this period of care yet: "
                    "record that first",
                )
            else:
                due = clocks.review_health_assessment_due(child.date_of_birth, last.completed_on)
    if not access.acts_for_child(practitioner, access.ASSESSMENT_ROLES, child):
        problems.add(
            "practitioner", f"{practitioner} is not a health practitioner serving this child"
        )
    with problems.gather():
        check_checks(child, details, completed_on)
    la = childs_la(child)
    for planned in actions:
        if planned.owner_kind in FOLLOWED_UP_BY_LA and la is None:
            problems.add(
                "actions",
                f"No local authority on lachealth serves {child.responsible_area.name}: the "
                f"action “{planned.action}” needs another owner",
            )
        if planned.due_on < completed_on:
            problems.add(
                "actions",
                f"The action “{planned.action}” is due before the assessment: give a due "
                "date on or after it",
            )
        elif planned.due_on > latest_due(completed_on):
            problems.add(
                "actions",
                f"The action “{planned.action}” is due more than {ACTION_HORIZON_YEARS} years "
                f"after the assessment: give a due date on or before "
                f"{latest_due(completed_on):%-d %B %Y}",
            )
    problems.raise_any()
    assert due is not None  # a period of care and, for a review, an assessment before it
    bmi, centile = bmi_of(child, completed_on, details.get("height_cm"), details.get("weight_kg"))
    ownership.require_or_claim(
        child=child, team=provider, by=by, how=TakenHow.RECORDED, as_of=as_of, request=request
    )
    status = clocks.clock_status(due, completed_on, as_of)
    assessment = HealthAssessment(
        child=child,
        kind=kind,
        completed_on=completed_on,
        provider=provider,
        practitioner=practitioner,
        professional=professional,
        due_on=due,
        working_days_late=status.working_days_late,
        bmi=bmi,
        bmi_centile=centile,
        **details,
    )
    save_versioned(assessment, by)
    for planned in actions:
        save_versioned(
            HealthPlanAction(
                assessment=assessment,
                child=child,
                need=planned.need,
                action=planned.action,
                owner_kind=planned.owner_kind,
                owner_name=planned.owner_name,
                owner=la if planned.owner_kind in FOLLOWED_UP_BY_LA and la else provider,
                due_on=planned.due_on,
            ),
            by,
        )
    summary.record_at_assessment(
        by=by, assessment=assessment, new=new_entries, ended=ended_entries, as_of=as_of
    )
    # The booked appointment it answers, if any (same kind, this period, on that day or the
    # latest before it), is recorded as attended.
    answered = (
        Appointment.objects.filter(
            child=child,
            kind=kind,
            outcome="",
            starts_at__date__gte=period_start,
            starts_at__date__lte=completed_on,
        )
        .order_by("-starts_at")
        .first()
    )
    if answered is not None:
        answered.outcome, answered.outcome_recorded_on = "attended", completed_on
        save_versioned(answered, by)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"recorded {kind} completed {completed_on.isoformat()}",
    )
    return assessment


def checked_sdq(
    child: Child,
    completed_on: date,
    informant: str,
    items: Sequence[int | None],
    impact: Sequence[int | None] | None,
    as_of: date | None,
    *,
    instead_of: SdqResult | None = None,
) -> Any:
    """An SDQ's answers scored, once its date and answers are checked (refused, with the
    field at fault, otherwise); `instead_of` is the SDQ a correction replaces."""
    as_of = as_of or timezone.localdate()
    if completed_on > as_of:
        raise ValidationError({"completed_on": "The SDQ date must be today or in the past"})
    if completed_on < child.date_of_birth:
        raise ValidationError(
            {
                "completed_on": "The SDQ date must be on or after the date of birth, "
                f"{child.date_of_birth:%-d %B %Y}"
            }
        )
    try:
        score = score_sdq(items, impact)
    except ValueError as exc:
        raise ValidationError({"items": str(exc)}) from exc
    if all(item is None for item in items):
        raise ValidationError({"items": "Enter the item scores: no item was answered"})
    same = SdqResult.objects.filter(child=child, completed_on=completed_on, informant=informant)
    if instead_of is not None:
        same = same.exclude(pk=instead_of.pk)
    if same.exists():
        raise ValidationError(
            {"completed_on": "An SDQ from this informant is already recorded on this date"}
        )
    return score


def scored(
    result: SdqResult,
    items: Sequence[int | None],
    impact: Sequence[int | None] | None,
    score: Any,
) -> None:
    """Put an SDQ's answers and their scores on the result."""
    result.items = list(items)
    result.impact_items = list(impact) if impact is not None else None
    for name in ("emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact"):
        setattr(result, name, getattr(score, name))
    result.total_difficulties = score.total_difficulties
    result.band = score.band or ""


@transaction.atomic
def record_sdq(
    *,
    by: Any,
    child: Child,
    completed_on: date,
    informant: str,
    items: Sequence[int | None],
    impact: Sequence[int | None] | None = None,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> SdqResult:
    _require(by, access.HEALTH_RECORD_ROLES, child, "record SDQs")
    score = checked_sdq(child, completed_on, informant, items, impact, as_of)
    result = SdqResult(child=child, completed_on=completed_on, informant=informant, recorded_by=by)
    scored(result, items, impact, score)
    save_versioned(result, by)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"recorded SDQ ({informant}) {completed_on.isoformat()}",
    )
    return result


@transaction.atomic
def complete_action(
    *,
    by: Any,
    action: HealthPlanAction,
    note: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> HealthPlanAction:
    """The owning organisation marks a health plan action done, with a note."""
    if action.owner_id not in access.organisations_for(by, ACTION_ROLES) or not (
        Child.objects.visible_to(by).filter(pk=action.child_id).exists()
    ):
        raise PermissionDenied("Only the organisation that owns an action can mark it done")
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"note": "This action is already closed"})
    if not note.strip():
        raise ValidationError({"note": "Say what was done"})
    action.status, action.done_note = ActionStatus.DONE, note.strip()
    action.done_on, action.done_by = as_of or timezone.localdate(), by
    save_versioned(action, by)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=action.child,
        detail=f"health plan action {action.pk} done",
    )
    return action
