"""The health passport's pages: the LAC nurse prepares it with the young person and gives
it; every version as a page and as the PDF the young person keeps; the care leavers still
owed one; each area's entitlements and how-to text, which a system administrator edits.

Only the health team serving the young person reads a passport; their social worker and
personal adviser see on the child's page that it was given and when, never what it says.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup, escape

from lachealth.care import selectors as care_selectors
from lachealth.care.models import Child
from lachealth.forms import NhsForm
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area
from lachealth.reach import ANY, OWN_AREA, PLACED_INTO_AREA, reach

from . import clocks, passport
from .models import Passport, PassportSettings
from .views import sdq_chart_svg

#: Sections whose words the nurse writes with the young person, and the field that holds them.
WRITTEN_IN = {
    "my_words": "own_words",
    "birth": "birth_history",
    "family": "family_history",
    "sexual_health": "sexual_health",
}
#: The longest text a written section takes: a page of the passport.
WRITTEN_MAX = 3000
PUT_IN = [("in", "Yes, put it in"), ("out", "No, leave it out")]
AGREED = [("yes", "Yes"), ("no", "No, it is given without their agreement")]


def _text(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=WRITTEN_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PassportForm(NhsForm):
    """What the young person chose and what the nurse wrote with them."""

    own_words = _text(
        "What they want people to know about their health",
        "In their own words. It goes in the passport as they say it.",
    )
    birth_history = _text(
        "What is known about their birth",
        "For example, where they were born, how early, any problems at birth. Leave it "
        "empty if nothing is known.",
    )
    family_history = _text(
        "Family health history",
        "Only what the young person agrees to: conditions that run in the family.",
    )
    family_history_consent = forms.BooleanField(
        label="The young person agrees to their family health history going in",
        required=False,
    )
    sexual_health = _text(
        "Sexual health",
        "Only if the young person chooses this section.",
    )
    agreed = forms.ChoiceField(
        label="Does the young person agree to what the passport says?",
        choices=AGREED,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the young person agreed to the passport"},
    )
    without_agreement_reason = forms.CharField(
        label="If they do not agree, why is it given without their agreement?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in passport.SECTIONS:
            self.fields[f"section_{section.key}"] = forms.ChoiceField(
                label=f"Put “{section.title}” in the passport?",
                choices=PUT_IN,
                widget=forms.RadioSelect,
                initial="in" if section.in_by_default else "out",
                error_messages={"required": f"Say whether “{section.title}” goes in"},
            )

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's "sections" errors belong beside the first section's question."""
        if hasattr(exc, "error_dict") and "sections" in exc.error_dict:
            moved = dict(exc.error_dict)
            moved["section_about_me"] = moved.pop("sections")
            exc = ValidationError(moved)
        super().add_service_errors(exc)

    def written(self) -> passport.Written:
        d = self.cleaned_data
        return passport.Written(
            own_words=d.get("own_words") or "",
            birth_history=d.get("birth_history") or "",
            family_history=d.get("family_history") or "",
            family_history_consent=bool(d.get("family_history_consent")),
            sexual_health=d.get("sexual_health") or "",
        )

    def choices(self) -> passport.Choices:
        d = self.cleaned_data
        picked = {k: d.get(f"section_{k}") for k in passport.SECTION_KEYS}
        return passport.Choices(
            included=[k for k, v in picked.items() if v == "in"],
            declined=[k for k, v in picked.items() if v == "out"],
            agreed={"yes": True, "no": False}.get(d.get("agreed") or ""),
            without_agreement_reason=d.get("without_agreement_reason") or "",
        )

    @staticmethod
    def initial_from(last: Passport | None) -> dict[str, Any]:
        """A new version starts from what the last one said and chose."""
        if last is None:
            return {}
        initial: dict[str, Any] = {
            name: getattr(last, name)
            for name in ("own_words", "birth_history", "family_history", "sexual_health")
        }
        initial["family_history_consent"] = last.family_history_consent
        for key in passport.SECTION_KEYS:
            if key in last.sections:
                initial[f"section_{key}"] = "in"
            elif key in last.declined:
                initial[f"section_{key}"] = "out"
        return initial


def chart(points: list[list[Any]]) -> Markup | None:
    """The passport's SDQ chart as an <img> that carries its own data (a data: URL), so that
    the page and the PDF show the version's own scores; its alt text says every number."""
    if len(points) < 2:
        return None
    parsed = [(date.fromisoformat(day), int(total)) for day, total in points]
    svg = base64.b64encode(sdq_chart_svg(parsed)).decode()
    alt = "Line chart of the strengths and difficulties score over time: " + ", ".join(
        f"{day:%-d %B %Y} {total}" for day, total in parsed
    )
    return Markup(
        f'<img class="app-chart app-chart--line" src="data:image/svg+xml;base64,{svg}" '
        f'alt="{escape(alt)}">'
    )


def _giver_child(request: HttpRequest, pk: int) -> Child:
    require_child_access(request)
    child = care_selectors.visible_child(request.user, pk)
    if not access.acts_for_child(request.user, passport.GIVER_ROLES, child):
        raise PermissionDenied("Only the health team serving the young person gives a passport")
    return child


@reach(passport.GIVER_ROLES, OWN_AREA | PLACED_INTO_AREA)
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    """Go through the passport with the young person, section by section, and give it."""
    child = _giver_child(request, pk)
    last = child.passports.order_by("-version").first()
    form = PassportForm(
        request.POST if request.method == "POST" else None,
        initial=PassportForm.initial_from(last),
    )
    as_of = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        given = call_service(
            form,
            request,
            passport.give,
            f"Health passport given to {child}",
            child=child,
            choices=form.choices(),
            written=form.written(),
            as_of=as_of,
        )
        if given:
            return redirect("health:passport", given.pk)
    written = form.written() if form.is_bound and hasattr(form, "cleaned_data") else None
    preview = passport.assemble(child, written or passport.Written(), as_of)
    too_young = as_of < clocks.birthday(child.date_of_birth, clocks.PASSPORT_FROM_AGE)
    return form_page(
        request,
        "health/passport_prepare.jinja",
        child,
        {
            "page_title": f"Prepare the health passport – {child}",
            "form": form,
            "sections": passport.SECTIONS,
            "preview": preview,
            "written_in": WRITTEN_IN,
            "chart": chart(preview["emotional"].get("points", [])),
            "last": last,
            "too_young": too_young,
        },
    )


def _passport(request: HttpRequest, pk: int) -> Passport:
    """A version of a passport of a young person the user serves in a health role."""
    require_child_access(request)
    found = get_object_or_404(
        Passport.objects.select_related("child", "given_by", "provider"),
        pk=pk,
        child__in=Child.objects.visible_to(request.user),
    )
    if not access.acts_for_child(request.user, access.HEALTH_CHILD_ROLES, found.child):
        raise PermissionDenied(
            "The young person's health team reads their passport; you see on their page "
            "that it was given"
        )
    return found


def shown(found: Passport) -> dict[str, Any]:
    """What the passport's page and PDF show: the version's sections as given."""
    sections = [
        {"key": key, **found.content[key]} for key in found.sections if key in found.content
    ]
    emotional = found.content.get("emotional", {})
    return {
        "passport": found,
        "sections": sections,
        "chart": chart(emotional.get("points", [])),
        # Their name as the passport gave it, or as the record has it if they left "About
        # me" out: the passport is theirs, and says whose it is.
        "young_person": next(
            (v for k, v in found.content.get("about_me", {}).get("rows", []) if k == "Name"),
            str(found.child),
        ),
    }


@reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=Passport)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _passport(request, pk)
    versions = found.child.passports.order_by("-version").only("pk", "version", "given_on")
    return form_page(
        request,
        "health/passport.jinja",
        found.child,
        {
            "page_title": f"Health passport, version {found.version} – {found.child}",
            "versions": versions,
            "can_give": access.acts_for_child(request.user, passport.GIVER_ROLES, found.child),
            **shown(found),
        },
    )


def pdf_bytes(found: Passport) -> bytes:
    """The passport as the PDF the young person keeps: tagged (PDF/UA), real text."""
    from weasyprint import HTML

    html = render_to_string("health/passport_pdf.jinja", shown(found))
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def pdf_response(found: Passport) -> HttpResponse:
    response = HttpResponse(pdf_bytes(found), content_type="application/pdf")
    name = f"health-passport-{found.given_on.isoformat()}-v{found.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=Passport)
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _passport(request, pk)
    audit.record(
        request,
        AccessAction.EXPORT,
        child=found.child,
        detail=f"health passport version {found.version} as PDF",
    )
    return pdf_response(found)


OWED_TO = {"21": clocks.PASSPORT_OWED_UNTIL_AGE, "25": clocks.PASSPORT_ON_REQUEST_UNTIL_AGE}


@reach(access.CHILD_ROLES)
def owed(request: HttpRequest) -> HttpResponse:
    """Care leavers who left care at 16 or later without a passport: to 21, or to 25."""
    require_child_access(request)
    to = request.GET.get("to", "21")
    if to not in OWED_TO:
        to = "21"
    as_of = timezone.localdate()
    found = passport.owed(request.user, as_of, until_age=OWED_TO[to])
    for leaver in found:
        audit.record(request, AccessAction.VIEW, child=leaver.child, detail="passports owed")
    return render(
        request,
        "health/passports_owed.jinja",
        {
            "page_title": "Care leavers owed a health passport",
            "owed": found,
            "to": to,
            "as_of": as_of,
            "can_give": bool(access.organisations_for(request.user, passport.GIVER_ROLES)),
        },
    )


def _area_text(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=WRITTEN_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class SettingsForm(NhsForm):
    """An area's passport: when it is due, and the text of its entitlements and how-to."""

    due_months = forms.IntegerField(
        label="Age the passport is due by, in months",
        min_value=16 * 12,
        max_value=18 * 12,
        help_text="Between 192 (16 years) and 216 (18 years): 210 is 17 years 6 months. A "
        "young person leaving care earlier is due it on leaving.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "classes": "nhsuk-input--width-4"}),
    )
    entitlements = _area_text("What care leavers are entitled to")
    gp_how_to = _area_text("Registering with a GP")
    urgent_how_to = _area_text("Urgent help and NHS 111")
    sexual_health_services = _area_text(
        "Sexual health services in the area (optional)", required=False
    )
    mental_health_services = _area_text(
        "Mental health services in the area (optional)", required=False
    )

    @staticmethod
    def initial_for(found: PassportSettings) -> dict[str, Any]:
        return {name: getattr(found, name) for name in passport.SETTINGS_FIELDS}


@reach(access.ADMIN_ROLES)
def settings_index(request: HttpRequest) -> HttpResponse:
    if not access.is_system_admin(request.user):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    areas = Area.objects.filter(organisations__isnull=False).distinct().order_by("name")
    own = set(PassportSettings.objects.values_list("area_id", flat=True))
    return render(
        request,
        "health/passport_settings_index.jinja",
        {"page_title": "Health passport settings", "areas": areas, "own": own},
    )


@reach(access.ADMIN_ROLES, ANY, model=Area, key="code")
def settings_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not access.is_system_admin(request.user):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    area = get_object_or_404(Area, code=code)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial=SettingsForm.initial_for(passport.settings_for(area.code)),
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in passport.SETTINGS_FIELDS}
        if call_service(
            form,
            request,
            passport.update_settings,
            f"Health passport settings saved for {area.name}",
            area_code=area.code,
            values=values,
        ):
            return redirect(reverse("health:passport_settings_edit", args=[area.code]))
    return render(
        request,
        "health/passport_settings.jinja",
        {"page_title": f"Health passport settings – {area.name}", "form": form, "area": area},
    )
