"""The projections page's questions (read from the query string: the page changes nothing)
and the unit costs form. A value that is not offered is refused naming the field."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms

from lachealth.forms import NhsForm

from . import projection
from .models import COST_CATEGORIES, MAX_WEEKLY_COST
from .projections import Choice

#: How far back the day of a projection may be put (a past projection, to compare).
PAST_MONTH_ENDS = 36
HORIZONS = (12, 24, 36, 48, 60)
#: A scenario changes a rate by at most this much either way (percent); more is a slip.
MAX_CHANGE = 200
CATEGORY_NAMES = dict(COST_CATEGORIES)


def _month_ends_back(today: date, count: int) -> list[date]:
    """The `count` month ends before today's month, newest first (today is offered apart)."""
    return projection.month_ends_before(today.replace(day=1) - timedelta(days=1), count)[::-1]


def _change(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal(-90),
        max_value=Decimal(MAX_CHANGE),
        help_text="A percentage: 10 for 10% more, -10 for 10% fewer",
        error_messages={
            "invalid": f"{label} must be a number, like 10 or -5",
            "min_value": f"{label} must be -90 or more: a rate cannot fall by more than 90%%",
            "max_value": f"{label} must be {MAX_CHANGE} or less",
            "max_digits": f"{label} must be -90 to {MAX_CHANGE}, with at most one decimal place",
            "max_decimal_places": f"{label} may have one decimal place at most",
            "max_whole_digits": f"{label} must be -90 to {MAX_CHANGE}",
        },
    )


class ProjectionForm(NhsForm):
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Choose one of your areas from the list"},
    )
    as_of = forms.ChoiceField(
        label="Project from",
        error_messages={"invalid_choice": "Choose today or a month end from the list"},
    )
    months = forms.TypedChoiceField(
        label="How far ahead",
        coerce=int,
        choices=[(m, f"{m // 12} year{'s' if m > 12 else ''} ({m} months)") for m in HORIZONS],
        error_messages={"invalid_choice": "Choose 1 to 5 years ahead from the list"},
    )
    reference_years = forms.TypedChoiceField(
        label="Years of the record the rates are fitted from",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            (
                "",
                f"{projection.DEFAULT_REFERENCE_YEARS} years, or fewer if the record is shorter",
            )
        ]
        + [(y, f"{y} year{'s' if y > 1 else ''}") for y in range(1, 6)],
        error_messages={"invalid_choice": "Choose 1 to 5 years from the list"},
    )
    entries_change = _change("Change in entries to care")
    moves_change = _change("Change in moves between placements")
    moves_from = forms.ChoiceField(
        label="Moves out of",
        required=False,
        choices=[("", "Every kind of placement")] + COST_CATEGORIES,
        error_messages={"invalid_choice": "Choose a kind of placement from the list"},
    )
    scenario_from = forms.ChoiceField(
        label="Change from",
        required=False,
        error_messages={"invalid_choice": "Choose a month from the list"},
    )

    def __init__(self, data: Any, *, areas: dict[str, str], today: date) -> None:
        initial = {"as_of": "today", "months": "24"}
        super().__init__({**initial, **{k: v for k, v in data.items() if v != ""}})
        self.today = today
        self.areas = areas
        area = self.fields["area"]
        as_of = self.fields["as_of"]
        scenario_from = self.fields["scenario_from"]
        assert isinstance(area, forms.ChoiceField)
        assert isinstance(as_of, forms.ChoiceField)
        assert isinstance(scenario_from, forms.ChoiceField)
        area.choices = [("", "All your areas together")] + sorted(
            areas.items(), key=lambda item: item[1]
        )
        if len(areas) == 1:
            area.choices = sorted(areas.items())
        as_of.choices = [("today", f"Today ({today:%-d %B %Y})")] + [
            (d.isoformat(), f"{d:%-d %B %Y}") for d in _month_ends_back(today, PAST_MONTH_ENDS)
        ]
        first = _month_ends_back(today, PAST_MONTH_ENDS)[-1]
        # A month's first day, from the earliest day a projection may start to 5 years on.
        year, month, offered = first.year, first.month, [("", "The start of the projection")]
        for _ in range(PAST_MONTH_ENDS + projection.MAX_MONTHS + 1):
            offered.append((f"{year:04d}-{month:02d}", f"{date(year, month, 1):%B %Y}"))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        scenario_from.choices = offered

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("moves_from") and data.get("moves_change") is None:
            self.add_error(
                "moves_change",
                "Say by how much moves change, or choose every kind of placement",
            )
        return data

    def choice(self) -> Choice:
        data = self.cleaned_data
        as_of = self.today if data["as_of"] == "today" else date.fromisoformat(data["as_of"])
        entries, moves = data.get("entries_change"), data.get("moves_change")
        scenario = None
        if entries or moves:
            start = data.get("scenario_from")
            scenario = projection.Scenario(
                entries_change=float(entries or 0),
                moves_change=float(moves or 0),
                moves_from=data.get("moves_from") or "",
                from_date=date.fromisoformat(f"{start}-01") if start else None,
            )
        areas = (data.get("area"),) if data.get("area") else tuple(sorted(self.areas))
        return Choice(
            areas=tuple(a for a in areas if a),
            as_of=as_of,
            months=data["months"],
            reference_years=data.get("reference_years"),
            scenario=scenario,
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in self.cleaned_data.items() if v not in ("", None)})


class UnitCostForm(NhsForm):
    """One area's weekly cost of each kind of placement (blank: not known)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in COST_CATEGORIES:
            self.fields[key] = forms.DecimalField(
                label=f"{label}: pounds a week",
                required=False,
                max_digits=9,
                decimal_places=2,
                min_value=Decimal(0),
                max_value=Decimal(MAX_WEEKLY_COST),
                error_messages={
                    "invalid": f"{label}: enter pounds a week as a number, like 1250.50",
                    "min_value": f"{label}: a weekly cost cannot be below 0",
                    "max_value": f"{label}: a weekly cost is at most "
                    f"£{MAX_WEEKLY_COST:,}; check the figure",
                    "max_decimal_places": f"{label}: give pounds and pence at most",
                    "max_digits": f"{label}: a weekly cost is at most £{MAX_WEEKLY_COST:,}",
                    "max_whole_digits": f"{label}: a weekly cost is at most £{MAX_WEEKLY_COST:,}",
                },
            )
