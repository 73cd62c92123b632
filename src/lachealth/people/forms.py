"""Forms for signing in and for administering organisations, users and roles."""

from __future__ import annotations

from typing import Any

from django import forms

from lachealth.date_bounds import DateBounds
from lachealth.forms import NhsForm, SplitDateField

from .models import Area, Organisation, OrganisationKind, Role, User


class SignInForm(NhsForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": False}),
    )
    password = forms.CharField(label="Password", max_length=256, widget=forms.PasswordInput)


class CodeForm(NhsForm):
    code = forms.RegexField(
        label="Security code",
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        help_text="The 6-digit code from your authenticator app",
        error_messages={
            "invalid": "Enter the 6-digit code from your authenticator app",
            "required": "Enter the 6-digit code from your authenticator app",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "classes": "nhsuk-input--width-5",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


def _password(label: str, hint: str = "", autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=256,
        strip=False,
        help_text=hint,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


class PasswordChangeForm(NhsForm):
    current_password = _password("Your current password", autocomplete="current-password")
    new_password = _password(
        "New password",
        "At least 12 characters, not a common password, not all numbers and not like your "
        "name or username",
    )
    new_password_again = _password("Type the new password again")

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.require_same(
            "new_password", "new_password_again", "The two new passwords are not the same"
        )
        return self.cleaned_data


class ConfirmResetForm(NhsForm):
    password = _password("Your password", autocomplete="current-password")


class OrganisationForm(NhsForm):
    name = forms.CharField(label="Name", max_length=150)
    kind = forms.ChoiceField(
        label="Type of organisation", choices=OrganisationKind.choices, widget=forms.RadioSelect
    )
    ods_code = forms.CharField(label="ODS code (optional)", max_length=10, required=False)
    team_email = forms.EmailField(
        label="Team mailbox (optional)",
        required=False,
        max_length=254,
        help_text="Where the team's daily digest of due work is sent",
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas covered",
        queryset=Area.english.order_by("name"),
        help_text="Select every local authority area the organisation covers",
        error_messages={"required": "Choose at least one area the organisation covers"},
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class UserForm(NhsForm):
    username = forms.CharField(
        label="Username", max_length=150, help_text="Usually the person's work email address"
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    password = forms.CharField(
        label="Temporary password",
        max_length=256,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. Give it to the person securely; when they first "
        "sign in they set up their authenticator app and choose a password of their own.",
    )


class UserEditForm(NhsForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    is_active = forms.BooleanField(label="Account active", required=False)


class GrantRoleForm(NhsForm):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.filter(is_active=True),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose an organisation"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Choose a role"},
    )


#: The access log is searched from today back as far as a looked-after child's record is
#: kept: until their 75th birthday (Care Planning, Placement and Case Review (England)
#: Regulations 2010, reg. 50), and the log outlives the records it names.
ACCESS_LOG_DATES = DateBounds(back=75, ahead=0)


class AccessLogFilterForm(NhsForm):
    user = forms.CharField(
        label="User", required=False, max_length=150, help_text="Username or part of it"
    )
    child = forms.CharField(
        label="Child",
        required=False,
        max_length=200,
        help_text="The record's number or reference as this log shows it; or, for children "
        "your own roles let you see, their name in any order, date of birth (3/4/2012), NHS "
        "number or LA child ID",
    )
    date_from = SplitDateField(
        label="From", named="The ‘from’ date", required=False, bounds=ACCESS_LOG_DATES
    )
    date_to = SplitDateField(
        label="To", named="The ‘to’ date", required=False, bounds=ACCESS_LOG_DATES
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The ‘to’ date must be on or after the ‘from’ date")
        return data


__all__ = [
    "SignInForm",
    "PasswordChangeForm",
    "ConfirmResetForm",
    "CodeForm",
    "OrganisationForm",
    "UserForm",
    "UserEditForm",
    "GrantRoleForm",
    "AccessLogFilterForm",
    "User",
]
