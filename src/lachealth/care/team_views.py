"""The team-around-the-child pages: add someone, correct them, or withdraw an entry made in
error. Each form shows only the fields the role has (a GP practice has an ODS code, a social
worker is one of the LA's users)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from lachealth.date_bounds import PAST_EVENT
from lachealth.forms import NhsForm, SplitDateField, WithdrawForm, correction_reason_field
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import selectors, team
from .models import Child, TeamMember, TeamRole

#: The fields each role's form asks for, in page order, beside the dates and the note.
FIELDS_FOR: dict[str, list[str]] = {
    TeamRole.SOCIAL_WORKER: ["user", "telephone"],
    TeamRole.TEAM_MANAGER: ["user", "telephone"],
    TeamRole.NAMED_NURSE: ["user", "telephone"],
    TeamRole.PERSONAL_ADVISER: ["name", "organisation", "telephone", "email"],
    TeamRole.IRO: ["name", "organisation", "telephone", "email"],
    TeamRole.CARER: ["name", "organisation", "code", "telephone", "email", "address"],
    TeamRole.GP: ["organisation", "code", "name", "telephone", "address"],
    TeamRole.DENTIST: ["organisation", "code", "name", "telephone", "address"],
    TeamRole.OPTICIAN: ["organisation", "code", "name", "telephone", "address"],
    TeamRole.SCHOOL: ["organisation", "code", "telephone", "address"],
    TeamRole.DESIGNATED_TEACHER: ["name", "organisation", "telephone", "email"],
    TeamRole.SERVICE: ["organisation", "name", "telephone", "email", "address"],
}

#: Labels that depend on the role: "Practice name" for a GP, "Carer's names" for a carer.
LABELS: dict[str, dict[str, str]] = {
    TeamRole.CARER: {
        "name": "Carer's names",
        "organisation": "Home, or fostering agency (if any)",
        "code": "Ofsted URN of the home (if any)",
        "address": "Address of the placement",
    },
    TeamRole.GP: {
        "organisation": "Practice name",
        "code": "Practice code (ODS)",
        "name": "Named GP (optional)",
    },
    TeamRole.DENTIST: {
        "organisation": "Practice name",
        "code": "ODS code (optional)",
        "name": "Dentist (optional)",
    },
    TeamRole.OPTICIAN: {
        "organisation": "Practice name",
        "code": "ODS code (optional)",
        "name": "Optometrist (optional)",
    },
    TeamRole.SCHOOL: {"organisation": "School or college", "code": "URN (optional)"},
    TeamRole.SERVICE: {"organisation": "Service, like CAMHS", "name": "Worker (optional)"},
    TeamRole.DESIGNATED_TEACHER: {"organisation": "School (optional)"},
    TeamRole.IRO: {"organisation": "Team (optional)"},
    TeamRole.PERSONAL_ADVISER: {"organisation": "Team (optional)"},
}


class TeamMemberForm(NhsForm):
    user = forms.ModelChoiceField(
        label="Who",
        queryset=TeamMember.objects.none(),
        required=False,
        empty_label="Choose a person",
    )
    name = forms.CharField(label="Name", max_length=150, required=False)
    organisation = forms.CharField(label="Organisation", max_length=150, required=False)
    code = forms.CharField(
        label="Code",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-10"}),
    )
    telephone = forms.CharField(
        label="Telephone (optional)",
        max_length=25,
        required=False,
        help_text="For example, 0113 496 0000",
        widget=forms.TextInput(attrs={"classes": "nhsuk-input--width-20", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email (optional)",
        max_length=150,
        required=False,
        error_messages={"invalid": "Enter an email address, like name@example.org"},
    )
    address = forms.CharField(
        label="Address (optional)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Not after today, here; not before the child's birth, in `team._check` (it needs the child).
    start = SplitDateField(label="From", help_text="For example, 27 3 2026", bounds=PAST_EVENT)
    end = SplitDateField(
        label="Until (if they no longer work with the child)", required=False, bounds=PAST_EVENT
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)
    reason = correction_reason_field()

    def __init__(
        self, *args: Any, role: str, child: Child, correcting: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        shown = {*FIELDS_FOR[role], "start", "end", "note"} | ({"reason"} if correcting else set())
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        if not correcting:
            del self.fields["end"]
        for name, label in LABELS.get(role, {}).items():
            self.fields[name].label = label
        if "user" in self.fields:
            field = self.fields["user"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = team.staff_for(role, child)
            field.label = TeamRole(role).label
            field.error_messages["required"] = f"Choose the {team.role_phrase(role)}"
            field.required = True
        order = ["user", "name", "organisation", "code", "telephone", "email", "address"]
        self.order_fields([*order, "start", "end", "note", "reason"])

    def details(self) -> team.MemberDetails:
        d = self.cleaned_data
        return team.MemberDetails(
            **{n: d[n] for n in self.fields if n not in ("reason", "start") and d.get(n)},
            start=d["start"],
        )

    @staticmethod
    def initial_for(member: TeamMember) -> dict[str, Any]:
        names = ["user", "name", "organisation", "code", "telephone", "email", "address"]
        return {name: getattr(member, name) for name in [*names, "start", "end", "note"]}


class ChooseRoleForm(NhsForm):
    role = forms.ChoiceField(
        label="Who are you adding?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are adding"},
    )

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, TeamRole(r).label) for r in roles]  # type: ignore[attr-defined]


def _team_child(request: HttpRequest, pk: int) -> tuple[Child, list[str]]:
    """A child the user sees, and the roles of their team the user records (403 if none)."""
    require_child_access(request)
    child = selectors.visible_child(request.user, pk)
    roles = team.roles_recorded_by(request.user, child)
    if not roles:
        raise PermissionDenied("Your role does not record this child's team")
    return child, roles


def _member(request: HttpRequest, pk: int, member_pk: int) -> tuple[Child, TeamMember]:
    child, roles = _team_child(request, pk)
    member = get_object_or_404(TeamMember, child=child, pk=member_pk)
    if member.role not in roles:
        raise PermissionDenied("Your role does not record this member of the team")
    return child, member


@reach(access.CARE_RECORD_ROLES, OWN_AREA)
@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    child, roles = _team_child(request, pk)
    role = request.GET.get("role", "")
    if role not in roles:
        choose = ChooseRoleForm(request.GET if "role" in request.GET else None, roles=roles)
        choose.is_valid()
        return form_page(
            request,
            "care/team_role.jinja",
            child,
            {"page_title": f"Add to the team – {child}", "form": choose},
        )
    form = TeamMemberForm(
        request.POST if request.method == "POST" else None,
        role=role,
        child=child,
        initial={"start": timezone.localdate()},
    )
    label = TeamRole(role).label
    if request.method == "POST" and form.is_valid():
        added = call_service(
            form,
            request,
            team.add_team_member,
            f"{label} added to the team",
            child=child,
            role=role,
            details=form.details(),
        )
        if added:
            return redirect(_team_url(child))
    return form_page(
        request,
        "care/team_form.jinja",
        child,
        {
            "page_title": f"Add the {team.role_phrase(role)} – {child}",
            "form": form,
            "label": team.role_phrase(role),
        },
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA, model=TeamMember, key="member_pk")
@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=TeamMember, key="member_pk")
def team_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    child, member = _member(request, pk, member_pk)
    if member.withdrawn:
        raise PermissionDenied("This entry was withdrawn and cannot be changed")
    form = TeamMemberForm(
        request.POST if request.method == "POST" else None,
        role=member.role,
        child=child,
        correcting=True,
        initial=TeamMemberForm.initial_for(member),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            team.correct_team_member,
            f"{member.get_role_display()} changed",
            member=member,
            details=form.details(),
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(_team_url(child))
    return form_page(
        request,
        "care/team_form.jinja",
        child,
        {
            "page_title": f"Change the {team.role_phrase(member.role)} – {child}",
            "form": form,
            "label": team.role_phrase(member.role),
            "member": member,
        },
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA, model=TeamMember, key="member_pk")
@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=TeamMember, key="member_pk")
def team_withdraw(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    child, member = _member(request, pk, member_pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            team.withdraw_team_member,
            f"{member.get_role_display()} withdrawn",
            member=member,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(_team_url(child))
    return form_page(
        request,
        "withdraw.jinja",
        child,
        {
            "page_title": f"Withdraw the {team.role_phrase(member.role)} – {child}",
            "form": form,
            "heading": f"Withdraw the {team.role_phrase(member.role)}",
            "explanation": f"{member.who}, from {member.start:%-d %B %Y}, will no longer be "
            "shown as part of the team. The entry and your reason stay in the history.",
            "button_text": "Withdraw the entry",
            "back": reverse("care:team_edit", args=[child.pk, member.pk]),
            "withdrawn": member.withdrawn_reason,
        },
    )


def _team_url(child: Child) -> str:
    return reverse("care:child_detail", args=[child.pk]) + "#team"
