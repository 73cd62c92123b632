"""The care leaver's health passport: its sections, assembled from the record (never retyped),
and giving it.

The LAC nurse goes through it with the young person, who chooses which sections go in;
family health history goes in only with their consent and sexual health only if they choose
it. Their agreement is recorded (or why it was given without). Each gift is a new version
(`Passport`) that keeps what it said. `content` is plain JSON (text, dates as ISO strings),
so that the page and the PDF show the version exactly as it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest

from lachealth.care import team
from lachealth.care.models import Child, TeamRole
from lachealth.jinja import format_nhs_number
from lachealth.people import access, audit
from lachealth.people.models import AccessAction
from lachealth.versioning import save_versioned

from . import clocks, summary
from .models import (
    ActionStatus,
    EntryKind,
    HealthAssessment,
    HealthPlanAction,
    Passport,
    PassportSettings,
    SdqResult,
)
from .sdq import BANDS
from .selectors import child_facts
from .services import provider_for
from .status import SHORT_BREAK_LS


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    #: in unless the young person says no (family history and sexual health: out unless
    #: they say yes)
    in_by_default: bool = True


SECTIONS = (
    Section("about_me", "About me"),
    Section("my_words", "What I want people to know about my health"),
    Section("contacts", "My GP, dentist, optician and the people who help me"),
    Section("conditions", "Health conditions, medicines and allergies"),
    Section("immunisations", "Immunisations"),
    Section("growth", "Growth"),
    Section("development", "Development"),
    Section("birth", "When I was born"),
    Section("emotional", "Emotional health and wellbeing"),
    Section("assessments", "My health assessments"),
    Section("actions", "What is still to be done"),
    Section("family", "Family health history", in_by_default=False),
    Section("sexual_health", "Sexual health", in_by_default=False),
    Section("entitlements", "What I am entitled to"),
    Section("how_to", "Getting help"),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
TITLES = {s.key: s.title for s in SECTIONS}
#: Given only when the young person says yes to it.
ONLY_IF_CHOSEN = frozenset({"family", "sexual_health"})
#: The people a young person contacts themselves: their passport's contacts, and their own
#: account's.
CONTACT_ROLES = (
    TeamRole.GP,
    TeamRole.DENTIST,
    TeamRole.OPTICIAN,
    TeamRole.NAMED_NURSE,
    TeamRole.PERSONAL_ADVISER,
    TeamRole.SOCIAL_WORKER,
    TeamRole.SERVICE,
)
#: Who gives a passport: the LAC health practitioner serving the young person.
GIVER_ROLES = access.ASSESSMENT_ROLES


def settings_for(area_code: str) -> PassportSettings:
    """The area's passport settings, or the defaults when it has set none."""
    return PassportSettings.objects.filter(area_id=area_code).first() or PassportSettings(
        area_id=area_code
    )


@dataclass
class Written:
    """What the nurse writes with the young person: not in the record, so typed here."""

    own_words: str = ""
    birth_history: str = ""
    family_history: str = ""
    family_history_consent: bool = False
    sexual_health: str = ""


@dataclass
class Choices:
    """The young person's choices: sections in, sections declined, their agreement."""

    included: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    agreed: bool | None = None
    without_agreement_reason: str = ""


def _band_name(band: str) -> str:
    return BANDS[band][0] if band in BANDS else ""  # type: ignore[index]


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def assemble(child: Child, written: Written, as_of: date) -> dict[str, Any]:
    """Every section of the passport as the record has it on `as_of`, whether or not it is
    chosen: {key: {"title", "rows": [[label, value]], "table": {"head", "rows"},
    "points": [[date, value]], "text"}} (each part present only when it has something)."""
    area = settings_for(child.responsible_area_id)
    assessments = list(
        HealthAssessment.objects.filter(child=child)
        .select_related("provider")
        .order_by("completed_on")
    )
    latest = assessments[-1] if assessments else None
    sections: dict[str, dict[str, Any]] = {}

    sections["about_me"] = {
        "rows": [
            ["Name", str(child)],
            ["Date of birth", _d(child.date_of_birth)],
            ["NHS number", format_nhs_number(child.nhs_number) or "Not recorded"],
        ]
    }
    sections["my_words"] = {"text": written.own_words}
    members = team.current(child, as_of)
    sections["contacts"] = {
        "table": {
            "head": ["Who", "Name", "Telephone", "Address"],
            "rows": [
                [m.get_role_display(), m.who, m.telephone, m.address]
                for m in members
                if m.role in CONTACT_ROLES
            ],
        }
    }
    entries = summary.current_entries(child, as_of)
    sections["conditions"] = {
        "table": {
            "head": ["What", "Details", "Since"],
            "rows": [
                [
                    EntryKind(e.kind).label,
                    e.term
                    + (f" ({e.dose})" if e.dose else "")
                    + (f": {e.reaction}" if e.reaction else ""),
                    _d(e.start),
                ]
                for e in sorted(entries, key=lambda e: (e.kind, e.term))
            ],
        }
    }
    sections["immunisations"] = {
        "rows": [
            [
                "Up to date",
                latest.get_immunisations_display() if latest else "Not recorded",
            ],
            ["Last checked", _d(latest.immunisations_checked_on) if latest else ""],
        ]
    }
    sections["growth"] = {
        "table": {
            "head": ["Date", "Height (cm)", "Weight (kg)", "BMI"],
            "rows": [
                [
                    _d(a.completed_on),
                    str(a.height_cm or ""),
                    str(a.weight_kg or ""),
                    str(a.bmi or ""),
                ]
                for a in assessments
                if a.height_cm or a.weight_kg
            ],
        }
    }
    sections["development"] = {
        "rows": [
            [
                "Development checked at the last assessment",
                ("Yes" if latest.development_check else "No") if latest else "Not recorded",
            ]
        ]
    }
    sections["birth"] = {"text": written.birth_history}
    sdqs = SdqResult.objects.filter(
        child=child, informant="carer", total_difficulties__isnull=False
    ).order_by("completed_on")
    sections["emotional"] = {
        "points": [[_d(s.completed_on), s.total_difficulties] for s in sdqs],
        "table": {
            "head": ["Date", "Strengths and difficulties score (0 to 40)", "Band"],
            "rows": [
                [_d(s.completed_on), str(s.total_difficulties), _band_name(s.band)] for s in sdqs
            ],
        },
    }
    sections["assessments"] = {
        "table": {
            "head": ["Date", "Assessment", "By", "What came of it"],
            "rows": [
                [_d(a.completed_on), a.get_kind_display(), a.provider.name, a.health_needs]
                for a in reversed(assessments)
            ],
        }
    }
    actions = HealthPlanAction.objects.filter(child=child, status=ActionStatus.OPEN).order_by(
        "due_on"
    )
    sections["actions"] = {
        "table": {
            "head": ["What", "Who", "By"],
            "rows": [[a.action, a.done_by_whom, _d(a.due_on)] for a in actions],
        }
    }
    sections["family"] = {"text": written.family_history if written.family_history_consent else ""}
    sections["sexual_health"] = {"text": written.sexual_health}
    sections["entitlements"] = {"text": area.entitlements}
    sections["how_to"] = {
        "rows": [
            [label, text]
            for label, text in (
                ("Registering with a GP", area.gp_how_to),
                ("Urgent help and NHS 111", area.urgent_how_to),
                ("Sexual health services", area.sexual_health_services),
                ("Mental health services", area.mental_health_services),
            )
            if text
        ]
    }
    return {key: {"title": TITLES[key], **sections[key]} for key in SECTION_KEYS}


def due_for(child: Child) -> date | None:
    """When the young person's passport is due: by the area's age, or on leaving care if that
    is earlier (`clocks.passport_due`); None for one who left care before 16."""
    facts = child_facts(child)
    if facts.period_start is None:
        return None
    left = None
    if not child.looked_after:
        left = child.episodes.filter(decom__gte=facts.period_start).aggregate(Max("dec"))[
            "dec__max"
        ]
    try:
        return clocks.passport_due(
            child.date_of_birth,
            facts.period_start,
            left_care=left,
            due_months=facts.passport_due_months,
        )
    except ValueError:  # left care before the clock started
        return None


def check_choices(child: Child, choices: Choices, written: Written, as_of: date) -> None:
    """ValidationError naming each field at fault, with the reason, if the passport cannot
    be given as chosen."""
    errors: dict[str, str] = {}
    age_16 = clocks.birthday(child.date_of_birth, clocks.PASSPORT_FROM_AGE)
    if as_of < age_16:
        errors["__all__"] = (
            f"A health passport is given from the 16th birthday: {child} is 16 on "
            f"{age_16:%-d %B %Y}"
        )
    elif as_of >= clocks.birthday(child.date_of_birth, clocks.PASSPORT_ON_REQUEST_UNTIL_AGE):
        errors["__all__"] = f"A health passport is given up to the 25th birthday: {child} is 25"
    unknown = set(choices.included) - set(SECTION_KEYS)
    if unknown:
        errors["sections"] = "Choose sections from the list"
    both = [TITLES[k] for k in SECTION_KEYS if k in choices.included and k in choices.declined]
    if both:
        errors["sections"] = (
            f"The young person said no to {', '.join(both)}: leave it out of the passport"
        )
    if "family" in choices.included and not written.family_history_consent:
        errors["family_history_consent"] = (
            "Family health history goes in only with the young person's consent: record it "
            "or leave the section out"
        )
    if not choices.included:
        errors.setdefault("sections", "Choose at least one section for the passport")
    if choices.agreed is None:
        errors["agreed"] = "Say whether the young person agreed to the passport"
    elif not choices.agreed and not choices.without_agreement_reason.strip():
        errors["without_agreement_reason"] = (
            "Say why the passport is given without the young person's agreement"
        )
    if errors:
        raise ValidationError(errors)


def give(
    *,
    by: Any,
    child: Child,
    choices: Choices,
    written: Written,
    as_of: date,
    request: HttpRequest | None = None,
) -> Passport:
    """Give the young person a new version of their passport, as they chose it."""
    if not access.acts_for_child(by, GIVER_ROLES, child):
        raise PermissionDenied("Only the health team serving the young person gives a passport")
    check_choices(child, choices, written, as_of)
    provider = provider_for(by, GIVER_ROLES, child)
    content = assemble(child, written, as_of)
    due_on = due_for(child)
    chosen = [k for k in SECTION_KEYS if k in choices.included]
    with transaction.atomic():
        locked = Child.objects.select_for_update().get(pk=child.pk)
        last = locked.passports.order_by("-version").values_list("version", flat=True).first()
        passport = Passport(
            child=locked,
            version=(last or 0) + 1,
            given_on=as_of,
            due_on=due_on,
            given_by=by,
            provider=provider,
            sections=chosen,
            declined=[k for k in SECTION_KEYS if k in choices.declined],
            agreed=bool(choices.agreed),
            without_agreement_reason=choices.without_agreement_reason.strip()
            if not choices.agreed
            else "",
            own_words=written.own_words.strip(),
            birth_history=written.birth_history.strip(),
            family_history=written.family_history.strip()
            if written.family_history_consent and "family" in chosen
            else "",
            family_history_consent=written.family_history_consent,
            sexual_health=written.sexual_health.strip() if "sexual_health" in chosen else "",
            content={k: content[k] for k in chosen},
        )
        passport.full_clean()
        passport.save()
        audit.record(
            request,
            AccessAction.CREATE,
            user=by,
            child=child,
            detail=f"gave health passport version {passport.version}",
        )
    return passport


#: The settings an administrator edits for an area.
SETTINGS_FIELDS = (
    "due_months",
    "entitlements",
    "gp_how_to",
    "urgent_how_to",
    "sexual_health_services",
    "mental_health_services",
)


def update_settings(
    *, by: Any, area_code: str, values: dict[str, Any], request: HttpRequest | None = None
) -> PassportSettings:
    """A system administrator sets an area's passport: its due age and its own text."""
    if not access.is_system_admin(by):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    found = settings_for(area_code)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(found, name, values[name])
    save_versioned(found, by)
    audit.record(
        request, AccessAction.ADMIN, user=by, detail=f"changed passport settings for {area_code}"
    )
    return found


@dataclass(frozen=True)
class Owed:
    child: Child
    left_care: date


def owed(user: Any, as_of: date, *, until_age: int = clocks.PASSPORT_OWED_UNTIL_AGE) -> list[Owed]:
    """Care leavers the user may see who left care at 16 or later and have been given no
    passport by `as_of`, up to `until_age` (`clocks.passport_owed`), longest waiting first."""
    oldest = clocks.add_months(as_of, -12 * until_age)
    candidates = (
        Child.objects.visible_to(user)
        .filter(looked_after=False, date_of_birth__gt=oldest)
        .exclude(passports__given_on__lte=as_of)
        .annotate(
            # Leaving short breaks (LS V3/V4) is not leaving care: no passport is owed for it.
            left_care=Max(
                "episodes__dec",
                filter=Q(episodes__withdrawn_reason="") & ~Q(episodes__ls__in=SHORT_BREAK_LS),
            )
        )
        .filter(left_care__isnull=False)
        .select_related("responsible_area")
    )
    found = [
        Owed(child, child.left_care)  # type: ignore[attr-defined]
        for child in candidates
        if clocks.passport_owed(
            child.date_of_birth,
            child.left_care,  # type: ignore[attr-defined]
            None,
            as_of,
            until_age=until_age,
        )
    ]
    return sorted(found, key=lambda o: (o.left_care, o.child.sort_name))
