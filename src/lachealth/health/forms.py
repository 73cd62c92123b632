"""Forms for booking, outcomes, assessments with their health plan, SDQs and actions."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from lachealth.date_bounds import APPOINTMENT, PAST_EVENT, PLAN_ACTION_DUE
from lachealth.forms import NhsForm, SplitDateField
from lachealth.people.models import User

from .models import (
    ActionOwner,
    AssessmentKind,
    EntryKind,
    Informant,
    Outcome,
    Professional,
    Severity,
    YesNoUnknown,
)
from .summary import EntryDetails

TIME_PATTERN = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


class BookingForm(NhsForm):
    kind = forms.ChoiceField(
        label="Which assessment?",
        choices=AssessmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which assessment"},
    )
    day = SplitDateField(label="Date of the appointment", bounds=APPOINTMENT)
    start_time = forms.CharField(
        label="Time",
        max_length=5,
        help_text="For example, 14:30",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-5"}),
        error_messages={"required": "Enter the time"},
    )
    venue = forms.CharField(
        label="Where", max_length=200, error_messages={"required": "Enter where the appointment is"}
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner",
        queryset=User.objects.none(),
        empty_label="Choose a practitioner",
        error_messages={"required": "Choose a practitioner"},
    )

    def __init__(self, *args: Any, practitioners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = practitioners

    def clean_start_time(self) -> time:
        match = TIME_PATTERN.match(self.cleaned_data["start_time"])
        if not match:
            raise forms.ValidationError("Enter the time as hours and minutes, like 09:30")
        return time(int(match.group(1)), int(match.group(2)))

    def starts_at(self) -> datetime:
        d = self.cleaned_data
        return timezone.make_aware(datetime.combine(d["day"], d["start_time"]))

    @staticmethod
    def initial_for(appointment: Any) -> dict[str, Any]:
        """The form's starting values from a booking, in local time."""
        local = timezone.localtime(appointment.starts_at)
        return {
            "kind": appointment.kind,
            "day": local.date(),
            "start_time": f"{local:%H:%M}",
            "venue": appointment.venue,
            "practitioner": appointment.practitioner_id,
        }


class OutcomeForm(NhsForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )
    reason = forms.CharField(
        label="Why, if it did not go ahead",
        required=False,
        max_length=500,
        help_text="Up to 500 characters",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


YES_NO = [("yes", "Yes"), ("no", "No")]

#: The longest an assessment's free text may be: a few pages, enough for any summary of the
#: child's voice or needs, and a bound on what one post stores.
NOTE_MAX = 5_000
#: What the page says of each of them, beside the box.
NOTE_HINT = f"Up to {NOTE_MAX:,} characters"


class AssessmentForm(NhsForm):
    kind = forms.ChoiceField(
        label="Which assessment?",
        choices=AssessmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which assessment"},
    )
    completed_on = SplitDateField(label="Date of the assessment", bounds=PAST_EVENT)
    practitioner = forms.ModelChoiceField(
        label="Who did it",
        queryset=User.objects.none(),
        empty_label="Choose a practitioner",
        error_messages={"required": "Choose who did it"},
    )
    professional = forms.ChoiceField(
        label="Their registration",
        choices=Professional.choices,
        widget=forms.RadioSelect,
        help_text="An initial health assessment must be done by a registered medical practitioner",
        error_messages={"required": "Choose their registration"},
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        min_value=30,
        max_value=230,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "classes": "nhsuk-input--width-5"}),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        min_value=1,
        max_value=250,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "classes": "nhsuk-input--width-5"}),
    )
    immunisations = forms.ChoiceField(
        label="Immunisations up to date?",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether immunisations are up to date"},
    )
    immunisations_checked_on = SplitDateField(
        label="Date immunisations checked", required=False, bounds=PAST_EVENT
    )
    dental_check_on = SplitDateField(
        label="Date of the last dental check (if known)", required=False, bounds=PAST_EVENT
    )
    development_check = forms.ChoiceField(
        label="Under 5s: development assessment done?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    sdq_considered = forms.BooleanField(label="SDQ considered", required=False)
    substance_misuse = forms.BooleanField(label="Substance misuse identified", required=False)
    intervention_received = forms.ChoiceField(
        label="If substance misuse is identified: has the child received an intervention for it?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    intervention_offered = forms.ChoiceField(
        label="If no intervention was received: was one offered?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_recorded = forms.BooleanField(label="Consent recorded", required=False)
    voice_of_child = forms.CharField(
        label="The child's voice: what they said about their health and the plan",
        required=False,
        max_length=NOTE_MAX,
        help_text=NOTE_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"The child's voice must be {NOTE_MAX:,} characters or fewer"
        },
    )
    health_needs = forms.CharField(
        label="Health needs identified",
        required=False,
        max_length=NOTE_MAX,
        help_text=NOTE_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Health needs must be {NOTE_MAX:,} characters or fewer"},
    )

    DETAIL_FIELDS = (
        "height_cm",
        "weight_kg",
        "immunisations",
        "immunisations_checked_on",
        "dental_check_on",
        "sdq_considered",
        "substance_misuse",
        "consent_recorded",
        "voice_of_child",
        "health_needs",
    )

    def __init__(self, *args: Any, practitioners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = practitioners

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # One message for one mistake: a height refused is not also "enter both".
        measured = "height_cm" not in self.errors and "weight_kg" not in self.errors
        if measured and bool(data.get("height_cm")) != bool(data.get("weight_kg")):
            self.add_error(
                "weight_kg" if data.get("height_cm") else "height_cm",
                "Enter both height and weight, or neither",
            )
        return data

    def details(self) -> dict[str, Any]:
        d = {name: self.cleaned_data.get(name) for name in self.DETAIL_FIELDS}
        for name in ("development_check", "intervention_received", "intervention_offered"):
            answer = self.cleaned_data.get(name)
            d[name] = None if not answer else answer == "yes"
        return d


#: The most health plan actions, and new summary entries, one assessment form takes: a plan
#: longer than this is no plan; the bound also stops a posted form tying up a worker.
MAX_PLAN_ROWS = 30


class ActionForm(NhsForm):
    need = forms.CharField(label="Need", max_length=300, required=False)
    action = forms.CharField(label="Action", max_length=500, required=False)
    owner_kind = forms.ChoiceField(
        label="Who does it",
        choices=[("", "Choose who does it"), *ActionOwner.choices],
        required=False,
        error_messages={"invalid_choice": "Choose who does it from the list"},
    )
    owner_name = forms.CharField(
        label="Their name (optional)",
        max_length=150,
        required=False,
        help_text="For example, the service or the carer",
    )
    due_on = SplitDateField(
        label="Due by", named="The due date", required=False, bounds=PLAN_ACTION_DUE
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if any(data.get(k) for k in ("need", "action", "owner_kind", "owner_name", "due_on")):
            for name, message in (
                ("need", "Enter the need"),
                ("action", "Enter the action"),
                ("owner_kind", "Choose who does the action"),
                ("due_on", "Enter when the action is due"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows a form adds one at a time ("Add another"), up to `MAX_PLAN_ROWS`."""

    row_label = "Row"

    def filled(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


def _messages(what: str) -> dict[str, Any]:
    return {
        "too_many_forms": f"An assessment can record up to {MAX_PLAN_ROWS} {what}",
        "missing_management_form": "The form was not sent whole: reload the page",
    }


class ActionRows(RowFormSet):
    row_label = "Action"
    default_error_messages = _messages("health plan actions")


def _rows(form: type[forms.Form], formset: type[RowFormSet]) -> Any:
    return forms.formset_factory(
        form,
        formset=formset,
        extra=1,
        max_num=MAX_PLAN_ROWS,
        absolute_max=MAX_PLAN_ROWS,
        validate_max=True,
    )


ActionFormSet = _rows(ActionForm, ActionRows)


class NewEntryForm(NhsForm):
    """A line the assessment adds to the clinical summary."""

    kind = forms.ChoiceField(
        label="What",
        choices=[("", "Choose what it is"), *EntryKind.choices],
        required=False,
        error_messages={"invalid_choice": "Choose what it is from the list"},
    )
    term = forms.CharField(label="Description", max_length=200, required=False)
    code = forms.CharField(
        label="SNOMED CT or dm+d code (optional)",
        max_length=22,
        required=False,
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-20", "inputmode": "numeric"}),
    )
    particulars = forms.CharField(
        label="Dose and how often, or the reaction (optional)",
        max_length=200,
        required=False,
        help_text="For a medicine, its dose; for an allergy, what happens",
    )
    severity = forms.ChoiceField(
        label="For an allergy: how severe (optional)",
        choices=[("", "Not said"), *Severity.choices],
        required=False,
    )
    shareable = forms.BooleanField(
        label="Share with the child's social worker and carer", required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Any box of the row filled or ticked starts an entry, which then needs its kind and
        # description (a row with only "share" ticked is not an entry without them).
        started = ("kind", "term", "code", "particulars", "severity", "shareable")
        if any(data.get(k) for k in started):
            if not data.get("kind") and "kind" not in self.errors:
                self.add_error("kind", "Choose what it is")
            if not data.get("term") and "term" not in self.errors:
                self.add_error("term", "Enter the description")
        return data

    def entry(self) -> tuple[str, EntryDetails]:
        d = self.cleaned_data
        kind = d["kind"]
        return kind, EntryDetails(
            term=d["term"],
            code=d.get("code") or "",
            dose=d.get("particulars", "") if kind == EntryKind.MEDICINE else "",
            reaction=d.get("particulars", "") if kind == EntryKind.ALLERGY else "",
            severity=d.get("severity", "") if kind == EntryKind.ALLERGY else "",
            shareable=bool(d.get("shareable")) or kind == EntryKind.ALERT,
        )


class NewEntryRows(RowFormSet):
    row_label = "New summary entry"
    default_error_messages = _messages("new entries in the clinical summary")


NewEntryFormSet = _rows(NewEntryForm, NewEntryRows)


class ReviewSummaryForm(NhsForm):
    """Which current entries of the summary the assessment found resolved or stopped."""

    ended = forms.MultipleChoiceField(
        label="Resolved or stopped at this assessment",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick any that no longer apply; they end on the date of the assessment",
        error_messages={"invalid_choice": "An entry ticked is no longer current: reload the page"},
    )

    def __init__(self, *args: Any, current: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{e.get_kind_display()}: {e.term}") for e in current
        ]


SCORE_CHOICES = [("0", "0 Not true"), ("1", "1 Somewhat true"), ("2", "2 Certainly true")]
IMPACT_CHOICES = [
    ("", "Not answered"),
    ("0", "Not at all"),
    ("1", "Only a little"),
    ("2", "Quite a lot"),
    ("3", "A great deal"),
]


class SdqForm(NhsForm):
    completed_on = SplitDateField(label="Date the questionnaire was completed", bounds=PAST_EVENT)
    informant = forms.ChoiceField(
        label="Who completed it",
        choices=Informant.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who completed it"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, 26):
            self.fields[f"item_{n}"] = forms.ChoiceField(
                label=f"Item {n}",
                choices=SCORE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Item {n}: choose a score of 0, 1 or 2"},
            )
        for n in range(1, 6):
            self.fields[f"impact_{n}"] = forms.ChoiceField(
                label=f"Impact item {n}", choices=IMPACT_CHOICES, required=False
            )

    def items(self) -> list[int | None]:
        return [_score(self.cleaned_data.get(f"item_{n}")) for n in range(1, 26)]

    def impact(self) -> list[int | None] | None:
        values = [_score(self.cleaned_data.get(f"impact_{n}")) for n in range(1, 6)]
        return values if any(v is not None for v in values) else None


def _score(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


class ActionDoneForm(NhsForm):
    note = forms.CharField(
        label="What was done",
        max_length=500,
        help_text="Up to 500 characters",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done"},
    )
