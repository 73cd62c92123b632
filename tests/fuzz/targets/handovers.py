"""The hand-off forms: consent and the health request, rejecting, referrals, threads, settings."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from lachealth.handovers.forms import (
    DeclineForm,
    FirstSeenForm,
    MessageForm,
    ReferralForm,
    RejectForm,
    SendRequestForm,
    SettingsForm,
)

from ...conftest import BRADFORD
from .. import scenes
from .base import Target, child_of, day

HANDOVERS: list[Target] = [
    Target(
        "handovers:notification_send",
        "handovers",
        (SendRequestForm,),
        "la_a_sw",
        make=scenes.handed_over,
        url=lambda s: reverse("handovers:notification_send", args=[s.request.pk]),
        valid=lambda s: {"consent_given_by": "parent", **day("consent_on", date(2026, 11, 20))},
        child=lambda s: s.request.child,
    ),
    Target(
        "handovers:notification_reject",
        "handovers",
        (RejectForm,),
        "prov_c_nurse",
        make=scenes.handed_over,
        url=lambda s: reverse("handovers:notification_reject", args=[s.notice.pk]),
        valid=lambda s: {"reason": "other", "note": "The child lives in Kirklees"},
        child=lambda s: s.notice.child,
    ),
    Target(
        "handovers:notification_message",
        "handovers",
        (MessageForm,),
        "prov_c_nurse",
        make=scenes.handed_over,
        page=lambda s: reverse("handovers:notification_detail", args=[s.notice.pk]),
        url=lambda s: reverse("handovers:notification_message", args=[s.notice.pk]),
        valid=lambda s: {"text": "Booked for 2 December"},
        child=lambda s: s.notice.child,
    ),
    Target(
        "handovers:referral_create",
        "handovers",
        (ReferralForm,),
        "prov_a_nurse",
        make=lambda w: {"referral": scenes.referral(w)},
        url=lambda s: reverse("handovers:referral_create", args=[s.referral.action_id]),
        valid=lambda s: {
            "service": str(s.referral.service_id),
            "kind": "send",
            "urgency": "urgent",
            "reason": "Needs a hearing test",
        },
        child=child_of("child_a"),
    ),
    Target(
        "handovers:referral_decide (decline)",
        "handovers",
        (DeclineForm,),
        "camhs",
        make=lambda w: {"referral": scenes.referral(w)},
        page=lambda s: reverse("handovers:referral_detail", args=[s.referral.pk]),
        url=lambda s: reverse("handovers:referral_decide", args=[s.referral.pk]),
        fixed={"decision": "decline"},
        valid=lambda s: {"reason": "Refer to the school nurse instead"},
        child=child_of("child_a"),
    ),
    Target(
        "handovers:referral_seen",
        "handovers",
        (FirstSeenForm,),
        "camhs",
        make=lambda w: {"referral": scenes.referral_accepted(w)},
        page=lambda s: reverse("handovers:referral_detail", args=[s.referral.pk]),
        url=lambda s: reverse("handovers:referral_seen", args=[s.referral.pk]),
        valid=lambda s: day("on", date(2026, 11, 23)),
        child=child_of("child_a"),
    ),
    Target(
        "handovers:referral_message",
        "handovers",
        (MessageForm,),
        "prov_a_nurse",
        make=lambda w: {"referral": scenes.referral(w)},
        page=lambda s: reverse("handovers:referral_detail", args=[s.referral.pk]),
        url=lambda s: reverse("handovers:referral_message", args=[s.referral.pk]),
        valid=lambda s: {"text": "Any news?"},
        child=child_of("child_a"),
    ),
    Target(
        "handovers:settings_edit",
        "handovers",
        (SettingsForm,),
        "sysadmin",
        url=lambda s: reverse("handovers:settings_edit", args=[BRADFORD]),
        valid=lambda s: {"send_working_days": "5"},
    ),
]
