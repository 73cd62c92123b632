"""The forms of the provider pages: what users type, bounded and parsed; the rules are the
services' (`providers.py`), whose refusals land beside these fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from lachealth.forms import NhsForm, SplitDateField
from lachealth.people.models import Area, Organisation

from .models import ConcernStatus, Provider, ProviderKind, QualityAction, Severity, VisitGrade
from .providers import TEXT_MAX, ActionDetails

#: Actions a visit's outcome records at once (more are added by recording it again).
VISIT_ACTION_ROWS = 3
WIDTH_10 = {"classes": "nhsuk-input--width-10"}


def _text(label: str, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
        **kwargs,
    )


class ChoosesOneOf(NhsForm):
    """A form with choices the user makes only when there are several (their organisation,
    an area): with one, the field is not shown and that one is taken."""

    single_choice_fields: tuple[str, ...] = ()
    required_messages: dict[str, str] = {}

    def _choices(self, name: str) -> QuerySet[Any]:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
        return field.queryset

    def shown(self, name: str) -> bool:
        return self._choices(name).count() != 1

    def full_clean(self) -> None:
        # A choice not shown takes its one value whatever is posted, so that no message
        # points at a field that is not on the page.
        for name in self.single_choice_fields:
            only = list(self._choices(name)[:2])
            if len(only) == 1:
                self.fields[name].disabled = True
                self.fields[name].initial = only[0].pk
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in self.single_choice_fields:
            if data.get(name) is None and name not in self.errors:
                only = list(self._choices(name)[:2])
                if len(only) == 1:
                    data[name] = only[0]
                else:
                    self.add_error(name, self.required_messages[name])
        return data


class ProviderForm(NhsForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the provider's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of provision",
        choices=[("", "Choose the kind of provision"), *ProviderKind.choices],
        error_messages={"required": "Choose what kind of provision it is"},
    )
    urn = forms.CharField(
        label="Ofsted URN (if it has one)",
        max_length=8,
        required=False,
        help_text="For example, SC123456. Placements with this URN are shown as placed here.",
        widget=forms.TextInput(attrs=WIDTH_10),
    )
    area = forms.ModelChoiceField(
        label="Area where it is",
        queryset=Area.objects.order_by("name"),
        empty_label="Choose the area",
        error_messages={"required": "Choose where the provider is"},
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs=WIDTH_10),
    )
    opened_on = SplitDateField(
        label="Date it opened",
        help_text="Visits to it cannot be dated before this. For example, 27 3 2019",
    )

    @staticmethod
    def initial_from(provider: Provider) -> dict[str, Any]:
        return {
            "name": provider.name,
            "kind": provider.kind,
            "urn": provider.urn,
            "area": provider.area_id,
            "postcode": provider.postcode,
            "opened_on": provider.opened_on,
        }

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "kind": d["kind"],
            "urn": d.get("urn") or "",
            "area_code": d["area"].code,
            "postcode": d.get("postcode") or "",
            "opened_on": d["opened_on"],
        }


class VisitForm(ChoosesOneOf):
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.order_by("name"),
        empty_label="Choose the provider",
        error_messages={"required": "Choose the provider to visit"},
    )
    organisation = forms.ModelChoiceField(
        label="Visiting organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose the organisation",
        required=False,
    )
    area = forms.ModelChoiceField(
        label="Whose timetable is it on?",
        help_text="One of the visiting organisation's areas",
        queryset=Area.objects.none(),
        empty_label="Choose the area",
        required=False,
    )
    planned_on = SplitDateField(label="Date of the visit", help_text="For example, 27 3 2027")
    purpose = forms.CharField(
        label="What is the visit for?",
        max_length=300,
        help_text="For example, an annual quality visit, or following up a concern",
        error_messages={"required": "Say what the visit is for"},
    )
    single_choice_fields = ("organisation", "area")
    required_messages = {
        "organisation": "Choose the visiting organisation",
        "area": "Choose whose timetable the visit is on",
    }

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("organisation", organisations), ("area", areas)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


def _add_action_rows(form: forms.Form, rows: int) -> None:
    for i in range(1, rows + 1):
        said = f" {i}" if rows > 1 else ""
        form.fields[f"action_{i}_text"] = forms.CharField(
            label=f"Action{said}", max_length=300, required=False
        )
        form.fields[f"action_{i}_owner"] = forms.CharField(
            label=f"Who owns action{said}",
            max_length=150,
            required=False,
            help_text="A person or a team",
        )
        form.fields[f"action_{i}_due"] = SplitDateField(
            label=f"Action{said} due by", required=False
        )


def _action_rows(form: NhsForm, rows: int) -> list[tuple[int, ActionDetails]]:
    """The rows filled in, each whole, with their numbers (a part-filled row is an error on
    its empty parts)."""
    found = []
    for i in range(1, rows + 1):
        said = f" {i}" if rows > 1 else ""
        names = {part: f"action_{i}_{part}" for part in ("text", "owner", "due")}
        if any(n in form.errors for n in names.values()):
            continue
        values = {part: form.cleaned_data.get(name) for part, name in names.items()}
        if not any(values.values()):
            continue
        missing = {
            "text": f"Enter what action{said} is",
            "owner": f"Say who owns action{said}",
            "due": f"Enter when action{said} is due",
        }
        for part, message in missing.items():
            if not values[part]:
                form.add_error(names[part], message)
        text, owner, due = values["text"], values["owner"], values["due"]
        if text and owner and due:
            found.append((i, ActionDetails(str(text), str(owner), due)))
    return found


def _done_field(open_actions: list[QualityAction]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Which actions are done?",
        choices=[
            (str(a.pk), f"{a.text} ({a.owner}, due {a.due_on:%-d %B %Y})") for a in open_actions
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class WithActions(NhsForm):
    """A form that agrees new actions and marks open ones done."""

    action_rows = 1

    def __init__(self, *args: Any, open_actions: list[QualityAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if open_actions:
            self.fields["done"] = _done_field(open_actions)
        _add_action_rows(self, self.action_rows)

    def clean(self) -> dict[str, Any]:
        super().clean()
        rows = _action_rows(self, self.action_rows)
        self.row_numbers = [number for number, _ in rows]
        self.new_actions = [action for _, action in rows]
        return self.cleaned_data

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service numbers the actions it was given; put each error on its row."""
        if hasattr(exc, "error_dict"):
            moved = {}
            for key, errors in exc.error_dict.items():
                found = re.fullmatch(r"action_(\d+)_(\w+)", key)
                if found and int(found[1]) <= len(self.row_numbers):
                    key = f"action_{self.row_numbers[int(found[1]) - 1]}_{found[2]}"
                moved[key] = errors
            exc = ValidationError(moved)
        super().add_service_errors(exc)

    def done_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("done") or []]

    def action_names(self) -> list[list[str]]:
        return [
            [f"action_{i}_{part}" for part in ("text", "owner", "due")]
            for i in range(1, self.action_rows + 1)
        ]


class OutcomeForm(WithActions):
    visitors = forms.CharField(
        label="Who went",
        max_length=300,
        help_text="Their names and roles",
        error_messages={"required": "Say who went on the visit"},
    )
    findings = _text(
        "What the visit found", error_messages={"required": "Enter what the visit found"}
    )
    outcome = forms.ChoiceField(
        label="Outcome grade",
        choices=VisitGrade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the visit's outcome grade"},
    )
    action_rows = VISIT_ACTION_ROWS


class CancelForm(NhsForm):
    reason = forms.CharField(
        label="Why is the visit cancelled?",
        max_length=300,
        error_messages={"required": "Say why the visit is cancelled"},
    )


class ConcernForm(ChoosesOneOf):
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.order_by("name"),
        empty_label="Choose the provider",
        error_messages={"required": "Choose the provider the concern is about"},
    )
    area = forms.ModelChoiceField(
        label="Whose register is it on?",
        queryset=Area.objects.none(),
        empty_label="Choose the area",
        required=False,
    )
    raised_by = forms.ModelChoiceField(
        label="Raised by",
        help_text="Your organisation that raises it: it must serve the register's area",
        queryset=Organisation.objects.none(),
        empty_label="Choose the organisation",
        required=False,
    )
    raised_on = SplitDateField(label="Date raised", help_text="For example, 27 3 2027")
    severity = forms.ChoiceField(
        label="How serious is it?",
        choices=Severity.choices,
        widget=forms.RadioSelect,
        help_text="An open serious concern is shown to the health teams of children placed there",
        error_messages={"required": "Choose how serious the concern is"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        error_messages={"required": "Enter a summary of the concern"},
    )
    details = _text("Details (optional)", required=False)
    told = forms.ModelMultipleChoiceField(
        label="Which organisations have been told?",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    told_other = forms.ModelChoiceField(
        label="Another organisation told (optional)",
        help_text="One that does not serve your areas",
        queryset=Organisation.objects.none(),
        empty_label="None",
        required=False,
    )
    single_choice_fields = ("area", "raised_by")
    required_messages = {
        "area": "Choose whose register the concern is on",
        "raised_by": "Choose the organisation raising the concern",
    }

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Area],
        organisations: QuerySet[Organisation],
        nearby: QuerySet[Organisation],
        others: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("area", areas),
            ("raised_by", organisations),
            ("told", nearby),
            ("told_other", others),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def told_organisations(self) -> list[Organisation]:
        d = self.cleaned_data
        return [*d.get("told", []), *([d["told_other"]] if d.get("told_other") else [])]


class ConcernUpdateForm(WithActions):
    status = forms.ChoiceField(
        label="Status",
        choices=ConcernStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the concern's status"},
    )
    tell = forms.ModelMultipleChoiceField(
        label="Which other organisations have been told?",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tell_other = forms.ModelChoiceField(
        label="Another organisation told (optional)",
        queryset=Organisation.objects.none(),
        empty_label="None",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        nearby: QuerySet[Organisation],
        others: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("tell", nearby), ("tell_other", others)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def told_organisations(self) -> list[Organisation]:
        d = self.cleaned_data
        return [*d.get("tell", []), *([d["tell_other"]] if d.get("tell_other") else [])]


class JointFundingForm(ChoosesOneOf):
    icb = forms.ModelChoiceField(
        label="ICB funding with the council",
        queryset=Organisation.objects.none(),
        empty_label="Choose the ICB",
        required=False,
    )
    starts_on = SplitDateField(label="Start date", help_text="For example, 1 4 2027")
    ends_on = SplitDateField(
        label="End date (optional)", required=False, help_text="Leave empty if none is agreed"
    )
    council_share = forms.IntegerField(
        label="Council's share (%)",
        min_value=0,
        max_value=100,
        help_text="The ICB pays the rest",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-3"}),
        # "%%": Django puts the limit into these messages with the % operator.
        error_messages={
            "required": "Enter the council's share, from 0 to 100",
            "max_value": "The council's share must be between 0 and 100%%",
            "min_value": "The council's share must be between 0 and 100%%",
        },
    )
    council_responsibilities = _text(
        "What the council is responsible for",
        error_messages={"required": "Say what the council is responsible for"},
    )
    icb_responsibilities = _text(
        "What the ICB is responsible for",
        error_messages={"required": "Say what the ICB is responsible for"},
    )
    agreed_on = SplitDateField(label="Date agreed")
    single_choice_fields = ("icb",)
    required_messages = {"icb": "Choose the ICB funding with the council"}

    def __init__(self, *args: Any, icbs: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["icb"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = icbs


class EndFundingForm(NhsForm):
    ends_on = SplitDateField(label="Date it ends", help_text="For example, 31 3 2027")
