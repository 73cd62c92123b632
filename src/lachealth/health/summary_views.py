"""The clinical summary pages: add an entry, correct it (or record that it resolved or
stopped), withdraw one made in error; and the summary's two sections of the child's page,
alerts at the top and the summary in the health section."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from lachealth.care import selectors as care_selectors
from lachealth.care.models import Child
from lachealth.date_bounds import PAST_EVENT, RECORD_YEARS, DateBounds
from lachealth.forms import NhsForm, SplitDateField, WithdrawForm, correction_reason_field
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import summary
from .models import ClinicalEntry, EntryKind, Severity

#: Labels that depend on the kind of entry.
LABELS: dict[str, dict[str, str]] = {
    EntryKind.ALERT: {
        "term": "What must carers and clinicians know first?",
        "start": "From (optional)",
        "end": "Until (optional)",
    },
    EntryKind.ALLERGY: {
        "term": "Allergic to",
        "code": "SNOMED CT code (optional)",
        "start": "First noticed (optional)",
        "end": "No longer allergic from (optional)",
    },
    EntryKind.CONDITION: {
        "term": "Condition or diagnosis",
        "code": "SNOMED CT code (optional)",
        "start": "Onset or diagnosed (optional)",
        "end": "Resolved on (optional)",
    },
    EntryKind.MEDICINE: {
        "term": "Medicine",
        "code": "dm+d code (optional)",
        "start": "Started (optional)",
        "end": "Stopped or stops on (optional)",
    },
    EntryKind.DISABILITY: {
        "term": "Disability",
        "code": "SNOMED CT code (optional)",
        "start": "Since (optional)",
        "end": "Until (optional)",
    },
}
#: How far ahead a medicine may stop: a course with a known end, within the year that
#: `summary.MEDICINE_COURSE_AHEAD` allows (the service's check, to the day); every other entry
#: ends, like it starts, by today. On or after the birth is the service's check too.
MEDICINE_END = DateBounds(back=RECORD_YEARS, ahead=None)

CODE_HINTS: dict[str, str] = {
    EntryKind.MEDICINE: "The product's dm+d code, if you know it, like 39732311000001104",
}


class EntryForm(NhsForm):
    term = forms.CharField(label="Description", max_length=200)
    code = forms.CharField(
        label="Code",
        max_length=22,
        required=False,
        help_text="The SNOMED CT concept, if you know it, like 195967001 for asthma",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-20", "inputmode": "numeric"}),
    )
    dose = forms.CharField(
        label="Dose and how often (optional)",
        max_length=150,
        required=False,
        help_text="For example, 2 puffs twice a day",
    )
    reaction = forms.CharField(label="Reaction (optional)", max_length=200, required=False)
    severity = forms.ChoiceField(
        label="How severe is the reaction?",
        choices=Severity.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    start = SplitDateField(
        label="From", required=False, help_text="For example, 27 3 2024", bounds=PAST_EVENT
    )
    end = SplitDateField(label="Until", required=False, bounds=PAST_EVENT)
    shareable = forms.BooleanField(
        label="Share with the child's social worker and carer", required=False
    )
    reason = correction_reason_field()

    def __init__(self, *args: Any, kind: str, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = {"term", *summary.FIELDS_FOR[kind], "shareable"} | (
            {"reason"} if correcting else set()
        )
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        for name, label in LABELS[kind].items():
            if name in self.fields:
                self.fields[name].label = label
        self.fields["term"].error_messages["required"] = f"Enter {summary.TERM_NAME[kind]}"
        if kind == EntryKind.MEDICINE and "end" in self.fields:
            end = self.fields["end"]
            assert isinstance(end, SplitDateField)
            end.bounds = MEDICINE_END
        if kind in CODE_HINTS and "code" in self.fields:
            self.fields["code"].help_text = CODE_HINTS[kind]

    def details(self) -> summary.EntryDetails:
        d = self.cleaned_data
        return summary.EntryDetails(
            term=d["term"],
            code=d.get("code") or "",
            start=d.get("start"),
            end=d.get("end"),
            dose=d.get("dose") or "",
            reaction=d.get("reaction") or "",
            severity=d.get("severity") or "",
            shareable=bool(d.get("shareable")),
        )

    @staticmethod
    def initial_for(entry: ClinicalEntry) -> dict[str, Any]:
        names = ["term", "code", "dose", "reaction", "severity", "start", "end", "shareable"]
        return {name: getattr(entry, name) for name in names}


class ChooseKindForm(NhsForm):
    kind = forms.ChoiceField(
        label="What are you adding to the clinical summary?",
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you are adding"},
    )


def _summary_child(request: HttpRequest, pk: int) -> Child:
    require_child_access(request)
    child = care_selectors.visible_child(request.user, pk)
    if not access.acts_for_child(request.user, summary.SUMMARY_ROLES, child):
        raise PermissionDenied("Only the health team serving the child records its summary")
    return child


def _entry(request: HttpRequest, pk: int) -> ClinicalEntry:
    """An entry of a child the user sees (404 otherwise) and whose summary they record."""
    require_child_access(request)
    entry = get_object_or_404(
        ClinicalEntry.objects.select_related("child"),
        pk=pk,
        child__in=Child.objects.visible_to(request.user),
    )
    _summary_child(request, entry.child_id)
    return entry


def _summary_url(child: Child) -> str:
    return reverse("care:child_detail", args=[child.pk]) + "#clinical-summary"


@reach(summary.SUMMARY_ROLES, OWN_AREA | PLACED_INTO_AREA)
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = _summary_child(request, pk)
    kind = request.GET.get("kind", "")
    if kind not in EntryKind.values:
        choose = ChooseKindForm(request.GET if "kind" in request.GET else None)
        choose.is_valid()
        return form_page(
            request,
            "health/summary_kind.jinja",
            child,
            {"page_title": f"Add to the clinical summary – {child}", "form": choose},
        )
    start = summary.blank(kind)
    form = EntryForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        initial={"shareable": start.shareable},
    )
    label = EntryKind(kind).label
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            summary.add_entry,
            f"{label} added to the clinical summary",
            child=child,
            kind=kind,
            details=form.details(),
        )
    ):
        return redirect(_summary_url(child))
    return form_page(
        request,
        "health/summary_form.jinja",
        child,
        {"page_title": f"Add: {label.lower()} – {child}", "form": form, "label": label},
    )


@reach(summary.SUMMARY_ROLES, OWN_AREA | PLACED_INTO_AREA, model=ClinicalEntry)
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if entry.withdrawn:
        raise PermissionDenied("This entry was withdrawn and cannot be changed")
    form = EntryForm(
        request.POST if request.method == "POST" else None,
        kind=entry.kind,
        correcting=True,
        initial=EntryForm.initial_for(entry),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            summary.correct_entry,
            f"{entry.get_kind_display()} changed",
            entry=entry,
            details=form.details(),
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(_summary_url(entry.child))
    return form_page(
        request,
        "health/summary_form.jinja",
        entry.child,
        {
            "page_title": f"Change: {entry.term} – {entry.child}",
            "form": form,
            "label": entry.get_kind_display(),
            "entry": entry,
        },
    )


@reach(summary.SUMMARY_ROLES, OWN_AREA | PLACED_INTO_AREA, model=ClinicalEntry)
def entry_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            summary.withdraw_entry,
            f"{entry.get_kind_display()} withdrawn",
            entry=entry,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(_summary_url(entry.child))
    return form_page(
        request,
        "withdraw.jinja",
        entry.child,
        {
            "page_title": f"Withdraw: {entry.term} – {entry.child}",
            "form": form,
            "heading": f"Withdraw: {entry.term}",
            "explanation": "The entry will no longer be part of the clinical summary. It and "
            "your reason stay in the history.",
            "button_text": "Withdraw the entry",
            "back": reverse("health:entry_edit", args=[entry.pk]),
            "withdrawn": entry.withdrawn_reason,
        },
    )


def summary_on_page(request: HttpRequest, child: Child) -> summary.Summary:
    """The summary the child's page shows, read once for its two sections (the alerts at the
    top, the summary in the health section)."""
    cache: dict[int, summary.Summary] = request.__dict__.setdefault("_clinical_summaries", {})
    if child.pk not in cache:
        cache[child.pk] = summary.summary_for(request.user, child, timezone.localdate())
    return cache[child.pk]


def alerts_panel(request: HttpRequest, child: Child) -> dict[str, Any] | None:
    """The alerts at the top of the child's page, for everyone who may read them."""
    alerts = summary_on_page(request, child).alerts
    return {"alerts": alerts} if alerts else None
