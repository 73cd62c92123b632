"""The young person's own account, its pages and the health team's side of it.

The team invites the young person (child's page) and can withdraw the account; it answers
their correction requests. The young person accepts the e-mailed link (confirming their date
of birth, choosing a password and a second step), then sees only their own pages under /my/:
their passport (page and PDF), their next appointments and contacts, a short survey on their
last assessment, and a form to ask for a correction. Every page they open is logged as a
view of their record, like staff's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from lachealth.care import selectors as care_selectors
from lachealth.care import team
from lachealth.care.models import Child
from lachealth.date_bounds import DATE_OF_BIRTH
from lachealth.forms import NhsForm, SplitDateField
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access, audit
from lachealth.people.middleware import otp_not_required
from lachealth.people.models import AccessAction
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, PUBLIC, YOUNG_PERSON, reach

from . import own_account, passport
from .models import (
    Answer,
    Appointment,
    CorrectionRequest,
    Invitation,
    Passport,
    YoungPersonAccount,
)
from .passport_views import pdf_response, shown

# ---- the health team's side ------------------------------------------------------------------


class InviteForm(NhsForm):
    email = forms.EmailField(
        label="The young person's own e-mail address",
        max_length=254,
        help_text="Not a carer's or a shared address: the link lets them make their account",
        error_messages={
            "required": "Enter the young person's e-mail address",
            "invalid": "Enter an e-mail address like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _team_child(request: HttpRequest, pk: int) -> Child:
    require_child_access(request)
    child = care_selectors.visible_child(request.user, pk)
    if not access.acts_for_child(request.user, own_account.INVITER_ROLES, child):
        raise PermissionDenied("Only the young person's health team invites them")
    return child


def _child_url(child: Child) -> str:
    return reverse("care:child_detail", args=[child.pk]) + "#own-account"


@reach(own_account.INVITER_ROLES, OWN_AREA | PLACED_INTO_AREA)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    child = _team_child(request, pk)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            own_account.invite,
            f"Invitation sent to {form.cleaned_data['email']}",
            child=child,
            email=form.cleaned_data["email"],
            as_of=timezone.localdate(),
        )
    ):
        return redirect(_child_url(child))
    return form_page(
        request,
        "health/own_account_invite.jinja",
        child,
        {
            "page_title": f"Invite {child} to their own account",
            "form": form,
            "pending": Invitation.objects.waiting(timezone.now()).filter(child=child).first(),
            "days": own_account.INVITATION_DAYS,
        },
    )


class WithdrawAccountForm(NhsForm):
    reason = forms.CharField(
        label="Why is the young person's account withdrawn?",
        max_length=300,
        help_text="For example, they asked for it to be closed",
        error_messages={"required": "Say why the account is withdrawn"},
    )


@reach(own_account.INVITER_ROLES, OWN_AREA | PLACED_INTO_AREA)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    child = _team_child(request, pk)
    form = WithdrawAccountForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            own_account.withdraw,
            f"{child}'s own account is withdrawn",
            child=child,
            reason=form.cleaned_data["reason"],
            as_of=timezone.localdate(),
        )
    ):
        return redirect(_child_url(child))
    return form_page(
        request,
        "withdraw.jinja",
        child,
        {
            "page_title": f"Withdraw {child}'s own account",
            "form": form,
            "heading": f"Withdraw {child}'s own account",
            "explanation": "They will no longer be able to sign in. Their passport and "
            "everything they told the team stay on the record.",
            "button_text": "Withdraw the account",
            "back": _child_url(child),
            "withdrawn": "",
        },
    )


class AnswerForm(NhsForm):
    answer = forms.CharField(
        label="What did you do about it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, corrected the GP practice and gave an updated passport",
        error_messages={"required": "Say what you did about it"},
    )


@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=CorrectionRequest)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_child_access(request)
    asked = get_object_or_404(
        CorrectionRequest.objects.select_related("child", "passport"),
        pk=pk,
        child__in=Child.objects.visible_to(request.user),
    )
    if not access.acts_for_child(request.user, access.HEALTH_RECORD_ROLES, asked.child):
        raise PermissionDenied("Only the young person's health team answers them")
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            own_account.answer_correction,
            "Answer recorded",
            asked=asked,
            answer=form.cleaned_data["answer"],
            as_of=timezone.localdate(),
        )
    ):
        return redirect(_child_url(asked.child))
    return form_page(
        request,
        "health/own_account_answer.jinja",
        asked.child,
        {
            "page_title": f"Answer a correction request – {asked.child}",
            "form": form,
            "asked": asked,
            "section": passport.TITLES.get(asked.section, asked.section),
        },
    )


# ---- accepting the invitation ----------------------------------------------------------------


class AcceptForm(NhsForm):
    date_of_birth = SplitDateField(
        label="Your date of birth",
        help_text="For example, 27 3 2009",
        bounds=DATE_OF_BIRTH,
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 12 characters. Not one you use anywhere else.",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password_again = forms.CharField(
        label="Type the password again",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )
    second_step = forms.ChoiceField(
        label="How will you confirm it is you when you sign in?",
        choices=list(own_account.SECOND_STEPS.items()),
        widget=forms.RadioSelect,
        help_text="An authenticator app on your phone, or a code we e-mail you each time",
        error_messages={"required": "Choose how you will confirm it is you"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_same("password", "password_again", "The passwords are not the same")
        return data


@reach(PUBLIC, when={"token": "not-a-real-link"})
@login_not_required
@otp_not_required
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation: make the account, once."""
    found = own_account.invitation_for(token)
    if found is None:
        return render(
            request,
            "health/own_account_link_gone.jinja",
            {"page_title": "This link does not work any more"},
        )
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = own_account.accept(
                token=token,
                answer=own_account.Acceptance(d["date_of_birth"], d["password"], d["second_step"]),
                request=request,
            )
        except ValidationError as refused:
            if own_account.invitation_for(token) is None:
                return render(
                    request,
                    "health/own_account_link_gone.jinja",
                    {"page_title": "This link does not work any more"},
                )
            if hasattr(refused, "error_dict"):
                form.add_service_errors(refused)
            else:  # the password validators' own messages
                form.add_error("password", refused)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["sign_in_next"] = reverse("health:my_home")
            if d["second_step"] == "app":
                return redirect("people:enrol")
            return redirect("people:sign_in_code")
    return render(
        request,
        "health/own_account_accept.jinja",
        {"page_title": "Make your account", "form": form, "email": found.email},
    )


# ---- the young person's own pages ------------------------------------------------------------


def _own(request: HttpRequest, page: str | None) -> YoungPersonAccount:
    """The signed-in young person's open account (403 for anyone else, or once it ended);
    the `page` they open is logged as a view of their record (a download logs itself)."""
    account = own_account.active_account(request.user)
    if account is None:
        raise PermissionDenied("This page is for a young person's own account")
    if page is not None:
        audit.record(request, AccessAction.VIEW, child=account.child, detail=f"own account: {page}")
    return account


def landing(request: HttpRequest) -> str | None:
    """A young person starts from their own page, not the staff home page."""
    if own_account.active_account(request.user) is not None:
        return reverse("health:my_home")
    return None


@reach([YOUNG_PERSON])
def my_home(request: HttpRequest) -> HttpResponse:
    account = _own(request, "home")
    child = account.child
    as_of = timezone.localdate()
    latest = Passport.objects.filter(child=child).order_by("-version").first()
    appointments = Appointment.objects.filter(
        child=child, outcome="", starts_at__gte=timezone.now()
    ).order_by("starts_at")[:5]
    contacts = [m for m in team.current(child, as_of) if m.role in passport.CONTACT_ROLES]
    return render(
        request,
        "health/my_home.jinja",
        {
            "page_title": "Your health",
            "account": account,
            "child": child,
            "latest": latest,
            "appointments": appointments,
            "contacts": contacts,
            "assessed": child.assessments.exists(),  # type: ignore[attr-defined]
        },
    )


def _latest(account: YoungPersonAccount) -> Passport:
    found = Passport.objects.filter(child=account.child).order_by("-version").first()
    if found is None:
        raise PermissionDenied(
            "You have no health passport yet: your health team makes it with you"
        )
    return found


@reach([YOUNG_PERSON])
def my_passport(request: HttpRequest) -> HttpResponse:
    account = _own(request, "passport")
    found = _latest(account)
    return render(
        request,
        "health/passport.jinja",
        {
            "page_title": "Your health passport",
            "back_url": reverse("health:my_home"),
            "back_text": "Back to your health",
            "pdf_url": reverse("health:my_passport_pdf"),
            "can_give": False,
            "versions": [],
            **shown(found),
        },
    )


@reach([YOUNG_PERSON])
def my_passport_pdf(request: HttpRequest) -> HttpResponse:
    account = _own(request, None)
    found = _latest(account)
    audit.record(
        request,
        AccessAction.EXPORT,
        child=account.child,
        detail=f"own account: health passport version {found.version} as PDF",
    )
    return pdf_response(found)


class FeedbackForm(NhsForm):
    listened = forms.ChoiceField(
        label="Did you feel listened to?",
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you felt listened to"},
    )
    understood = forms.ChoiceField(
        label="Did you understand what happens next?",
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you understood what happens next"},
    )
    anything_else = forms.CharField(
        label="Anything else you want to tell us? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@reach([YOUNG_PERSON])
def my_feedback(request: HttpRequest) -> HttpResponse:
    account = _own(request, "feedback")
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            own_account.give_feedback,
            "Thank you. Your health team will read what you said.",
            listened=form.cleaned_data["listened"],
            understood=form.cleaned_data["understood"],
            anything_else=form.cleaned_data["anything_else"],
            as_of=timezone.localdate(),
        )
    ):
        return redirect("health:my_home")
    last = account.child.assessments.order_by("-completed_on").first()  # type: ignore[attr-defined]
    return render(
        request,
        "health/my_feedback.jinja",
        {"page_title": "Your last health assessment", "form": form, "last": last},
    )


class CorrectionForm(NhsForm):
    section = forms.ChoiceField(
        label="Which part of your passport is wrong?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a part of your passport"},
    )
    what = forms.CharField(
        label="What is wrong, and what should it say?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what is wrong and what it should say"},
    )

    def __init__(self, *args: Any, sections: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [  # type: ignore[attr-defined]
            (key, passport.TITLES[key]) for key in sections if key in passport.TITLES
        ]


@reach([YOUNG_PERSON])
def my_correction(request: HttpRequest) -> HttpResponse:
    account = _own(request, "ask for a correction")
    found = _latest(account)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None, sections=list(found.sections)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            own_account.ask_correction,
            "Thank you. Your health team will look at it and tell you what they did.",
            section=form.cleaned_data["section"],
            what=form.cleaned_data["what"],
            as_of=timezone.localdate(),
        )
    ):
        return redirect("health:my_home")
    return render(
        request,
        "health/my_correction.jinja",
        {
            "page_title": "Ask for a correction",
            "form": form,
            "asked": account.child.correction_requests.all(),
        },  # type: ignore[attr-defined]
    )
