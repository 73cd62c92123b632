"""Forms for sending a health request with consent, rejecting a notification, referring,
deciding on a referral, the thread, and an area's hand-off settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from lachealth.date_bounds import PAST_EVENT
from lachealth.forms import NhsForm, SplitDateField
from lachealth.people.models import Organisation

from .models import ConsentGiver, HandoverSettings, ReferralKind, RejectReason, Urgency


class SendRequestForm(NhsForm):
    consent_given_by = forms.ChoiceField(
        label="Who gave consent to the health assessment?",
        choices=ConsentGiver.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who gave consent: a health request cannot be sent without it"
        },
    )
    consent_on = SplitDateField(
        label="Date consent was given", help_text="For example, 15 3 2026", bounds=PAST_EVENT
    )


class RejectForm(NhsForm):
    reason = forms.ChoiceField(
        label="Why are you rejecting this notification?",
        choices=RejectReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are rejecting this notification"},
    )
    note = forms.CharField(
        label="Tell the sender more",
        help_text="Required if you chose another reason. The sender sees this.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(NhsForm):
    text = forms.CharField(
        label="Write to the other team",
        help_text="Both teams see the thread. Do not paste clinical notes: write what the other "
        "team needs to act.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a message"},
    )


class ReferralForm(NhsForm):
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Organisation.objects.none(),
        empty_label="Choose a service",
        error_messages={"required": "Choose the service to refer to"},
    )
    kind = forms.ChoiceField(
        label="What is the referral for?",
        choices=ReferralKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the referral is for"},
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the referral is routine or urgent"},
    )
    reason = forms.CharField(
        label="Why are you referring the child?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why you are referring the child"},
    )

    def __init__(self, *args: Any, services: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services


class DeclineForm(NhsForm):
    reason = forms.CharField(
        label="Why is the service declining the referral?",
        help_text="The referrer sees this, and what to do instead helps them most.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the service is declining the referral"},
    )


class FirstSeenForm(NhsForm):
    on = SplitDateField(label="Date the child was first seen", bounds=PAST_EVENT)


class SettingsForm(forms.ModelForm, NhsForm):
    class Meta:
        model = HandoverSettings
        fields = [
            "send_working_days",
            "health_request_working_days",
            "move_working_days",
            "legal_status_working_days",
            "out_of_area_working_days",
            "leaving_care_working_days",
            "horizon_days",
            "routine_referral_weeks",
            "urgent_referral_weeks",
        ]
        labels = {
            "send_working_days": "Working days the LA has to send a notification",
            "health_request_working_days": "Working days to acknowledge a health request",
            "move_working_days": "Working days to acknowledge a change of placement",
            "legal_status_working_days": "Working days to acknowledge a change of legal status",
            "out_of_area_working_days": "Working days to acknowledge an out-of-area notice",
            "leaving_care_working_days": "Working days to acknowledge a leaving-care notice",
            "horizon_days": "Days back that care events still send notifications",
            "routine_referral_weeks": "Weeks to be seen after a routine referral",
            "urgent_referral_weeks": "Weeks to be seen after an urgent referral",
        }
