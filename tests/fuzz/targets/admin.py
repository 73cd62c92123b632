"""Signing in, administration, the measures' filters and the SSDA903 returns pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from lachealth.insight.forms import FilterForm
from lachealth.insight.projection_forms import ProjectionForm, UnitCostForm
from lachealth.interop.forms import ConfirmForm, ReturnChoiceForm, UploadForm
from lachealth.people.forms import (
    AccessLogFilterForm,
    CodeForm,
    ConfirmResetForm,
    GrantRoleForm,
    OrganisationForm,
    PasswordChangeForm,
    SignInForm,
    UserEditForm,
    UserForm,
)
from lachealth.people.models import Area

from ...conftest import BRADFORD
from ...insight.population import looked_after_population
from .. import scenes
from ..strategies import FileValue
from .base import Target, day


def _reset_link(world: Any) -> dict[str, Any]:
    """A reset of la_b_sw's authenticator waiting for them to confirm it, and its link."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.people import approvals

    person = world.users["la_b_sw"]
    if not TOTPDevice.objects.filter(user=person, confirmed=True).exists():
        TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    approvals.request_authenticator_reset(by=world.users["sysadmin"], user=person)
    from django.core import mail

    link = mail.outbox[-1].body.split("/account/authenticator-reset/")[1].split("/")[0]
    return {"secret": link}


NEW_PASSWORD = "a-walk-by-the-canal-2026"

PEOPLE: list[Target] = [
    Target(
        "people:change_password",
        "people",
        (PasswordChangeForm,),
        "la_b_sw",
        url=lambda s: reverse("people:change_password"),
        valid=lambda s: {
            "current_password": "correct-horse-battery",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    ),
    Target(
        "people:confirm_reset",
        "people",
        (ConfirmResetForm,),
        None,
        make=_reset_link,
        url=lambda s: reverse("people:confirm_reset", args=[s.secret]),
        valid=lambda s: {"password": "correct-horse-battery"},
        sign_in="anonymous",
    ),
    Target(
        "people:sign_in",
        "people",
        (SignInForm,),
        None,
        url=lambda s: reverse("people:sign_in"),
        valid=lambda s: {"username": "la_a_sw", "password": "correct-horse-battery"},
        sign_in="anonymous",
    ),
    Target(
        "people:sign_in_code",
        "people",
        (CodeForm,),
        "la_a_sw",
        url=lambda s: reverse("people:sign_in_code"),
        valid=lambda s: {"code": scenes.security_code(s.world.users["la_a_sw"])},
        sign_in="password",
    ),
    Target(
        "people:enrol",
        "people",
        (CodeForm,),
        "la_b_sw",
        url=lambda s: reverse("people:enrol"),
        valid=lambda s: {"code": scenes.security_code(s.world.users["la_b_sw"])},
        sign_in="password, no device",
    ),
    Target(
        "people:organisation_create",
        "people",
        (OrganisationForm,),
        "sysadmin",
        url=lambda s: reverse("people:organisation_create"),
        valid=lambda s: {"name": "Kirklees LAC health", "kind": "PROVIDER", "areas": [BRADFORD]},
    ),
    Target(
        "people:organisation_edit",
        "people",
        (OrganisationForm,),
        "sysadmin",
        url=lambda s: reverse("people:organisation_edit", args=[s.world.orgs["prov_a"].pk]),
        valid=lambda s: {"ods_code": "RXX01"},
    ),
    Target(
        "people:user_create",
        "people",
        (UserForm,),
        "sysadmin",
        url=lambda s: reverse("people:user_create"),
        valid=lambda s: {
            "username": "new.nurse@example.org",
            "first_name": "New",
            "last_name": "Nurse",
            "email": "new.nurse@example.org",
            "password": "a-long-temporary-password",
        },
    ),
    Target(
        "people:user_detail (details)",
        "people",
        (UserEditForm,),
        "sysadmin",
        url=lambda s: reverse("people:user_detail", args=[s.world.users["la_b_sw"].pk]),
        fixed={"form": "details"},
        valid=lambda s: {"first_name": "Bea"},
    ),
    Target(
        "people:user_detail (role)",
        "people",
        (GrantRoleForm,),
        "sysadmin",
        url=lambda s: reverse("people:user_detail", args=[s.world.users["la_b_sw"].pk]),
        fixed={"form": "role"},
        valid=lambda s: {
            "organisation": str(s.world.orgs["la_b"].pk),
            "role": "data_officer",
        },
    ),
    Target(
        "people:access_log",
        "people",
        (AccessLogFilterForm,),
        "sysadmin",
        url=lambda s: reverse("people:access_log"),
        method="get",
        valid=lambda s: {"user": "la_a", **day("date_from", date(2026, 11, 1))},
    ),
]


def _population(world: Any) -> dict[str, Any]:
    """Enough of Bradford's children for a projection (the world has a few)."""
    looked_after_population(Area.objects.get(code=BRADFORD), scenes.TODAY)
    return {}


INSIGHT: list[Target] = [
    Target(
        f"insight:dashboard ({user})",
        "insight",
        (FilterForm,),
        user,
        url=lambda s: reverse("insight:dashboard"),
        method="get",
        valid=lambda s: {"age_band": "", "sex": "F"},
        refusal_statuses=frozenset({400}),
    )
    for user in ("commissioner", "la_a_data")
] + [
    Target(
        "insight:projections",
        "insight",
        (ProjectionForm,),
        "commissioner",
        make=_population,
        url=lambda s: reverse("insight:projections"),
        method="get",
        share=0.1,  # every accepted request runs a projection
        valid=lambda s: {"area": BRADFORD, "months": "12", "entries_change": "10"},
        refusal_statuses=frozenset({400}),
    ),
    Target(
        "insight:unit_costs",
        "insight",
        (UnitCostForm,),
        "la_a_data",
        url=lambda s: reverse("insight:unit_costs") + f"?area={BRADFORD}",
        valid=lambda s: {"fostering": "900", "residential": "5200.50"},
        refusal_statuses=frozenset({400}),
    ),
]

INTEROP: list[Target] = [
    Target(
        "interop:returns (upload)",
        "interop",
        (UploadForm,),
        "la_a_data",
        url=lambda s: reverse("interop:returns"),
        valid=lambda s: {
            "upload-area": BRADFORD,
            "upload-collection_year": str(scenes.RETURN_YEAR),
            "upload-return_files": [
                FileValue(name, content)
                for name, content in scenes.exported(BRADFORD, scenes.RETURN_YEAR).items()
            ],
        },
        share=0.3,
    ),
    Target(
        "interop:download",
        "interop",
        (ReturnChoiceForm,),
        "la_a_data",
        page=lambda s: reverse("interop:returns"),
        url=lambda s: reverse("interop:download"),
        method="get",
        valid=lambda s: {
            "export-area": BRADFORD,
            "export-collection_year": str(scenes.RETURN_YEAR),
        },
        refusal_statuses=frozenset({400}),
        access_refusals=frozenset({403}),
        share=0.5,
    ),
    Target(
        "interop:attempt_confirm",
        "interop",
        (ConfirmForm,),
        "la_a_data",
        make=lambda w: {"attempt": scenes.import_waiting(w)},
        page=lambda s: reverse("interop:attempt", args=[s.attempt.pk]),
        url=lambda s: reverse("interop:attempt_confirm", args=[s.attempt.pk]),
        valid=lambda s: {"accept_warnings": "on"},
        refusal_statuses=frozenset({400}),
        share=0.5,
    ),
]
