"""Corrections of the health record: an assessment, an SDQ, a booking or a health plan action
entered wrongly is withdrawn with a reason, or corrected, saying why, by the health roles that
enter them. An assessment's date may move only between the assessments either side of it
(withdraw and record it again to reorder them); the due dates of the reviews after it follow.

A withdrawn record is kept, with its reason in its history, but its model's default manager
(`versioning.CurrentManager`) leaves it out, so every clock, worklist, measure and SSDA903
export follows at once. Withdrawing an assessment withdraws the actions of its plan, reopens
the clock it had stopped, and puts the due dates of the reviews after it back on the law's
chain (each review due from the assessment before it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lachealth.care.models import Child, Episode
from lachealth.people import access, audit
from lachealth.people.models import AccessAction
from lachealth.versioning import correction_reason, save_versioned, withdraw_versioned

from . import clocks
from .models import (
    FOLLOWED_UP_BY_LA,
    ActionOwner,
    Appointment,
    AssessmentKind,
    HealthAssessment,
    HealthPlanAction,
    SdqResult,
)
from .services import (
    ACTION_HORIZON_YEARS,
    bmi_of,
    booking_day_problem,
    check_checks,
    checked_sdq,
    childs_la,
    latest_due,
    scored,
)

#: Who withdraws and corrects each kind of record: the roles that enter it.
RECORDED_BY: dict[type, frozenset[str]] = {
    HealthAssessment: access.ASSESSMENT_ROLES,
    SdqResult: access.HEALTH_RECORD_ROLES,
    Appointment: access.HEALTH_RECORD_ROLES,
    HealthPlanAction: access.HEALTH_RECORD_ROLES,
}

#: How each kind is named in the access log and on its pages.
NAMES: dict[type, str] = {
    HealthAssessment: "assessment",
    SdqResult: "SDQ",
    Appointment: "booking",
    HealthPlanAction: "health plan action",
}


def may_correct(user: Any, record: Any) -> bool:
    return access.acts_for_child(user, RECORDED_BY[type(record)], record.child)


def _require(user: Any, record: Any) -> None:
    if not may_correct(user, record):
        raise PermissionDenied(f"Your role does not let you correct this {NAMES[type(record)]}")


@transaction.atomic
def withdraw(*, by: Any, record: Any, reason: str, request: HttpRequest | None = None) -> Any:
    """Withdraw a record entered in error, saying why: it is kept, but no longer counts."""
    _require(by, record)
    model = type(record)
    record = withdraw_versioned(record, by, reason)
    if model is HealthAssessment:
        for action in record.actions.all():
            why = f"Its assessment was withdrawn: {record.withdrawn_reason}"[:300]
            withdraw_versioned(action, by, why)
        follow_due_dates(
            record.child, by=by, reason=f"an assessment was withdrawn: {record.withdrawn_reason}"
        )
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=record.child,
        detail=f"withdrew {NAMES[model]} {record.pk}",
    )
    return record


def follow_due_dates(child: Child, *, by: Any, reason: str) -> list[HealthAssessment]:
    """Put each assessment's due date and lateness back on the law's chain after one was
    withdrawn: the first initial assessment of a period of care is due 20 working days from
    its start, each review from the assessment before it. Returns those changed."""
    starts = sorted(Episode.objects.filter(child=child, rne="S").values_list("decom", flat=True))
    changed = []
    previous: HealthAssessment | None = None
    period: date | None = None
    for assessment in child.assessments.order_by("completed_on"):
        began = max((s for s in starts if s <= assessment.completed_on), default=None)
        if began != period:
            period, previous = began, None
        if assessment.kind == AssessmentKind.IHA and previous is None and period is not None:
            due = clocks.initial_health_assessment_due(period)
        elif previous is not None:
            due = clocks.review_health_assessment_due(child.date_of_birth, previous.completed_on)
        else:
            due = assessment.due_on  # a review with nothing before it: nothing to follow
        late = clocks.clock_status(
            due, assessment.completed_on, assessment.completed_on
        ).working_days_late
        if (due, late) != (assessment.due_on, assessment.working_days_late):
            assessment.due_on, assessment.working_days_late = due, late
            save_versioned(assessment, by, reason=reason)
            changed.append(assessment)
        previous = assessment
    return changed


@transaction.atomic
def correct_action(
    *,
    by: Any,
    action: HealthPlanAction,
    need: str,
    text: str,
    owner_kind: str,
    owner_name: str,
    due_on: date,
    reason: str,
    request: HttpRequest | None = None,
) -> HealthPlanAction:
    """Correct what an action says, who does it, or when it is due, saying why."""
    _require(by, action)
    action = HealthPlanAction.objects.select_for_update().get(pk=action.pk)
    why = correction_reason(reason)
    if owner_kind not in ActionOwner.values:
        raise ValidationError({"owner_kind": "Choose who does the action"})
    if due_on < action.assessment.completed_on:
        raise ValidationError(
            {
                "due_on": "The due date must be on or after the assessment, "
                f"{action.assessment.completed_on:%-d %B %Y}"
            }
        )
    if due_on > latest_due(action.assessment.completed_on):
        raise ValidationError(
            {
                "due_on": f"The due date must be within {ACTION_HORIZON_YEARS} years of the "
                f"assessment, on or before {latest_due(action.assessment.completed_on):%-d %B %Y}"
            }
        )
    owner = action.assessment.provider
    if owner_kind in FOLLOWED_UP_BY_LA:
        la = childs_la(action.child)
        if la is None:
            raise ValidationError(
                {"owner_kind": "No local authority on lachealth serves the child: choose another"}
            )
        owner = la
    action.need, action.action, action.due_on = need.strip(), text.strip(), due_on
    action.owner_kind, action.owner_name, action.owner = owner_kind, owner_name.strip(), owner
    save_versioned(action, by, reason=why)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=action.child,
        detail=f"corrected health plan action {action.pk}",
    )
    return action


@transaction.atomic
def correct_booking(
    *,
    by: Any,
    appointment: Appointment,
    starts_at: datetime,
    venue: str,
    practitioner: Any,
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Appointment:
    """Correct a booking not yet held (its time, place or practitioner), saying why."""
    _require(by, appointment)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.outcome:
        raise ValidationError({"reason": "This appointment has an outcome: it cannot be changed"})
    why = correction_reason(reason)
    wrong_day = booking_day_problem(timezone.localdate(starts_at), as_of or timezone.localdate())
    if wrong_day:
        raise ValidationError({"day": wrong_day})
    if not access.acts_for_child(practitioner, access.ASSESSMENT_ROLES, appointment.child):
        raise ValidationError(
            {"practitioner": f"{practitioner} is not a health practitioner serving this child"}
        )
    appointment.starts_at, appointment.venue = starts_at, venue.strip()
    appointment.practitioner = practitioner
    save_versioned(appointment, by, reason=why)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=appointment.child,
        detail=f"corrected booking {appointment.pk}",
    )
    return appointment


def _between(child: Child, record: HealthAssessment, on: date, as_of: date) -> None:
    """A corrected assessment date stays in the past, in the same period of care, and
    between the assessments either side, so their order and the law's chain of due dates
    hold."""
    if on > as_of:
        raise ValidationError({"completed_on": "The date must be today or in the past"})
    began = max(
        (
            s
            for s in Episode.objects.filter(child=child, rne="S").values_list("decom", flat=True)
            if s <= record.completed_on
        ),
        default=None,
    )
    if began is not None and on < began:
        raise ValidationError(
            {
                "completed_on": "The date must be on or after the day this period of care "
                f"began ({began:%-d %B %Y})"
            }
        )
    others = HealthAssessment.objects.filter(child=child).exclude(pk=record.pk)
    before = others.filter(completed_on__lt=record.completed_on).order_by("-completed_on").first()
    after = others.filter(completed_on__gt=record.completed_on).order_by("completed_on").first()
    if before and on <= before.completed_on or after and on >= after.completed_on:
        low = f"after {before.completed_on:%-d %B %Y}" if before else ""
        high = f"before {after.completed_on:%-d %B %Y}" if after else ""
        raise ValidationError(
            {
                "completed_on": "The date must stay between the assessments either side: "
                + " and ".join(p for p in (low, high) if p)
                + ". To reorder them, withdraw this one and record it again"
            }
        )


@transaction.atomic
def correct_assessment(
    *,
    by: Any,
    assessment: HealthAssessment,
    completed_on: date,
    practitioner: Any,
    professional: str,
    details: dict[str, Any],
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> HealthAssessment:
    """Correct an assessment's date, who did it and what it found, saying why; its BMI
    centile is worked out again, and the due dates after it follow a changed date."""
    _require(by, assessment)
    assessment = HealthAssessment.objects.select_for_update().get(pk=assessment.pk)
    child = Child.objects.select_for_update().get(pk=assessment.child_id)
    why = correction_reason(reason)
    _between(child, assessment, completed_on, as_of or timezone.localdate())
    if assessment.kind == AssessmentKind.IHA and professional != "medical":
        raise ValidationError(
            {
                "professional": "An initial health assessment must be done by a "
                "registered medical practitioner"
            }
        )
    if not access.acts_for_child(practitioner, access.ASSESSMENT_ROLES, child):
        raise ValidationError(
            {"practitioner": f"{practitioner} is not a health practitioner serving this child"}
        )
    check_checks(child, details, completed_on)
    early = assessment.actions.filter(due_on__lt=completed_on).first()
    if early is not None:
        raise ValidationError(
            {
                "completed_on": f"The plan's action “{early.action}” is due on "
                f"{early.due_on:%-d %B %Y}, before this date: change the action first"
            }
        )
    moved = completed_on != assessment.completed_on
    assessment.completed_on = completed_on
    assessment.practitioner, assessment.professional = practitioner, professional
    for name, value in details.items():
        setattr(assessment, name, value)
    assessment.bmi, assessment.bmi_centile = bmi_of(
        child, completed_on, details.get("height_cm"), details.get("weight_kg")
    )
    save_versioned(assessment, by, reason=why)
    if moved:
        follow_due_dates(child, by=by, reason=f"an assessment's date was corrected: {why}")
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"corrected assessment {assessment.pk}",
    )
    return assessment


@transaction.atomic
def correct_sdq(
    *,
    by: Any,
    sdq: SdqResult,
    completed_on: date,
    informant: str,
    items: list[int | None],
    impact: list[int | None] | None,
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> SdqResult:
    """Correct an SDQ's date, who filled it in, or its answers, saying why: it is scored
    again, and the SDQ clock follows its date."""
    _require(by, sdq)
    sdq = SdqResult.objects.select_for_update().get(pk=sdq.pk)
    why = correction_reason(reason)
    score = checked_sdq(sdq.child, completed_on, informant, items, impact, as_of, instead_of=sdq)
    sdq.completed_on, sdq.informant = completed_on, informant
    scored(sdq, items, impact, score)
    save_versioned(sdq, by, reason=why)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=sdq.child, detail=f"corrected SDQ {sdq.pk}"
    )
    return sdq
