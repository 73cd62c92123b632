"""The pages that put the health record right: withdraw an assessment, SDQ, booking or action
entered in error; correct a booking or an action. Only the health roles that enter a record
reach its pages, and only for children they serve (404 for any other child)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from lachealth.care.models import Child
from lachealth.forms import NhsForm, WithdrawForm, correction_reason_field
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import corrections
from .forms import ActionForm, AssessmentForm, BookingForm, SdqForm
from .models import Appointment, HealthAssessment, HealthPlanAction, SdqResult
from .views import practitioners_for

#: The records that can be withdrawn, by the name their URL gives them.
WITHDRAWABLE: dict[str, type] = {
    "assessment": HealthAssessment,
    "sdq": SdqResult,
    "booking": Appointment,
    "action": HealthPlanAction,
}


def every_withdrawable(view: Any) -> Any:
    """Declare the withdrawal page's reach for each kind of record it takes: the roles that
    enter that kind, for children they serve."""
    for kind, model in WITHDRAWABLE.items():
        grant = reach(
            corrections.RECORDED_BY[model],
            OWN_AREA | PLACED_INTO_AREA,
            model=model,
            when={"kind": kind},
        )
        view = grant(view)
    return view


class ReasonMixin(forms.Form):
    reason = correction_reason_field()


class ActionCorrectionForm(ActionForm, ReasonMixin, NhsForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, message in (("need", "Enter the need"), ("action", "Enter the action")):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data


class AssessmentCorrectionForm(AssessmentForm, ReasonMixin):
    """What an assessment found, who did it and when, and why it is changed; its kind is
    fixed (withdraw it and record it again to change that)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]

    @staticmethod
    def initial_for(assessment: HealthAssessment) -> dict[str, Any]:
        initial = {name: getattr(assessment, name) for name in AssessmentForm.DETAIL_FIELDS}
        for name in ("development_check", "intervention_received", "intervention_offered"):
            value = getattr(assessment, name)
            initial[name] = "" if value is None else ("yes" if value else "no")
        return initial | {
            "completed_on": assessment.completed_on,
            "practitioner": assessment.practitioner_id,
            "professional": assessment.professional,
        }


class SdqCorrectionForm(SdqForm, ReasonMixin):
    @staticmethod
    def initial_for(sdq: SdqResult) -> dict[str, Any]:
        initial: dict[str, Any] = {"completed_on": sdq.completed_on, "informant": sdq.informant}
        for n, value in enumerate(sdq.items, start=1):
            initial[f"item_{n}"] = "" if value is None else str(value)
        for n, value in enumerate(sdq.impact_items or [], start=1):
            initial[f"impact_{n}"] = "" if value is None else str(value)
        return initial


class BookingCorrectionForm(BookingForm, ReasonMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


def _record(request: HttpRequest, model: type, pk: int) -> Any:
    """A record of a child the user sees (404 otherwise) that the user may correct (403)."""
    require_child_access(request)
    record = get_object_or_404(
        model.everything.select_related("child"),  # type: ignore[attr-defined]
        pk=pk,
        child__in=Child.objects.visible_to(request.user),
    )
    if not corrections.may_correct(request.user, record):
        name = corrections.NAMES[model]
        raise PermissionDenied(f"Your role does not let you correct this {name}")
    return record


@every_withdrawable
def record_withdraw(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = WITHDRAWABLE.get(kind)
    if model is None:
        raise Http404("No such kind of record")
    record = _record(request, model, pk)
    name = corrections.NAMES[model]
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            corrections.withdraw,
            f"The {name} was withdrawn",
            record=record,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect("care:child_detail", pk=record.child_id)
    return form_page(
        request,
        "withdraw.jinja",
        record.child,
        {
            "page_title": f"Withdraw the {name} – {record.child}",
            "form": form,
            "heading": f"Withdraw the {name}",
            "explanation": f"{record}. A withdrawn {name} stays in the history with your "
            "reason, but no longer counts: the clocks, lists, measures and SSDA903 return "
            "leave it out."
            + (
                " The actions of its health plan are withdrawn with it, and the clock it "
                "stopped runs again."
                if model is HealthAssessment
                else ""
            ),
            "button_text": f"Withdraw the {name}",
            "back": reverse("care:child_detail", args=[record.child_id]),
            "withdrawn": record.withdrawn_reason,
        },
    )


@reach(
    corrections.RECORDED_BY[HealthPlanAction], OWN_AREA | PLACED_INTO_AREA, model=HealthPlanAction
)
def action_correct(request: HttpRequest, pk: int) -> HttpResponse:
    action = _record(request, HealthPlanAction, pk)
    if action.withdrawn_reason:
        raise PermissionDenied("This action was withdrawn and cannot be changed")
    form = ActionCorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "need": action.need,
            "action": action.action,
            "owner_kind": action.owner_kind,
            "owner_name": action.owner_name,
            "due_on": action.due_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            corrections.correct_action,
            "Action changed",
            action=action,
            need=d["need"],
            text=d["action"],
            owner_kind=d["owner_kind"],
            owner_name=d["owner_name"],
            due_on=d["due_on"],
            reason=d["reason"],
        ):
            return redirect("care:child_detail", pk=action.child_id)
    return form_page(
        request,
        "health/correct.jinja",
        action.child,
        {
            "page_title": f"Change a health plan action – {action.child}",
            "form": form,
            "heading": "Change a health plan action",
            "withdraw": ("action", action.pk),
        },
    )


@reach(corrections.RECORDED_BY[Appointment], OWN_AREA | PLACED_INTO_AREA, model=Appointment)
def booking_correct(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _record(request, Appointment, pk)
    if booking.withdrawn_reason or booking.outcome:
        raise PermissionDenied("This appointment can no longer be changed")
    form = BookingCorrectionForm(
        request.POST if request.method == "POST" else None,
        practitioners=practitioners_for(booking.child),
        initial=BookingForm.initial_for(booking),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            corrections.correct_booking,
            "Appointment changed",
            appointment=booking,
            starts_at=form.starts_at(),
            venue=d["venue"],
            practitioner=d["practitioner"],
            reason=d["reason"],
        ):
            return redirect("care:child_detail", pk=booking.child_id)
    return form_page(
        request,
        "health/correct.jinja",
        booking.child,
        {
            "page_title": f"Change an appointment – {booking.child}",
            "form": form,
            "heading": f"Change the {booking.get_kind_display().lower()} appointment",
            "withdraw": ("booking", booking.pk),
        },
    )


@reach(
    corrections.RECORDED_BY[HealthAssessment], OWN_AREA | PLACED_INTO_AREA, model=HealthAssessment
)
def assessment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _record(request, HealthAssessment, pk)
    if assessment.withdrawn_reason:
        raise PermissionDenied("This assessment was withdrawn and cannot be changed")
    form = AssessmentCorrectionForm(
        request.POST if request.method == "POST" else None,
        practitioners=practitioners_for(assessment.child),
        initial=AssessmentCorrectionForm.initial_for(assessment),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            corrections.correct_assessment,
            "Assessment changed",
            assessment=assessment,
            completed_on=d["completed_on"],
            practitioner=d["practitioner"],
            professional=d["professional"],
            details=form.details(),
            reason=d["reason"],
        ):
            return redirect("care:child_detail", pk=assessment.child_id)
    return form_page(
        request,
        "health/correct.jinja",
        assessment.child,
        {
            "page_title": f"Change an assessment – {assessment.child}",
            "form": form,
            "heading": f"Change the {assessment.get_kind_display().lower()} of "
            f"{assessment.completed_on:%-d %B %Y}",
            "withdraw": ("assessment", assessment.pk),
        },
    )


@reach(corrections.RECORDED_BY[SdqResult], OWN_AREA | PLACED_INTO_AREA, model=SdqResult)
def sdq_correct(request: HttpRequest, pk: int) -> HttpResponse:
    sdq = _record(request, SdqResult, pk)
    if sdq.withdrawn_reason:
        raise PermissionDenied("This SDQ was withdrawn and cannot be changed")
    form = SdqCorrectionForm(
        request.POST if request.method == "POST" else None,
        initial=SdqCorrectionForm.initial_for(sdq),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            corrections.correct_sdq,
            "SDQ changed and scored again",
            sdq=sdq,
            completed_on=d["completed_on"],
            informant=d["informant"],
            items=form.items(),
            impact=form.impact(),
            reason=d["reason"],
        ):
            return redirect("care:child_detail", pk=sdq.child_id)
    return form_page(
        request,
        "health/sdq.jinja",
        sdq.child,
        {
            "page_title": f"Change an SDQ – {sdq.child}",
            "form": form,
            "correcting": sdq,
        },
    )
