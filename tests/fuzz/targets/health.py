"""The health record's forms: bookings, outcomes, assessments and their plans, SDQs, the
clinical summary, actions, corrections and withdrawals."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from lachealth.forms import WithdrawForm
from lachealth.health.correction_views import (
    ActionCorrectionForm,
    AssessmentCorrectionForm,
    BookingCorrectionForm,
    SdqCorrectionForm,
)
from lachealth.health.forms import (
    ActionDoneForm,
    ActionForm,
    ActionRows,
    AssessmentForm,
    BookingForm,
    NewEntryForm,
    NewEntryRows,
    OutcomeForm,
    ReviewSummaryForm,
    SdqForm,
)
from lachealth.health.own_account_views import (
    AcceptForm,
    AnswerForm,
    CorrectionForm,
    FeedbackForm,
    InviteForm,
    WithdrawAccountForm,
)
from lachealth.health.ownership_views import TakeOverForm
from lachealth.health.passport_views import PassportForm, SettingsForm
from lachealth.health.summary_views import ChooseKindForm, EntryForm

from ...conftest import BRADFORD
from .. import scenes
from .base import Target, child_of, day, pk_of

ASSESSED = {
    "kind": "IHA",
    **day("completed_on", date(2026, 11, 20)),
    "professional": "medical",
    "height_cm": "140",
    "weight_kg": "35",
    "immunisations": "yes",
    "consent_recorded": "on",
    "voice_of_child": "Likes football",
    "actions-0-need": "Dental decay",
    "actions-0-action": "Register with a dentist",
    "actions-0-owner_kind": "la",
    **day("actions-0-due_on", date(2026, 12, 18)),
}

SUMMARY_ENTRIES = {
    "alert": {"term": "Do not share the placement address"},
    "allergy": {"term": "Peanuts", "reaction": "Swelling", "severity": "severe"},
    "condition": {"term": "Asthma", "code": "195967001"},
    "medicine": {"term": "Salbutamol", "dose": "2 puffs when needed"},
    "disability": {"term": "Hearing loss"},
}

HEALTH: list[Target] = [
    Target(
        "health:book",
        "health",
        (BookingForm,),
        "prov_a_admin",
        url=lambda s: reverse("health:book", args=[pk_of("child_a")(s)]),
        valid=lambda s: {
            "kind": "IHA",
            **day("day", date(2026, 11, 30)),
            "start_time": "10:30",
            "venue": "Child health clinic",
            "practitioner": str(s.world.users["prov_a_nurse"].pk),
        },
        child=child_of("child_a"),
    ),
    Target(
        "health:outcome",
        "health",
        (OutcomeForm,),
        "prov_a_admin",
        make=lambda w: {"booking": scenes.booking(w)},
        url=lambda s: reverse("health:outcome", args=[s.booking.pk]),
        valid=lambda s: {"outcome": "attended"},
        child=child_of("child_a"),
    ),
    Target(
        "health:assessment_create",
        "health",
        (AssessmentForm, ActionForm, ActionRows, NewEntryForm, NewEntryRows, ReviewSummaryForm),
        "prov_a_nurse",
        make=lambda w: {"entry": scenes.entry(w)},
        url=lambda s: reverse("health:assessment_create", args=[pk_of("child_a")(s)]),
        valid=lambda s: {**ASSESSED, "practitioner": str(s.world.users["prov_a_nurse"].pk)},
        child=child_of("child_a"),
    ),
    Target(
        "health:take_over",
        "health",
        (TakeOverForm,),
        "prov_c_nurse",
        url=lambda s: reverse("health:take_over", args=[pk_of("child_a_out")(s)]),
        valid=lambda s: {"reason": "The child now lives in our area"},
        child=child_of("child_a_out"),
    ),
    Target(
        "health:sdq_create",
        "health",
        (SdqForm,),
        "prov_a_admin",
        url=lambda s: reverse("health:sdq_create", args=[pk_of("child_a")(s)]),
        valid=lambda s: {
            **day("completed_on", date(2026, 11, 2)),
            "informant": "carer",
            **{f"item_{n}": "1" for n in range(1, 26)},
        },
        child=child_of("child_a"),
    ),
    Target(
        "health:entry_add (choose what)",
        "health",
        (ChooseKindForm,),
        "prov_a_nurse",
        url=lambda s: reverse("health:entry_add", args=[pk_of("child_a")(s)]),
        method="get",
        valid=lambda s: {"kind": "allergy"},
        child=child_of("child_a"),
    ),
    *[
        Target(
            f"health:entry_add ({kind})",
            "health",
            (EntryForm,),
            "prov_a_nurse",
            url=lambda s, kind=kind: (
                reverse("health:entry_add", args=[pk_of("child_a")(s)]) + f"?kind={kind}"
            ),
            valid=lambda s, values=values: values,
            child=child_of("child_a"),
        )
        for kind, values in SUMMARY_ENTRIES.items()
    ],
    Target(
        "health:entry_edit",
        "health",
        (EntryForm,),
        "prov_a_nurse",
        make=lambda w: {"entry": scenes.entry(w)},
        url=lambda s: reverse("health:entry_edit", args=[s.entry.pk]),
        valid=lambda s: {"reaction": "Hives", "reason": "Reaction was hives"},
        child=child_of("child_a"),
    ),
    Target(
        "health:entry_withdraw",
        "health",
        (WithdrawForm,),
        "prov_a_nurse",
        make=lambda w: {"entry": scenes.entry(w)},
        url=lambda s: reverse("health:entry_withdraw", args=[s.entry.pk]),
        valid=lambda s: {"reason": "Recorded on the wrong child"},
        child=child_of("child_a"),
    ),
    Target(
        "health:action_done",
        "health",
        (ActionDoneForm,),
        "prov_a_nurse",
        make=lambda w: {"action": scenes.assessment(w).actions.get()},
        url=lambda s: reverse("health:action_done", args=[s.action.pk]),
        valid=lambda s: {"note": "Registered with Example Dental"},
        child=child_of("child_a"),
    ),
    Target(
        "health:action_correct",
        "health",
        (ActionCorrectionForm,),
        "prov_a_nurse",
        make=lambda w: {"action": scenes.assessment(w).actions.get()},
        url=lambda s: reverse("health:action_correct", args=[s.action.pk]),
        valid=lambda s: {**day("due_on", date(2027, 1, 15)), "reason": "Agreed a later date"},
        child=child_of("child_a"),
    ),
    Target(
        "health:assessment_correct",
        "health",
        (AssessmentCorrectionForm,),
        "prov_a_nurse",
        make=lambda w: {"assessment": scenes.assessment(w)},
        url=lambda s: reverse("health:assessment_correct", args=[s.assessment.pk]),
        valid=lambda s: {"height_cm": "141", "weight_kg": "35.5", "reason": "Height misread"},
        child=child_of("child_a"),
    ),
    Target(
        "health:sdq_correct",
        "health",
        (SdqCorrectionForm,),
        "prov_a_admin",
        make=lambda w: {"sdq": scenes.sdq(w)},
        url=lambda s: reverse("health:sdq_correct", args=[s.sdq.pk]),
        valid=lambda s: {"item_3": "2", "reason": "Item 3 typed wrongly"},
        child=child_of("child_a"),
    ),
    Target(
        "health:booking_correct",
        "health",
        (BookingCorrectionForm,),
        "prov_a_admin",
        make=lambda w: {"booking": scenes.booking(w)},
        url=lambda s: reverse("health:booking_correct", args=[s.booking.pk]),
        valid=lambda s: {"start_time": "11:00", "reason": "The clinic moved it"},
        child=child_of("child_a"),
    ),
    *[
        Target(
            f"health:withdraw ({kind})",
            "health",
            (WithdrawForm,),
            user,
            make=lambda w, make=make: {"record": make(w)},
            url=lambda s, kind=kind: reverse("health:withdraw", args=[kind, s.record.pk]),
            valid=lambda s: {"reason": "Recorded on the wrong child"},
            child=child_of("child_a"),
        )
        for kind, user, make in [
            ("assessment", "prov_a_nurse", scenes.assessment),
            ("sdq", "prov_a_admin", scenes.sdq),
            ("booking", "prov_a_admin", scenes.booking),
            ("action", "prov_a_nurse", lambda w: scenes.assessment(w).actions.get()),
        ]
    ],
    Target(
        "health:passport_prepare",
        "health",
        (PassportForm,),
        "prov_a_nurse",
        make=lambda w: {"leaver": scenes.left_care(w)},
        url=lambda s: reverse("health:passport_prepare", args=[s.leaver.pk]),
        valid=lambda s: {"own_words": "I want my GP to know about my asthma", "agreed": "yes"},
        child=lambda s: s.leaver,
    ),
    Target(
        "health:passport_settings_edit",
        "health",
        (SettingsForm,),
        "sysadmin",
        url=lambda s: reverse("health:passport_settings_edit", args=[BRADFORD]),
        valid=lambda s: {"due_months": "204"},
    ),
    Target(
        "health:invite",
        "health",
        (InviteForm,),
        "prov_a_nurse",
        make=lambda w: {"leaver": scenes.left_care(w)},
        url=lambda s: reverse("health:invite", args=[s.leaver.pk]),
        valid=lambda s: {"email": "leaver@example.org"},
        child=lambda s: s.leaver,
    ),
    Target(
        "health:own_account_withdraw",
        "health",
        (WithdrawAccountForm,),
        "prov_a_nurse",
        make=lambda w: {"leaver": scenes.own_account(w)},
        url=lambda s: reverse("health:own_account_withdraw", args=[s.leaver.pk]),
        valid=lambda s: {"reason": "They asked us to close it"},
        child=lambda s: s.leaver,
    ),
    Target(
        "health:correction_answer",
        "health",
        (AnswerForm,),
        "prov_a_nurse",
        make=lambda w: {"asked": scenes.correction_asked(w)},
        url=lambda s: reverse("health:correction_answer", args=[s.asked.pk]),
        valid=lambda s: {"answer": "Corrected the GP and gave version 2"},
        child=lambda s: s.asked.child,
    ),
    Target(
        "health:accept",
        "health",
        (AcceptForm,),
        None,
        make=lambda w: {"invitation": scenes.invited(w)},
        url=lambda s: reverse("health:accept", args=[scenes.INVITATION_TOKEN]),
        valid=lambda s: {
            **day("date_of_birth", date(2008, 3, 1)),
            "password": "a long passphrase for my passport",
            "password_again": "a long passphrase for my passport",
            "second_step": "email",
        },
        sign_in="anonymous",
    ),
    Target(
        "health:my_feedback",
        "health",
        (FeedbackForm,),
        "young.person@example.org",
        make=lambda w: {"leaver": scenes.own_account(w)},
        url=lambda s: reverse("health:my_feedback"),
        valid=lambda s: {"listened": "yes", "understood": "partly"},
        child=lambda s: s.leaver,
    ),
    Target(
        "health:my_correction",
        "health",
        (CorrectionForm,),
        "young.person@example.org",
        make=lambda w: {"leaver": scenes.own_account(w)},
        url=lambda s: reverse("health:my_correction"),
        valid=lambda s: {"section": "contacts", "what": "My GP has changed"},
        child=lambda s: s.leaver,
    ),
]
