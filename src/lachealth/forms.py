"""The one form renderer: every Django form field is drawn as its NHS.UK component.

Templates call `form_field(form["name"])` and `error_summary(form)`; nothing else in a
template builds form markup, so every form shows errors the NHS.UK way (summary at the top
linking to each field, message beside the field) and stays accessible.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from jinja2 import Environment
from markupsafe import Markup

from lachealth.date_bounds import DateBounds
from lachealth.form_words import LABEL_TAIL, nhs_field, reworded


class NhsForm(forms.Form):
    """Base form: lets a service's ValidationError land on the field it names, says every
    error the NHS.UK way and keeps hidden characters out of text (`form_words`); a split
    date is told the date the record holds, which its bounds do not refuse."""

    def full_clean(self) -> None:
        # Done here, once, rather than in __init__: fields a form adds or relabels after
        # __init__ (the SDQ's items, the team's roles) get messages in their final words.
        for name, field in self.fields.items():
            nhs_field(field)
            if isinstance(field, SplitDateField):
                field.held = self.get_initial_for_field(field, name)
        super().full_clean()

    def add_error(self, field: str | None, error: Any) -> None:
        """Some of Django's checks raise their own message rather than the field's (a model
        choice with a null character, a model's check run by a service): give the field's
        message in its place."""
        if field in self.fields and isinstance(error, ValidationError | list):
            error = reworded(self.fields[field], ValidationError(error))
        super().add_error(field, error)

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)

    def require_same(self, first: str, again: str, message: str) -> None:
        """A value typed twice (a new password): when both are there and differ, `again`
        is refused with `message`."""
        data = self.cleaned_data
        if data.get(first) and data.get(again) and data[first] != data[again]:
            self.add_error(again, message)


def correction_reason_field() -> forms.CharField:
    """The field every correction form asks: why the record is changed (kept in its history)."""
    return forms.CharField(
        label="Why are you changing this?",
        max_length=300,
        error_messages={"required": "Say why you are making this change"},
    )


class WithdrawForm(NhsForm):
    """Why a record entered in error is withdrawn: the one question of every withdrawal."""

    reason = forms.CharField(
        label="Why is this entry withdrawn?",
        max_length=300,
        help_text="For example, recorded on the wrong child's record",
        error_messages={"required": "Say why this entry is withdrawn"},
    )


class SplitDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the NHS.UK date input pattern asks."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class SplitDateField(forms.MultiValueField):
    """A date typed as day, month and year, with messages that say which part is wrong.

    `bounds` (from `date_bounds`) says how far from today the date may be for what it means,
    and the message of a date beyond them names the field and the bound ("Date of birth must
    be within the last 26 years, on or after 3 December 2000"); `named` gives the words that
    name the field in messages where its label does not read as a name ("Due by"). A date the
    record already holds (the form's initial value) is kept whatever the bounds: they are for
    what is typed, and a record loaded from an SSDA903 return may be older than they allow.

    Without bounds on a side, a year before 1900 or after 2099 is still refused: it is a slip
    of the keyboard in every form lachealth has (no child, event or plan is dated then)."""

    widget = SplitDateWidget
    first_year, last_year = 1900, 2099

    def __init__(
        self, *, bounds: DateBounds | None = None, named: str | None = None, **kwargs: Any
    ) -> None:
        fields = (
            forms.CharField(max_length=2),
            forms.CharField(max_length=2),
            forms.CharField(max_length=4),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)
        self.bounds = bounds
        self.named = named
        #: The date the record holds, set by `NhsForm` from the form's initial values.
        self.held: date | None = None

    @property
    def message_name(self) -> str:
        """The field's name in a message: its label without a bracket ("(if known)")."""
        if self.named:
            return self.named
        label = str(self.label or "The date")
        match = LABEL_TAIL.match(label)
        return match.group("name") if match else label

    def clean(self, value: Any) -> date | None:
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        name = self.message_name
        if not any(parts):
            if self.required:
                said = name[:1].lower() + name[1:]
                said = said if said.startswith("the ") else f"the {said}"
                raise ValidationError(f"Enter {said}", code="required")
            return None
        missing = [part for part, p in zip(("day", "month", "year"), parts, strict=True) if not p]
        if missing:
            raise ValidationError(
                f"{name} must include a {' and '.join(missing)}", code="incomplete"
            )
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValidationError(f"{name} must be a real date, like 27 3 2024", code="invalid")
        try:
            value = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except (ValueError, OverflowError) as exc:  # a day of 99999999999 overflows
            raise ValidationError(
                f"{name} must be a real date, like 27 3 2024", code="invalid"
            ) from exc
        if value == self.held:
            return value
        if self.bounds is not None:
            problem = self.bounds.problem(value, timezone.localdate(), name)
            if problem:
                raise ValidationError(problem, code="bounds")
        if value.year < self.first_year:
            raise ValidationError(f"{name} must be in {self.first_year} or later", code="min")
        if value.year > self.last_year:
            raise ValidationError(f"{name} must be in {self.last_year} or earlier", code="max")
        return value

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover - clean() does the work
        return data_list


def _field_id(bf: forms.BoundField) -> str:
    return bf.auto_id or bf.html_name


def error_href(bf: forms.BoundField) -> str:
    """Where the error summary's link for a field points (the first input of a group)."""
    if isinstance(bf.field, SplitDateField):
        return f"#{_field_id(bf)}_0"
    if isinstance(bf.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"#{_field_id(bf)}"
    return f"#{_field_id(bf)}"


def _error(bf: forms.BoundField) -> dict[str, str] | None:
    if bf.form.is_bound and bf.errors:
        return {"text": " ".join(str(e) for e in bf.errors)}
    return None


def _choices(bf: forms.BoundField) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in bf.field.choices]  # type: ignore[attr-defined]


def render_field(env: Environment, bf: forms.BoundField, **overrides: Any) -> Markup:
    """Render one bound field as the NHS.UK component that fits its widget."""
    widget = bf.field.widget
    label = overrides.pop("label", bf.label)
    hint = overrides.pop("hint", bf.help_text or None)
    is_page_heading = overrides.pop("is_page_heading", False)
    error = _error(bf)
    base: dict[str, Any] = {"id": _field_id(bf), "name": bf.html_name}
    if hint:
        base["hint"] = {"text": hint}
    if error:
        base["errorMessage"] = error

    def macro(component: str, name: str) -> Any:
        return getattr(env.get_template(f"nhsuk/components/{component}/macro.jinja").module, name)

    legend = {
        "text": label,
        "size": "l" if is_page_heading else "s",
        "isPageHeading": is_page_heading,
    }

    if isinstance(bf.field, SplitDateField):
        widget_ = SplitDateWidget()
        values = bf.value() if bf.form.is_bound else widget_.decompress(bf.initial)
        if not isinstance(values, list | tuple):
            values = widget_.decompress(values)
        items = [
            {
                "id": f"{_field_id(bf)}_{i}",
                "name": f"{bf.html_name}_{i}",
                "label": part,
                "value": values[i] if values and values[i] is not None else "",
                "classes": f"nhsuk-input--width-{width}" + (" nhsuk-input--error" if error else ""),
                "inputmode": "numeric",
            }
            for i, (part, width) in enumerate((("Day", 2), ("Month", 2), ("Year", 4)))
        ]
        params = base | {"items": items, "fieldset": {"legend": legend}} | overrides
        params.pop("name")
        return Markup(macro("date-input", "dateInput")(params))

    # Django's CheckboxSelectMultiple is a kind of RadioSelect: it is asked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        values = {str(v) for v in (bf.value() or [])}
        items = [{"value": v, "text": t, "checked": v in values} for v, t in _choices(bf)]
        params = base | {"items": items, "fieldset": {"legend": legend}} | overrides
        params["idPrefix"] = params.pop("id")
        return Markup(macro("checkboxes", "checkboxes")(params))

    if isinstance(widget, forms.RadioSelect):
        value = str(bf.value() or "")
        items = [{"value": v, "text": t, "checked": v == value} for v, t in _choices(bf) if v != ""]
        params = base | {"items": items, "fieldset": {"legend": legend}} | overrides
        params["idPrefix"] = params.pop("id")
        return Markup(macro("radios", "radios")(params))

    if isinstance(widget, forms.CheckboxInput):
        items = [{"value": "on", "text": label, "checked": bool(bf.value())}]
        params = base | {"items": items} | overrides
        params["idPrefix"] = params.pop("id")
        return Markup(macro("checkboxes", "checkboxes")(params))

    label_param = {
        "text": label,
        "size": "l" if is_page_heading else None,
        "isPageHeading": is_page_heading,
    }
    if isinstance(widget, forms.Select):
        value = "" if bf.value() is None else str(bf.value())
        items = [{"value": v, "text": t, "selected": v == value} for v, t in _choices(bf)]
        params = base | {"label": label_param, "items": items} | overrides
        return Markup(macro("select", "select")(params))

    if isinstance(widget, forms.Textarea):
        params = base | {"label": label_param, "value": bf.value() or ""} | overrides
        return Markup(macro("textarea", "textarea")(params))

    if isinstance(widget, forms.FileInput):
        attributes = {"accept": widget.attrs.get("accept", "")}
        if getattr(widget, "allow_multiple_selected", False):
            attributes["multiple"] = "multiple"
        params = base | {"label": label_param, "type": "file", "attributes": attributes}
        params |= {"classes": "nhsuk-input--width-full"} | overrides
        return Markup(macro("input", "input")(params))

    input_type = getattr(widget, "input_type", "text")
    value = "" if bf.value() is None else bf.value()
    if input_type == "password" and not getattr(widget, "render_value", False):
        value = ""  # a password typed is never written back into the page
    params = base | {"label": label_param, "value": value, "type": input_type}
    if input_type == "password":
        params["autocomplete"] = "current-password"
    params |= {
        k: v
        for k, v in widget.attrs.items()
        if k in {"autocomplete", "inputmode", "spellcheck", "classes", "pattern"}
    }
    params |= overrides
    return Markup(macro("input", "input")(params))


def error_list(
    form: forms.BaseForm, *formsets: forms.BaseFormSet | forms.BaseForm
) -> list[dict[str, str]]:
    """The NHS.UK error summary's list: one link per message, in field order; then each
    formset's own errors and those of its rows, named by the row ("Action 2: Enter the
    need"), so that every problem of the page shows at once. A page's other forms (the
    assessment's review of the summary) may come among the formsets."""
    items: list[dict[str, str]] = []
    for each in (form, *(f for f in formsets if isinstance(f, forms.BaseForm))):
        if each is form or each.is_bound:
            items += [{"text": str(e)} for e in each.non_field_errors()]
            items += [{"text": str(e), "href": error_href(bf)} for bf in each for e in bf.errors]
    for formset in formsets:
        if not isinstance(formset, forms.BaseFormSet) or not formset.is_bound:
            continue
        items += [{"text": str(e)} for e in formset.non_form_errors()]
        row = getattr(formset, "row_label", "Row")
        for number, row_form in enumerate(formset.forms, start=1):
            for bf in row_form:
                for e in bf.errors:
                    items.append({"text": f"{row} {number}: {e}", "href": error_href(bf)})
    return items


def without_errors(*forms_: forms.BaseForm | forms.BaseFormSet) -> None:
    """Show bound forms as typed but unchecked: for a page that only added a row ("Add
    another action"), so nothing the user has not finished is called an error."""
    for f in forms_:
        if isinstance(f, forms.BaseFormSet):
            # Django's own caches of the checks: filled, they are not run.
            f._non_form_errors = f.error_class()  # type: ignore[attr-defined]
            f._errors = []  # type: ignore[attr-defined]
            without_errors(*f.forms)
        else:
            f._errors = forms.utils.ErrorDict()  # type: ignore[attr-defined]
            f.cleaned_data = {}
