"""Forms for the care record: field parsing only; the rules live in episodes.py and services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from lachealth.date_bounds import DATE_OF_BIRTH, PAST_EVENT
from lachealth.forms import NhsForm, SplitDateField
from lachealth.people.models import Area

from .codes import (
    CURRENT_PLACE_CHOICES,
    LEAVING_CARE_CHOICES,
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    PlacementProvider,
    ReasonPlaceChange,
    Sex,
)
from .models import normalise_postcode, validate_nhs_number, validate_upn
from .services import PlacementDetails


def _choose(label: str, choices: list[tuple[str, str]], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choose one"), *[(v, f"{v}: {t}") for v, t in choices]],
        error_messages={
            "required": f"Choose the {label.lower()}",
            "invalid_choice": f"Choose a {label.lower()} from the list",
        },
        **kwargs,
    )


def _upper(value: str) -> str:
    return value.replace(" ", "").upper()


class ChildDetailsForm(NhsForm):
    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=10,
        help_text="The child's ID in your case management system (SSDA903 CHILD), "
        "up to 10 characters",
        error_messages={"required": "Enter the LA child ID"},
    )
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    former_names = forms.CharField(
        label="Other or former names (optional)",
        required=False,
        max_length=200,
        help_text="Names the child has been known by, so that a search for them finds the child",
    )
    date_of_birth = SplitDateField(
        label="Date of birth", help_text="For example, 27 3 2015", bounds=DATE_OF_BIRTH
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's sex"},
    )
    ethnicity = _choose("Ethnicity", Ethnicity.choices)
    nhs_number = forms.CharField(
        label="NHS number (if known)",
        required=False,
        max_length=14,
        help_text="10 digits, for example 999 123 4519",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-10"}),
    )
    mother = forms.ChoiceField(
        label="Is she a mother?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("no", "No"), ("yes", "Yes")],
        help_text="For girls and young women only; the SSDA903 return asks it",
    )
    upn = forms.CharField(
        label="Unique pupil number (UPN, if known)",
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-20"}),
    )

    DETAIL_FIELDS = (
        "la_child_id",
        "first_name",
        "last_name",
        "former_names",
        "date_of_birth",
        "sex",
        "mother",
        "ethnicity",
        "nhs_number",
        "upn",
    )

    def clean_la_child_id(self) -> str:
        return self.cleaned_data["la_child_id"].strip()

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].replace(" ", "").replace("-", "")
        if value:
            validate_nhs_number(value)
        return value

    def clean_upn(self) -> str:
        value = _upper(self.cleaned_data["upn"])
        if value:
            validate_upn(value)
        return value

    def clean_mother(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("mother") or "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("mother") is not None and data.get("sex") == "M":
            self.add_error(
                "mother",
                "Only a girl or young woman is recorded as a mother: leave this empty for a boy",
            )
        return data

    @staticmethod
    def initial_for(child: Any) -> dict[str, Any]:
        """The form's starting values from a child's record."""
        initial = {name: getattr(child, name) for name in ChildDetailsForm.DETAIL_FIELDS}
        initial["mother"] = "" if child.mother is None else ("yes" if child.mother else "no")
        return initial

    def child_details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.DETAIL_FIELDS}


class PlacementFieldsMixin(forms.Form):
    place = _choose("Placement type", CURRENT_PLACE_CHOICES, required=False)
    place_provider = _choose("Placement provider", PlacementProvider.choices, required=False)
    placement_area = forms.ModelChoiceField(
        label="Placement area",
        queryset=Area.objects.order_by("name"),
        required=False,
        empty_label="Choose the local authority area",
        to_field_name="code",
        help_text="The local authority area the child lives in; for a placement in Wales, "
        "Scotland or Northern Ireland, the nation",
        error_messages={"invalid_choice": "Choose a placement area from the list"},
    )
    pl_post = forms.CharField(
        label="Placement postcode",
        max_length=10,
        required=False,
        help_text="The full postcode of where the child lives, for example LS1 4AP. The "
        "SSDA903 return needs it to work out the placement's area and distance from home",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-10", "autocomplete": "off"}),
    )
    urn = forms.CharField(
        label="Ofsted URN (if the placement is registered with Ofsted)",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-10"}),
    )

    PLACEMENT_REQUIRED = {
        "place": "Choose the placement type",
        "place_provider": "Choose the placement provider",
        "placement_area": "Choose the placement area",
        "pl_post": "Enter the placement postcode",
    }

    def clean_pl_post(self) -> str:
        value = self.cleaned_data["pl_post"]
        return normalise_postcode(value) if value.strip() else ""

    def require_placement(self) -> None:
        for name, message in self.PLACEMENT_REQUIRED.items():
            if not self.cleaned_data.get(name) and name not in self.errors:
                self.add_error(name, message)

    def placement(self) -> PlacementDetails:
        d = self.cleaned_data
        return PlacementDetails(
            place=d["place"],
            place_provider=d["place_provider"],
            placement_area=d["placement_area"],
            pl_post=d["pl_post"],
            urn=d["urn"].strip(),
        )


class FirstEpisodeMixin(PlacementFieldsMixin):
    decom = SplitDateField(label="Date the child started to be looked after", bounds=PAST_EVENT)
    ls = _choose("Legal status", LegalStatus.choices)
    cin = _choose("Category of need", CategoryOfNeed.choices)
    home_post = forms.CharField(
        label="Home postcode (if known)",
        max_length=10,
        required=False,
        help_text="The full postcode of the home the child came from, for example BD7 1AA",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-10", "autocomplete": "off"}),
    )

    def clean_home_post(self) -> str:
        value = self.cleaned_data["home_post"]
        return normalise_postcode(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.require_placement()
        return data


FIRST_EPISODE_FIELDS = [
    "decom",
    "ls",
    "cin",
    "home_post",
    "place",
    "place_provider",
    "placement_area",
    "pl_post",
    "urn",
]


class EntryToCareForm(ChildDetailsForm, FirstEpisodeMixin):
    # The order the page shows them, so the error summary lists problems in the same order.
    field_order = [
        "responsible_area",
        *ChildDetailsForm.DETAIL_FIELDS,
        "gp_practice_name",
        "gp_practice_code",
        *FIRST_EPISODE_FIELDS,
    ]

    gp_practice_name = forms.CharField(
        label="GP practice (if known)", required=False, max_length=150
    )
    gp_practice_code = forms.CharField(
        label="GP practice code (if known)",
        required=False,
        max_length=8,
        help_text="The practice's ODS code, for example B86001",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-10"}),
    )

    responsible_area = forms.ModelChoiceField(
        label="Responsible local authority",
        queryset=Area.objects.none(),
        to_field_name="code",
        empty_label=None,
        error_messages={"required": "Choose the responsible local authority"},
    )

    def __init__(self, *args: Any, recording_areas: frozenset[str] = frozenset(), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(code__in=recording_areas)
        if len(recording_areas) == 1 and not self.is_bound:
            self.fields["placement_area"].initial = next(iter(recording_areas))

    def clean_gp_practice_code(self) -> str:
        return _upper(self.cleaned_data["gp_practice_code"])

    def gp_practice(self) -> tuple[str, str]:
        """The GP practice's name and code as typed (both empty when not known)."""
        return self.cleaned_data["gp_practice_name"].strip(), self.cleaned_data["gp_practice_code"]


class NewPeriodForm(FirstEpisodeMixin, NhsForm):
    field_order = FIRST_EPISODE_FIELDS


CHANGE_KINDS = [
    ("placement", "The placement"),
    ("legal_status", "The legal status"),
    ("both", "Both the placement and the legal status"),
]


class ChangeForm(PlacementFieldsMixin, NhsForm):
    field_order = [
        "what",
        "decom",
        "ls",
        "place",
        "place_provider",
        "placement_area",
        "pl_post",
        "urn",
        "same_carer",
        "reason_place_change",
    ]

    what = forms.ChoiceField(
        label="What is changing?",
        choices=CHANGE_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is changing"},
    )
    decom = SplitDateField(label="Date of the change", bounds=PAST_EVENT)
    ls = _choose("Legal status", LegalStatus.choices, required=False)
    same_carer = forms.ChoiceField(
        label="Is the child staying with the same carer(s)?",
        required=False,
        choices=[("yes", "Yes, the same carer(s)"), ("no", "No, new carer(s)")],
        widget=forms.RadioSelect,
        help_text="Only if the placement changes. For example, foster carers moving house "
        "with the child is the same carer",
    )
    reason_place_change = _choose(
        "Reason for the placement change", ReasonPlaceChange.choices, required=False
    )

    def __init__(self, *args: Any, current_ls: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_ls = current_ls
        self.fields["ls"].help_text = (
            f"Currently {current_ls}: only if the legal status changes" if current_ls else ""
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        what = data.get("what")
        if what in ("legal_status", "both"):
            if not data.get("ls"):
                self.add_error("ls", "Choose the new legal status")
            elif data["ls"] == self.current_ls:
                self.add_error(
                    "ls", f"The legal status is already {self.current_ls}: choose the new one"
                )
        else:
            data["ls"] = self.current_ls
        if what in ("placement", "both"):
            self.require_placement()
            if not data.get("same_carer"):
                self.add_error("same_carer", "Say whether the child stays with the same carer(s)")
            if not data.get("reason_place_change"):
                self.add_error("reason_place_change", "Choose why the placement changed")
        return data

    @property
    def placement_changes(self) -> bool:
        return self.cleaned_data.get("what") in ("placement", "both")


class LeavingCareForm(NhsForm):
    dec = SplitDateField(label="Date the child stopped being looked after", bounds=PAST_EVENT)
    rec = _choose("Reason care ended", LEAVING_CARE_CHOICES)


class CorrectDatesForm(NhsForm):
    decom = SplitDateField(label="The date this episode began", bounds=PAST_EVENT)
    dec = SplitDateField(label="The date care ended", bounds=PAST_EVENT)
    reason = forms.CharField(
        label="Why is the date corrected?",
        max_length=300,
        help_text="For example, the move was typed as the 10th; the child moved on the 8th",
        error_messages={"required": "Say why the date is corrected"},
    )

    def __init__(self, *args: Any, ends_care: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ends_care:
            del self.fields["dec"]
