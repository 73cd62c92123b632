"""Every write of the provider side of quality assurance: the providers of external provision,
the shared timetable of the agencies' quality visits to them and the concerns register (joint
funding is `joint_funding.py`). Who may write is checked here again, whatever calls; each
write is one transaction, keeps its history and writes its access-log row last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from lachealth.care.models import normalise_postcode
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area, Organisation, OrganisationKind, Role
from lachealth.problems import Problems
from lachealth.versioning import save_versioned

from .area_settings import settings_for
from .models import (
    TEXT_MAX,
    Concern,
    ConcernStatus,
    Provider,
    ProviderKind,
    QualityAction,
    Severity,
    Visit,
    VisitGrade,
    VisitStatus,
)

#: Staff: anyone holding a child role or the commissioner's at an LA, NHS provider or ICB.
STAFF_ROLES = access.CHILD_ROLES | {Role.COMMISSIONER}
#: Who adds and changes providers: LA staff, commissioners and designated professionals.
PROVIDER_EDITOR_ROLES = access.LA_CHILD_ROLES | {Role.COMMISSIONER, Role.DESIGNATED_PROFESSIONAL}
#: Who puts an agency's visits on the timetable.
SCHEDULER_ROLES = frozenset({Role.COMMISSIONER, Role.DESIGNATED_PROFESSIONAL, Role.DATA_OFFICER})
#: Who, beside the raising organisation's staff, updates a concern on their area's register.
CONCERN_LEAD_ROLES = frozenset({Role.COMMISSIONER, Role.DESIGNATED_PROFESSIONAL})
#: Kinds of organisation a concern is told to (a service's staff do not read the register).
TOLD_KINDS = (
    OrganisationKind.LOCAL_AUTHORITY,
    OrganisationKind.HEALTH_PROVIDER,
    OrganisationKind.ICB,
)

#: Visits and actions are dated within two years either side of today.
HORIZON = timedelta(days=730)
#: An Ofsted URN as it is written: SC123456, EY123456, 123456 or 2500001.
URN_PATTERN = re.compile(r"^[A-Z0-9]{6,8}$")


# --- who may -----------------------------------------------------------------------------


def register_areas(user: Any) -> frozenset[str]:
    """The areas whose registers (timetable and concerns) the user reads."""
    return access.areas_for(user, STAFF_ROLES)


def staff_organisations(user: Any) -> frozenset[int]:
    return access.organisations_for(user, STAFF_ROLES)


def is_staff(user: Any) -> bool:
    return bool(register_areas(user))


def may_edit_providers(user: Any) -> bool:
    return bool(access.organisations_for(user, PROVIDER_EDITOR_ROLES))


def scheduling_organisations(user: Any) -> frozenset[int]:
    """The agencies whose visits the user schedules (an LA's data officer only for the LA)."""
    return access.organisations_for(user, SCHEDULER_ROLES)


def may_record_visit(user: Any, visit: Visit) -> bool:
    """Staff of the visiting organisation record what the visit found, or cancel it."""
    return visit.organisation_id in staff_organisations(user)


def may_update_concern(user: Any, concern: Concern) -> bool:
    return concern.raised_by_id in staff_organisations(user) or concern.area_id in (
        access.areas_for(user, CONCERN_LEAD_ROLES)
    )


def _still_open_by(provider: Provider, day: date, field: str, what: str) -> None:
    """Lock the provider and check again that `day` is not before it opened (its opening date
    may have just been changed: `change_provider` checks the visits and concerns under the
    same lock)."""
    opened_on = (
        Provider.objects.select_for_update().values_list("opened_on", flat=True).get(pk=provider.pk)
    )
    if day < opened_on:
        raise ValidationError(
            {field: f"{what} must be on or after {said(opened_on)}, when {provider} opened"}
        )


def joint_visit_window(area_code: str) -> int:
    """How close (days) two agencies' visits to one provider are a chance to visit together,
    as the area's register sets it."""
    return settings_for(area_code).joint_visit_window_days


def is_joint_visit_chance(one: date, other: date, window_days: int) -> bool:
    """Two visits this close to one provider could be made together."""
    return abs((one - other).days) <= window_days


def said(value: date) -> str:
    """A date as messages say it: 1 April 2026."""
    return f"{value:%-d %B %Y}"


# --- providers ---------------------------------------------------------------------------


def _provider_problems(
    problems: Problems,
    *,
    name: str,
    kind: str,
    urn: str,
    area_code: str,
    postcode: str,
    opened_on: date,
    as_of: date,
    provider: Provider | None,
) -> dict[str, Any]:
    name, urn, postcode = name.strip(), urn.strip().upper().replace(" ", ""), postcode.strip()
    if not name:
        problems.add("name", "Enter the provider's name")
    if kind not in ProviderKind.values:
        problems.add("kind", "Choose what kind of provision it is")
    if urn:
        if not URN_PATTERN.match(urn) or set(urn) == {"X"}:
            problems.add(
                "urn",
                "Enter the Ofsted URN as Ofsted gives it, 6 to 8 letters and numbers like "
                "SC123456, or leave it empty if it has none",
            )
        else:
            same = Provider.objects.filter(urn=urn)
            if provider is not None:
                same = same.exclude(pk=provider.pk)
            other = same.first()
            if other is not None:
                problems.add(
                    "urn", f"Ofsted URN {urn} is already {other.name}'s: open its page instead"
                )
    if not Area.objects.filter(code=area_code).exists():
        problems.add("area", "Choose where the provider is from the list")
    if postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            problems.add("postcode", "Enter a full UK postcode, like LS1 4AP")
    if opened_on > as_of:
        problems.add("opened_on", "The date it opened must be today or in the past")
    elif provider is not None and provider.pk:
        first = provider.visits.exclude(status=VisitStatus.CANCELLED).order_by("planned_on").first()
        raised = provider.concerns.order_by("raised_on").first()
        if first is not None and first.planned_on < opened_on:
            problems.add(
                "opened_on",
                f"{provider.name} has a visit on {said(first.planned_on)} on the timetable: "
                "it cannot have opened after that",
            )
        elif raised is not None and raised.raised_on < opened_on:
            problems.add(
                "opened_on",
                f"A concern about {provider.name} was raised on {said(raised.raised_on)}: it "
                "cannot have opened after that",
            )
    return {
        "name": name,
        "kind": kind,
        "urn": urn,
        "area_id": area_code,
        "postcode": postcode,
        "opened_on": opened_on,
    }


def add_provider(
    *,
    by: Any,
    name: str,
    kind: str,
    urn: str,
    area_code: str,
    postcode: str,
    opened_on: date,
    as_of: date,
    request: HttpRequest | None = None,
) -> Provider:
    """Add a provider of external provision (national: every area's staff find it)."""
    if not may_edit_providers(by):
        raise PermissionDenied("LA staff, commissioners and designated professionals add providers")
    problems = Problems()
    values = _provider_problems(
        problems,
        name=name,
        kind=kind,
        urn=urn,
        area_code=area_code,
        postcode=postcode,
        opened_on=opened_on,
        as_of=as_of,
        provider=None,
    )
    problems.raise_any()
    with transaction.atomic():
        provider = Provider(added_by=by, **values)
        save_versioned(provider, by, reason="added")
        audit.record(request, AccessAction.CREATE, user=by, detail=f"added provider {provider}")
    return provider


def change_provider(
    *,
    by: Any,
    provider: Provider,
    name: str,
    kind: str,
    urn: str,
    area_code: str,
    postcode: str,
    opened_on: date,
    as_of: date,
    request: HttpRequest | None = None,
) -> Provider:
    """Correct a provider's details (its history keeps what they were)."""
    if not may_edit_providers(by):
        raise PermissionDenied(
            "LA staff, commissioners and designated professionals change providers"
        )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        problems = Problems()
        values = _provider_problems(
            problems,
            name=name,
            kind=kind,
            urn=urn,
            area_code=area_code,
            postcode=postcode,
            opened_on=opened_on,
            as_of=as_of,
            provider=provider,
        )
        problems.raise_any()
        for field, value in values.items():
            setattr(provider, field, value)
        save_versioned(provider, by, reason="details changed")
        audit.record(request, AccessAction.CHANGE, user=by, detail=f"changed provider {provider}")
    return provider


# --- actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDetails:
    """An action agreed at a visit or on a concern: what, who owns it, by when."""

    text: str
    owner: str
    due_on: date


def _action_problems(
    problems: Problems,
    actions: Sequence[ActionDetails],
    *,
    not_before: date,
    what: str,
    as_of: date,
) -> None:
    """Each action's problems, keyed by its row's fields: action_1_text, action_1_due…"""
    for number, action in enumerate(actions, start=1):
        row = f"action_{number}_"
        if not action.text.strip():
            problems.add(row + "text", "Enter what the action is")
        if not action.owner.strip():
            problems.add(row + "owner", "Say who owns the action")
        if action.due_on < not_before:
            problems.add(
                row + "due",
                f"The due date must be on or after {said(not_before)}, the date of the {what}",
            )
        elif action.due_on > as_of + HORIZON:
            problems.add(row + "due", "The due date must be within 2 years of today")


def _add_actions(by: Any, actions: Sequence[ActionDetails], **of: Any) -> None:
    for action in actions:
        save_versioned(
            QualityAction(
                text=action.text.strip(), owner=action.owner.strip(), due_on=action.due_on, **of
            ),
            by,
            reason="agreed",
        )


def _to_complete(problems: Problems, done: Iterable[int], actions: Any) -> list[QualityAction]:
    """The record's open actions to mark done: every id must be one of them."""
    wanted = set(done)
    found = {a.pk: a for a in actions.filter(pk__in=wanted, done_on__isnull=True)}
    if wanted - found.keys():
        problems.add("done", "An action marked done is done already or not this record's")
    return list(found.values())


# --- visits ------------------------------------------------------------------------------


def schedule_visit(
    *,
    by: Any,
    provider: Provider,
    organisation: Organisation,
    area_code: str,
    planned_on: date,
    purpose: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> Visit:
    """Put an agency's quality visit on the shared timetable of one of its areas."""
    mine = scheduling_organisations(by)
    if not mine:
        raise PermissionDenied(
            "Commissioners, designated professionals and LA data officers schedule visits"
        )
    problems = Problems()
    if organisation.pk not in mine:
        problems.add("organisation", "Choose one of your organisations as the visiting agency")
    elif not organisation.areas.filter(code=area_code).exists():
        area = Area.objects.filter(code=area_code).first()
        problems.add(
            "area",
            f"{organisation.name} does not serve {area or 'that area'}: choose one of its areas",
        )
    if planned_on < provider.opened_on:
        problems.add(
            "planned_on",
            f"The visit date must be on or after {said(provider.opened_on)}, when "
            f"{provider.name} opened",
        )
    elif abs(planned_on - as_of) > HORIZON:
        problems.add("planned_on", "The visit date must be within 2 years of today")
    if not purpose.strip():
        problems.add("purpose", "Say what the visit is for")
    problems.raise_any()
    with transaction.atomic():
        _still_open_by(provider, planned_on, "planned_on", "The visit date")
        visit = Visit(
            provider=provider,
            organisation=organisation,
            area_id=area_code,
            planned_on=planned_on,
            purpose=purpose.strip(),
            recorded_by=by,
        )
        save_versioned(visit, by, reason="scheduled")
        audit.record(
            request,
            AccessAction.CREATE,
            user=by,
            detail=f"scheduled a visit to {provider} on {planned_on.isoformat()}",
        )
    return visit


def record_visit_outcome(
    *,
    by: Any,
    visit: Visit,
    visitors: str,
    findings: str,
    outcome: str,
    actions: Sequence[ActionDetails] = (),
    done: Iterable[int] = (),
    as_of: date,
    request: HttpRequest | None = None,
) -> Visit:
    """Record who went, what the visit found, its grade and the actions agreed (or change
    them afterwards), and mark earlier actions done."""
    if not may_record_visit(by, visit):
        raise PermissionDenied("Staff of the visiting organisation record what it found")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("provider").get(pk=visit.pk)
        problems = Problems()
        if visit.status == VisitStatus.CANCELLED:
            problems.add(None, "This visit was cancelled: schedule a new one instead")
        elif visit.planned_on > as_of:
            problems.add(
                None,
                f"The visit is planned for {said(visit.planned_on)}: record what it found on "
                "the day or after",
            )
        if not visitors.strip():
            problems.add("visitors", "Say who went on the visit")
        if not findings.strip():
            problems.add("findings", "Enter what the visit found")
        if outcome not in VisitGrade.values:
            problems.add("outcome", "Choose the visit's outcome grade")
        _action_problems(problems, actions, not_before=visit.planned_on, what="visit", as_of=as_of)
        completed = _to_complete(problems, done, visit.actions.all())
        problems.raise_any()
        again = visit.status == VisitStatus.DONE
        visit.status = VisitStatus.DONE
        visit.visitors, visit.findings, visit.outcome = visitors.strip(), findings.strip(), outcome
        save_versioned(visit, by, reason="outcome changed" if again else "outcome recorded")
        _add_actions(by, actions, visit=visit)
        for action in completed:
            action.done_on = as_of
            save_versioned(action, by, reason="done")
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            detail=f"recorded the visit to {visit.provider} of {visit.planned_on.isoformat()}",
        )
    return visit


def cancel_visit(
    *, by: Any, visit: Visit, reason: str, request: HttpRequest | None = None
) -> Visit:
    """Take a planned visit off the timetable, saying why (it stays, marked cancelled)."""
    if not may_record_visit(by, visit):
        raise PermissionDenied("Staff of the visiting organisation cancel its visits")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("provider").get(pk=visit.pk)
        problems = Problems()
        if visit.status != VisitStatus.PLANNED:
            state = visit.get_status_display().lower()
            problems.add(None, f"Only a planned visit can be cancelled: this one is {state}")
        if not reason.strip():
            problems.add("reason", "Say why the visit is cancelled")
        problems.raise_any()
        visit.status = VisitStatus.CANCELLED
        visit.cancelled_reason = reason.strip()
        save_versioned(visit, by, reason=f"cancelled: {visit.cancelled_reason}")
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            detail=f"cancelled the visit to {visit.provider} of {visit.planned_on.isoformat()}",
        )
    return visit


# --- concerns ----------------------------------------------------------------------------


def _told_problems(problems: Problems, told: Iterable[Organisation]) -> list[Organisation]:
    told = list(told)
    if any(o.kind not in TOLD_KINDS or not o.is_active for o in told):
        problems.add(
            "told", "Choose local authorities, NHS providers or ICBs in use to tell of the concern"
        )
    return told


def raise_concern(
    *,
    by: Any,
    provider: Provider,
    area_code: str,
    raised_by: Organisation,
    raised_on: date,
    severity: str,
    summary: str,
    details: str,
    told: Iterable[Organisation] = (),
    as_of: date,
    request: HttpRequest | None = None,
) -> Concern:
    """Put a concern about a provider on an area's register, and say whom it was told to."""
    if not is_staff(by):
        raise PermissionDenied("Staff of local authorities, NHS providers and ICBs raise concerns")
    problems = Problems()
    if area_code not in register_areas(by):
        problems.add("area", "Choose the register of one of your areas")
    if raised_by.pk not in staff_organisations(by):
        problems.add("raised_by", "Choose one of your organisations as the one raising it")
    elif not raised_by.areas.filter(code=area_code).exists() and area_code in register_areas(by):
        area = Area.objects.get(code=area_code)
        problems.add(
            "raised_by", f"{raised_by.name} does not serve {area}: raise it on one of its registers"
        )
    if raised_on > as_of:
        problems.add("raised_on", "The date raised must be today or in the past")
    elif raised_on < provider.opened_on:
        problems.add(
            "raised_on",
            f"The date raised must be on or after {said(provider.opened_on)}, when "
            f"{provider.name} opened",
        )
    if severity not in Severity.values:
        problems.add("severity", "Choose how serious the concern is")
    if not summary.strip():
        problems.add("summary", "Enter a summary of the concern")
    if len(details) > TEXT_MAX:
        problems.add("details", f"The details must be {TEXT_MAX} characters or fewer")
    told = [o for o in _told_problems(problems, told) if o.pk != raised_by.pk]
    problems.raise_any()
    with transaction.atomic():
        _still_open_by(provider, raised_on, "raised_on", "The date raised")
        concern = Concern(
            provider=provider,
            area_id=area_code,
            raised_by=raised_by,
            raised_on=raised_on,
            severity=severity,
            summary=summary.strip(),
            details=details.strip(),
            recorded_by=by,
        )
        save_versioned(concern, by, reason="raised")
        if told:
            concern.told.set(told)  # its history notes whom, credited as above
        audit.record(
            request, AccessAction.CREATE, user=by, detail=f"raised a concern about {provider}"
        )
    return concern


def update_concern(
    *,
    by: Any,
    concern: Concern,
    status: str,
    tell: Iterable[Organisation] = (),
    actions: Sequence[ActionDetails] = (),
    done: Iterable[int] = (),
    as_of: date,
    request: HttpRequest | None = None,
) -> Concern:
    """Change a concern's status, tell more organisations, agree and complete its actions."""
    if not may_update_concern(by, concern):
        raise PermissionDenied(
            "The raising organisation's staff, and the area's commissioners and designated "
            "professionals, update a concern"
        )
    with transaction.atomic():
        concern = Concern.objects.select_for_update().select_related("provider").get(pk=concern.pk)
        problems = Problems()
        if status not in ConcernStatus.values:
            problems.add("status", "Choose the concern's status")
        already = set(concern.told.values_list("pk", flat=True)) | {concern.raised_by_id}
        new = [o for o in _told_problems(problems, tell) if o.pk not in already]
        _action_problems(
            problems, actions, not_before=concern.raised_on, what="concern", as_of=as_of
        )
        completed = _to_complete(problems, done, concern.actions.all())
        if not problems and status == concern.status and not (new or actions or completed):
            problems.add(
                "status",
                "Nothing was changed: change the status, tell another organisation, or add or "
                "complete an action",
            )
        problems.raise_any()
        changed = status != concern.status
        concern._history_user = by  # type: ignore[attr-defined]
        if changed:
            concern.status = status
            save_versioned(concern, by, reason=f"status: {ConcernStatus(status).label.lower()}")
        if new:
            concern._change_reason = "told " + ", ".join(o.name for o in new)  # type: ignore[attr-defined]
            concern.told.add(*new)
        _add_actions(by, actions, concern=concern)
        for action in completed:
            action.done_on = as_of
            save_versioned(action, by, reason="done")
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            detail=f"updated the concern about {concern.provider}",
        )
    return concern
