"""The words of every form's messages, and the characters no form takes.

`nhs_field` gives a field the NHS.UK style of error message wherever it still has Django's
("Height must be 230 cm or less", not "Ensure this value is less than or equal to 230"; "Enter
the first name", not "This field is required.") and refuses, in text, the hidden characters a
paste can carry. `reworded` puts a field's own words on a message Django raised in its own
(a model's check, run by a service). `forms.NhsForm` applies both to every field.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy

#: A label's last bracket, when it gives the unit ("Height (cm)") or says the field is optional.
LABEL_TAIL = re.compile(r"^(?P<name>.*?)\s*\((?P<tail>[^()]*)\)\s*$")
UNITS = frozenset({"cm", "kg", "g", "mm", "years", "months", "weeks", "days", "%"})


def _default_message(field: forms.Field, key: str) -> bool:
    """Whether the field's message for `key` is still Django's own (not one we wrote)."""
    current = field.error_messages.get(key)
    if current is None:
        return True
    defaults = [getattr(k, "default_error_messages", {}).get(key) for k in type(field).__mro__]
    return any(d is not None and str(d) == str(current) for d in defaults)


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def nhs_messages(field: forms.Field) -> None:
    """Give a field the NHS.UK style of error message where it still has Django's: "Height
    must be 230 cm or less", not "Ensure this value is less than or equal to 230"."""
    label = str(field.label or "This")
    match = LABEL_TAIL.match(label)
    name, unit = label, ""
    if match:
        name = match.group("name")
        unit = match.group("tail") if match.group("tail") in UNITS else ""
    amount = f"%(limit_value)s {unit}".rstrip() if unit else "%(limit_value)s"
    wanted: dict[str, Any] = {
        "max_value": f"{name} must be {amount} or less",
        "min_value": f"{name} must be {amount} or more",
        "max_length": f"{name} must be %(limit_value)d characters or fewer",
        "min_length": f"{name} must be %(limit_value)d characters or more",
        "max_decimal_places": ngettext_lazy(
            f"{name} must have no more than %(max)s decimal place",
            f"{name} must have no more than %(max)s decimal places",
            "max",
        ),
        "max_digits": f"{name} is too long: it can have %(max)s digits",
        "max_whole_digits": f"{name} is too large",
        "invalid_choice": "Choose one of the answers listed"
        if name.endswith("?")
        else f"Choose {_article(name)} {name[:1].lower() + name[1:]} from the list",
    }
    if isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
        wanted["invalid"] = f"{name} must be a number" + (f" in {unit}" if unit else "")
    wanted |= _messages_for_kind(field, name)
    for key, message in wanted.items():
        if _default_message(field, key):
            field.error_messages[key] = message


def _the(name: str) -> str:
    """The field's name inside a sentence: "the first name", "the ODS code"."""
    if name[:4] in ("The ", "Your"):
        return name[:1].lower() + name[1:]
    return "the " + (name if name[1:2].isupper() else name[:1].lower() + name[1:])


def _messages_for_kind(field: forms.Field, name: str) -> dict[str, Any]:
    """The messages Django would otherwise give in its own words: a field left empty, a
    character that cannot be stored, an email address, a list or a file that is not one."""
    the = _the(name)
    chooses = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
    if name.endswith("?"):
        required = "Choose an answer" if chooses else "Answer the question"
    else:
        required = f"Choose {the}" if chooses else f"Enter {the}"
    wanted: dict[str, Any] = {
        "required": required,
        # Django refuses the null character (it cannot be stored): say so without jargon,
        # as for the other hidden characters (`no_hidden_characters`).
        "null_characters_not_allowed": f"{name} must not include hidden characters: "
        "type it in rather than pasting it",
        "hidden_characters": f"{name} must not include hidden characters: "
        "type it in rather than pasting it",
    }
    if isinstance(field, forms.EmailField):
        wanted["invalid"] = f"Enter {the} in the correct format, like name@example.org"
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        wanted["invalid_list"] = f"Choose {the} from the list"
        wanted["invalid_pk_value"] = f"Choose {the} from the list"
    if isinstance(field, forms.FileField):
        wanted |= {
            "invalid": f"Choose {the}",
            "missing": f"Choose {the}",
            "empty": "The selected file is empty",
            "max_length": "The file's name must be %(max)d characters or fewer",
        }
    if isinstance(field, forms.MultiValueField):
        wanted |= {
            "incomplete": f"{name} must include a day, month and year",
            "invalid": f"{name} must be a real date, like 27 3 2024",
        }
    return wanted


#: Codes of messages Django raises in its own words whatever the field's `error_messages`.
REWORDED = frozenset({"null_characters_not_allowed"})
#: A model's own check (a service's full_clean) names a field left empty by these codes.
SAME_AS = {"blank": "required", "null": "required"}


@cache
def _django_messages() -> tuple[Any, ...]:
    """Every message object Django's fields and validators raise with, to know one when a
    model's check (run by a service) raises it."""
    from django.core import validators
    from django.db import models

    found: list[Any] = []
    classes: list[type] = [forms.Field, models.Field]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        if cls.__module__.startswith("django."):
            found += vars(cls).get("default_error_messages", {}).values()
    found += [
        getattr(cls, "message", None) for cls in vars(validators).values() if isinstance(cls, type)
    ]
    return tuple(m for m in found if m is not None)


def reworded(field: forms.Field, error: ValidationError) -> ValidationError:
    """`error` with each message Django wrote in its own words replaced by the field's."""
    if hasattr(error, "error_dict"):
        return error
    reworded = []
    for e in error.error_list:
        code = SAME_AS.get(e.code or "", e.code)
        own = e.code in REWORDED or any(e.message is m for m in _django_messages())
        if own and code in field.error_messages:
            e = ValidationError(field.error_messages[code], code=code, params=e.params)
        reworded.append(e)
    return ValidationError(reworded)


#: Characters no one types into a form but a paste can carry: control characters (but tab
#: and line breaks), and the direction overrides and isolates that can make text read other
#: than it is stored ("Trojan Source"). The null character is Django's own check.
HIDDEN_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def no_hidden_characters(value: Any) -> None:
    if isinstance(value, str) and HIDDEN_CHARACTERS.search(value):
        raise ValidationError("Hidden characters are not allowed", code="hidden_characters")


def nhs_field(field: forms.Field) -> None:
    """Make a field say every error in NHS.UK words and refuse hidden characters in text."""
    nhs_messages(field)
    typed = isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
    if typed and no_hidden_characters not in field.validators:
        field.validators.append(no_hidden_characters)
