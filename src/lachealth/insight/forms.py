"""The dashboard's filters, read from the query string: period, area, comparison and the
breakdowns. A value that is not offered is refused naming the field, never guessed."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms

from lachealth.care.codes import Sex
from lachealth.forms import NhsForm

from .measures import Breakdown
from .periods import AGE_BANDS, ETHNICITY_GROUPS, PLACEMENT_GROUPS, offered_periods, parse_period
from .selectors import Audience, Choice

ALL = [("", "All")]
#: The breakdown fields, in the order the page shows them.
BREAKDOWNS = ("age_band", "sex", "ethnicity", "placement", "location")


def _choice(label: str, choices: list[tuple[str, str]], what: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=ALL + choices,
        required=False,
        error_messages={"invalid_choice": f"Choose {what} from the list"},
    )


class FilterForm(NhsForm):
    period = forms.ChoiceField(
        label="Period",
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Choose one of your areas from the list"},
    )
    compare = forms.ChoiceField(
        label="Compare with",
        required=False,
        choices=[("footprint", "Your footprint"), ("england", "England (every area on lachealth)")],
        error_messages={"invalid_choice": "Choose your footprint or England"},
    )
    age_band = _choice("Age band", [(b.key, b.label) for b in AGE_BANDS], "an age band")
    sex = _choice("Sex", list(Sex.choices), "a sex")
    ethnicity = _choice(
        "Ethnic group", [(k, v[0]) for k, v in ETHNICITY_GROUPS.items()], "an ethnic group"
    )
    placement = _choice(
        "Placement type", [(k, v[0]) for k, v in PLACEMENT_GROUPS.items()], "a placement type"
    )
    location = _choice(
        "Placed",
        [("in", "Inside the responsible area"), ("out", "Outside the responsible area")],
        "inside or outside the responsible area",
    )

    def __init__(
        self, data: Any, *, audience: Audience, area_names: dict[str, str], as_of: date
    ) -> None:
        periods = offered_periods(as_of)
        initial = {"period": periods[0].key, "compare": "footprint"}
        super().__init__({**initial, **{k: v for k, v in data.items() if v != ""}})
        self.as_of = as_of
        self.suppressed = audience.suppressed
        self.areas = audience.areas
        period_field = self.fields["period"]
        area_field = self.fields["area"]
        assert isinstance(period_field, forms.ChoiceField)
        assert isinstance(area_field, forms.ChoiceField)
        period_field.choices = [
            (p.key, p.label if p.rolling else f"{p.label} (year to 31 March)") for p in periods
        ]
        area_field.choices = [("", "All your areas")] + sorted(
            ((code, name) for code, name in area_names.items() if code in audience.areas),
            key=lambda item: item[1],
        )
        if not audience.suppressed:
            del self.fields["compare"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.suppressed:
            chosen = [name for name in BREAKDOWNS if data.get(name)]
            for name in chosen[1:]:
                first = self.fields[chosen[0]].label or chosen[0]
                self.add_error(
                    name,
                    f"Commissioners break figures down by one characteristic at a time: "
                    f"choose All here, or All for {str(first).lower()}",
                )
            if chosen and data.get("area") and len(self.areas) > 1:
                self.add_error(
                    chosen[0],
                    "Broken down by a characteristic, figures are for your whole footprint, "
                    "not one area: choose All here, or All your areas",
                )
        return data

    def choice(self) -> Choice:
        """The validated filters as what the selectors take."""
        data = self.cleaned_data
        return Choice(
            period=parse_period(data["period"], as_of=self.as_of),
            focus=data.get("area") or "",
            england=data.get("compare") == "england",
            breakdown=Breakdown(
                age_band=data["age_band"],
                sex=data["sex"],
                ethnicity=data["ethnicity"],
                placement=data["placement"],
                location=data["location"],
            ),
        )

    def query(self) -> str:
        """The filters as a query string, for links and downloads that keep them."""
        return urlencode({k: v for k, v in self.cleaned_data.items() if v})
