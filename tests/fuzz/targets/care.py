"""The care record's forms: entry to care, details, changes, leaving, corrections, team."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from lachealth.care.forms import (
    ChangeForm,
    ChildDetailsForm,
    CorrectDatesForm,
    EntryToCareForm,
    LeavingCareForm,
    NewPeriodForm,
)
from lachealth.care.team_views import ChooseRoleForm, TeamMemberForm
from lachealth.forms import WithdrawForm

from ...conftest import BRADFORD
from .. import scenes
from .base import Target, child_of, day, pk_of

PLACEMENT = {
    "place": "U4",
    "place_provider": "PR1",
    "placement_area": BRADFORD,
    "pl_post": "BD1 1AA",
}

CARE: list[Target] = [
    Target(
        "care:child_create",
        "care",
        (EntryToCareForm,),
        "la_a_sw",
        url=lambda s: reverse("care:child_create"),
        valid=lambda s: {
            "responsible_area": BRADFORD,
            "la_child_id": "NEW1",
            "first_name": "Ada",
            "last_name": "Example",
            **day("date_of_birth", date(2012, 5, 4)),
            "sex": "F",
            "ethnicity": "WBRI",
            **day("decom", date(2026, 11, 20)),
            "ls": "C2",
            "cin": "N1",
            **PLACEMENT,
        },
    ),
    Target(
        "care:child_edit",
        "care",
        (ChildDetailsForm,),
        "la_a_sw",
        url=lambda s: reverse("care:child_edit", args=[pk_of("child_a")(s)]),
        valid=lambda s: {"nhs_number": "9991234519"},
        child=child_of("child_a"),
    ),
    Target(
        "care:change_create",
        "care",
        (ChangeForm,),
        "la_a_sw",
        url=lambda s: reverse("care:change_create", args=[pk_of("child_a")(s)]),
        valid=lambda s: {
            "what": "placement",
            **day("decom", date(2026, 11, 20)),
            **PLACEMENT,
            "pl_post": "BD7 1AA",
            "same_carer": "no",
            "reason_place_change": "CARPL",
        },
        child=child_of("child_a"),
    ),
    Target(
        "care:leaving_create",
        "care",
        (LeavingCareForm,),
        "la_a_sw",
        url=lambda s: reverse("care:leaving_create", args=[pk_of("child_a")(s)]),
        valid=lambda s: {**day("dec", date(2026, 11, 20)), "rec": "E13"},
        child=child_of("child_a"),
    ),
    Target(
        "care:period_create",
        "care",
        (NewPeriodForm,),
        "la_a_sw",
        make=lambda w: {"child": scenes.left_care(w)},
        url=lambda s: reverse("care:period_create", args=[s.child.pk]),
        valid=lambda s: {**day("decom", date(2026, 11, 20)), "ls": "C2", "cin": "N1", **PLACEMENT},
        child=lambda s: s.child,
    ),
    Target(
        "care:episode_correct (a move)",
        "care",
        (CorrectDatesForm,),
        "la_a_sw",
        make=lambda w: {"episode": scenes.moved(w)},
        url=lambda s: reverse("care:episode_correct", args=[s.episode.child_id, s.episode.pk]),
        valid=lambda s: {**day("decom", date(2026, 2, 27)), "reason": "Moved on the 27th"},
        child=lambda s: s.episode.child,
    ),
    Target(
        "care:episode_correct (leaving care)",
        "care",
        (CorrectDatesForm,),
        "la_a_sw",
        make=lambda w: {"child": scenes.left_care(w)},
        url=lambda s: reverse("care:episode_correct", args=[s.child.pk, s.child.episodes.get().pk]),
        valid=lambda s: {**day("dec", date(2025, 5, 30)), "reason": "Left on the 30th"},
        child=lambda s: s.child,
    ),
    Target(
        "care:episode_withdraw",
        "care",
        (WithdrawForm,),
        "la_a_sw",
        make=lambda w: {"episode": scenes.moved(w)},
        url=lambda s: reverse("care:episode_withdraw", args=[s.episode.child_id, s.episode.pk]),
        valid=lambda s: {"reason": "Recorded on the wrong child"},
        child=lambda s: s.episode.child,
    ),
    Target(
        "care:team_add (choose a role)",
        "care",
        (ChooseRoleForm,),
        "la_a_sw",
        url=lambda s: reverse("care:team_add", args=[pk_of("child_a")(s)]),
        method="get",
        valid=lambda s: {"role": "carer"},
        child=child_of("child_a"),
    ),
    *[
        Target(
            f"care:team_add ({role})",
            "care",
            (TeamMemberForm,),
            user,
            url=lambda s, role=role: (
                reverse("care:team_add", args=[pk_of("child_a")(s)]) + f"?role={role}"
            ),
            valid=lambda s, values=values: values(s),
            child=child_of("child_a"),
        )
        for role, user, values in [
            ("social_worker", "la_a_sw", lambda s: {"user": str(s.world.users["la_a_sw"].pk)}),
            ("team_manager", "la_a_sw", lambda s: {"user": str(s.world.users["la_a_sw"].pk)}),
            ("personal_adviser", "la_a_sw", lambda s: {"name": "Pat Adviser"}),
            ("iro", "la_a_sw", lambda s: {"name": "Ira Reviewer"}),
            ("carer", "la_a_sw", lambda s: {"name": "Sam Carer"}),
            ("school", "la_a_sw", lambda s: {"organisation": "Example Primary"}),
            ("designated_teacher", "la_a_sw", lambda s: {"name": "Dee Teacher"}),
            ("gp", "la_a_sw", lambda s: {"organisation": "Example Surgery", "code": "B86001"}),
            (
                "named_nurse",
                "prov_a_nurse",
                lambda s: {"user": str(s.world.users["prov_a_nurse"].pk)},
            ),
            ("dentist", "prov_a_nurse", lambda s: {"organisation": "Example Dental"}),
            ("optician", "prov_a_nurse", lambda s: {"organisation": "Example Opticians"}),
            ("service", "prov_a_nurse", lambda s: {"organisation": "CAMHS"}),
        ]
    ],
    Target(
        "care:team_edit",
        "care",
        (TeamMemberForm,),
        "la_a_sw",
        make=lambda w: {"member": scenes.team_member(w)},
        url=lambda s: reverse("care:team_edit", args=[s.member.child_id, s.member.pk]),
        valid=lambda s: {"telephone": "0113 496 0001", "reason": "New number"},
        child=child_of("child_a"),
    ),
    Target(
        "care:team_withdraw",
        "care",
        (WithdrawForm,),
        "la_a_sw",
        make=lambda w: {"member": scenes.team_member(w)},
        url=lambda s: reverse("care:team_withdraw", args=[s.member.child_id, s.member.pk]),
        valid=lambda s: {"reason": "Recorded on the wrong child"},
        child=child_of("child_a"),
    ),
]
