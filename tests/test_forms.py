"""The form renderer's own words: what the fuzzer (tests/fuzz) found Django still saying in
its words, and the dates a split date input takes."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from lachealth.forms import NhsForm, SplitDateField, error_list
from lachealth.people.models import Area


class Example(NhsForm):
    name = forms.CharField(label="First name", max_length=20)
    email = forms.EmailField(label="Email address (optional)", required=False)
    area = forms.ModelChoiceField(label="Area", queryset=Area.objects.all(), to_field_name="code")
    kinds = forms.MultipleChoiceField(label="Kinds", choices=[("a", "A")], required=False)
    on = SplitDateField(label="Date of the visit", required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # added after NhsForm.__init__, like the SDQ's items
        self.fields["later"] = forms.ChoiceField(
            label="Impact item 1", choices=[("0", "0")], required=False
        )


def errors(data: dict) -> dict[str, list[str]]:
    form = Example(data)
    assert not form.is_valid()
    return {k: list(v) for k, v in form.errors.items()}


@pytest.mark.django_db
def test_a_field_left_empty_is_named_in_nhs_words():
    assert errors({})["name"] == ["Enter the first name"]
    assert errors({})["area"] == ["Choose the area"]


@pytest.mark.django_db
def test_a_null_character_is_refused_in_nhs_words_even_in_a_choice_of_record():
    found = errors({"name": "Ada\x00", "area": "E08\x00"})
    hidden = "must not include hidden characters: type it in rather than pasting it"
    assert found["name"] == [f"First name {hidden}"]
    assert found["area"] == [f"Area {hidden}"]


@pytest.mark.django_db
def test_an_email_address_a_list_and_a_late_field_are_refused_in_nhs_words():
    found = errors({"email": "name@", "kinds": "zzz", "later": "9"})
    assert found["email"] == [
        "Enter the email address in the correct format, like name@example.org"
    ]
    assert found["kinds"] == ["Choose the kinds from the list"]
    assert found["later"] == ["Choose an impact item 1 from the list"]


@pytest.mark.django_db
def test_a_models_own_check_raised_by_a_service_is_put_in_the_fields_words():
    form = Example({"name": "Ada", "area": "E08000032", "email": "ada@example.org"})
    assert form.is_valid()
    form.add_service_errors(
        ValidationError(
            {
                "name": ValidationError(models.Field.default_error_messages["blank"], code="blank"),
                "email": ValidationError(
                    MaxLengthValidator.message,
                    code="max_length",
                    params={"limit_value": 254, "show_value": 300},
                ),
                "area": "Ada's area has no LAC health team yet",  # a service's own: kept
            }
        )
    )
    assert form.errors == {
        "name": ["Enter the first name"],
        "email": ["Email address must be 254 characters or fewer"],
        "area": ["Ada's area has no LAC health team yet"],
    }


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("99999999999999999999", "1", "2024"), "Date of the visit must be a real date"),
        (("1", "99999999999999999999", "2024"), "Date of the visit must be a real date"),
        (("31", "12", "1899"), "Date of the visit must be in 1900 or later"),
        (("1", "1", "2100"), "Date of the visit must be in 2099 or earlier"),
        (("1", "1", "0001"), "Date of the visit must be in 1900 or later"),
    ],
)
def test_a_date_out_of_any_sensible_range_is_refused_not_a_server_error(parts, message):
    field = SplitDateField(label="Date of the visit")
    with pytest.raises(ValidationError) as refused:
        field.clean(list(parts))
    assert refused.value.messages[0].startswith(message)


def test_the_first_and_last_years_taken():
    field = SplitDateField(label="Date of the visit")
    assert field.clean(["1", "1", "1900"]) == date(1900, 1, 1)
    assert field.clean(["31", "12", "2099"]) == date(2099, 12, 31)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["\u202eAda", "Ada\x07", "\x1b[31mAda", "A\x85da", "A\u2066da"])
def test_hidden_characters_a_paste_can_carry_are_refused_in_nhs_words(text):
    assert errors({"name": text, "area": "E08000032"})["name"] == [
        "First name must not include hidden characters: type it in rather than pasting it"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Zoë", "نور", "יעל", "👩\u200d👧", "Ada\tLovelace"])
def test_names_in_any_script_are_taken(text):
    form = Example({"name": text, "area": "E08000032"})
    assert form.is_valid(), form.errors


def test_a_password_is_taken_as_typed():
    class SignIn(NhsForm):
        password = forms.CharField(label="Password", widget=forms.PasswordInput)

    assert SignIn({"password": "pass\x07word"}).is_valid()


@pytest.mark.django_db
def test_the_error_summary_lists_a_pages_other_forms_after_its_own():
    main = Example({"area": "E08000032"})
    other = Example({"other-name": "Ada"}, prefix="other")
    unbound = Example(prefix="unbound")
    for f in (main, other, unbound):
        f.is_valid()
    assert error_list(main, other, unbound) == [
        {"text": "Enter the first name", "href": "#id_name"},
        {"text": "Choose the area", "href": "#id_other-area"},
    ]


def test_a_choice_of_several_is_drawn_as_checkboxes_and_of_one_as_radios():
    """Django's CheckboxSelectMultiple is a kind of RadioSelect: drawn as radios, only one of
    an organisation's areas could be ticked."""
    from django.template import engines

    from lachealth.forms import render_field

    class Choices(NhsForm):
        several = forms.MultipleChoiceField(
            label="Which", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        one = forms.ChoiceField(
            label="One", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
        )

    form = Choices({"several": ["a", "b"], "one": "b"})
    env = next(e.env for e in engines.all() if hasattr(e, "env"))
    several = render_field(env, form["several"])
    one = render_field(env, form["one"])
    assert several.count('type="checkbox"') == 2 and several.count("checked") == 2
    assert 'type="radio"' not in several
    assert one.count('type="radio"') == 2 and one.count("checked") == 1
