"""The forms of assessment QA: drawing a period's sample, adding an assessment by hand, scoring
with a tool version, replying, editing a draft of the tool and an area's settings."""

from __future__ import annotations

from typing import Any

from django import forms

from lachealth.forms import NhsForm

from . import reviews, tools
from .models import TEXT_MAX, Frequency, QaToolVersion
from .samples import Period


def _text(
    label: str, *, max_length: int, rows: int = 5, required: bool = True, hint: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DrawForm(NhsForm):
    organisation = forms.TypedChoiceField(
        label="Whose sample", coerce=int, widget=forms.RadioSelect
    )
    period = forms.ChoiceField(
        label="Which period",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the period to sample"},
    )

    def __init__(
        self, *args: Any, organisations: list[Any], periods: list[Period], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {p.start.isoformat(): p for p in periods}
        self.organisations = {o.pk: o for o in organisations}
        if len(organisations) == 1:
            del self.fields["organisation"]
        else:
            _choice(self, "organisation").choices = [(o.pk, o.name) for o in organisations]
        _choice(self, "period").choices = [(k, p.label) for k, p in self.periods.items()]

    def chosen(self) -> Period:
        return self.periods[self.cleaned_data["period"]]

    def chosen_organisation(self) -> Any:
        if "organisation" not in self.fields:
            return next(iter(self.organisations.values()))
        return self.organisations[self.cleaned_data["organisation"]]


class AddForm(NhsForm):
    assessment = forms.TypedChoiceField(
        label="Which assessment",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the assessment to add"},
    )
    reason = _text(
        "Why is it added to the sample?",
        max_length=500,
        rows=3,
        hint="For example, a concern raised about the child's care, or a new practitioner.",
    )
    reason.error_messages["required"] = "Say why this assessment is added to the sample"

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "assessment").choices = choices


class ScoreForm(NhsForm):
    """One question per criterion of the version, on its scale, with a note; then the grade
    and the feedback the practitioner reads."""

    def __init__(self, *args: Any, version: QaToolVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.sections: list[tuple[str, list[tuple[str, str]]]] = []
        for section in version.sections.prefetch_related("criteria"):
            names = []
            for criterion in section.criteria.all():
                name = f"criterion_{criterion.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=criterion.text,
                    help_text=criterion.guidance,
                    choices=version.answers,
                    widget=forms.RadioSelect,
                    error_messages={"required": f"Answer “{criterion.text}”"},
                )
                self.fields[f"note_{criterion.pk}"] = forms.CharField(
                    label="Note (optional)", max_length=500, required=False
                )
                names.append((name, f"note_{criterion.pk}"))
            self.sections.append((section.title, names))
        self.fields["grade"] = forms.ChoiceField(
            label="Overall grade",
            choices=version.grades,
            widget=forms.RadioSelect,
            error_messages={"required": "Choose an overall grade"},
        )
        self.fields["feedback"] = _text(
            "Feedback for the practitioner",
            max_length=TEXT_MAX,
            hint="What was done well and what to do differently. They read it and can reply.",
        )

    def answers(self) -> list[reviews.Answer]:
        d = self.cleaned_data
        return [
            reviews.Answer(int(name.split("_")[1]), d[name], d.get(note) or "")
            for _, names in self.sections
            for name, note in names
            if d.get(name)
        ]


class ReplyForm(NhsForm):
    text = _text("Your reply", max_length=TEXT_MAX, rows=4)


class CriterionRow(NhsForm):
    section = forms.CharField(label="Section", max_length=150, required=False)
    text = forms.CharField(label="Criterion", max_length=300, required=False)
    guidance = forms.CharField(label="Guidance (optional)", max_length=500, required=False)


class CriterionRows(
    forms.formset_factory(  # type: ignore[misc]
        CriterionRow, extra=3, max_num=tools.MAX_CRITERIA, absolute_max=tools.MAX_CRITERIA + 3
    )
):
    """The draft's criteria, a row each, with three empty rows for new ones."""

    row_label = "Criterion"
    default_error_messages = {
        "too_many_forms": f"A tool has at most {tools.MAX_CRITERIA} criteria",
        "missing_management_form": "The form was not sent whole: reload the page",
    }


class DraftForm(NhsForm):
    answers = _text(
        "The scale's answers, best first, one on each line",
        max_length=1000,
        rows=5,
        hint="“Not applicable” on a line of its own counts for nothing either way.",
    )
    grades = _text("The overall grades, best first, one on each line", max_length=1000, rows=5)

    @staticmethod
    def initial_for(version: QaToolVersion) -> dict[str, str]:
        return {
            "answers": "\n".join(label for _, label in version.answers),
            "grades": "\n".join(label for _, label in version.grades),
        }

    def lines(self, name: str) -> list[str]:
        return str(self.cleaned_data.get(name) or "").splitlines()


def rows_from(formset: Any) -> list[tools.Row]:
    """The draft's criteria from the formset's rows, in order; empty rows left out."""
    return [
        tools.Row(
            f.cleaned_data.get("section", "").strip(),
            f.cleaned_data.get("text", "").strip(),
            f.cleaned_data.get("guidance", "").strip(),
        )
        for f in formset.forms
        if f.cleaned_data.get("text", "").strip() or f.cleaned_data.get("section", "").strip()
    ]


class SettingsForm(NhsForm):
    frequency = forms.ChoiceField(
        label="How often is a sample drawn?", choices=Frequency.choices, widget=forms.RadioSelect
    )
    percentage = forms.DecimalField(
        label="Percentage of completed assessments sampled",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "classes": "nhsuk-input--width-4"}),
    )
    minimum_per_practitioner = forms.IntegerField(
        label="At least this many of each practitioner's assessments",
        min_value=0,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-2"}),
    )
    threshold = forms.IntegerField(
        label="Name a criterion whose score out of 100 is below",
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-3"}),
    )
    sdq_window_months = forms.IntegerField(
        label="An RHA request's SDQ is recent if done within (months)",
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-2"}),
    )
    joint_visit_window_days = forms.IntegerField(
        label="Visits to one provider this close are a chance for a joint visit (days)",
        min_value=1,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-2"}),
    )
