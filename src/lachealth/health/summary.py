"""The child's clinical summary: which details each kind of entry has, who sees which entries,
and the writes that add, correct, resolve and withdraw them.

The health team (practitioners and administrators serving the child) records the summary, at
an assessment or between them; every health role that sees the child reads all of it; the
child's LA reads only what health marks shareable, and alerts are shareable unless health
says otherwise, because the carer must see them. Nothing is deleted: an entry made in error
is withdrawn with a reason, and a correction keeps its reason in the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lachealth.care.models import Child
from lachealth.people import access, audit
from lachealth.people.models import AccessAction
from lachealth.versioning import correction_reason, save_versioned, withdraw_versioned

from .coding import CodeError, concept_id
from .models import ClinicalEntry, EntryKind, HealthAssessment, Severity

#: Roles that record the clinical summary.
SUMMARY_ROLES = access.HEALTH_RECORD_ROLES

#: The details each kind of entry has, beside its description and whether it is shared.
FIELDS_FOR: dict[str, tuple[str, ...]] = {
    EntryKind.ALERT: ("start", "end"),
    EntryKind.ALLERGY: ("code", "reaction", "severity", "start", "end"),
    EntryKind.CONDITION: ("code", "start", "end"),
    EntryKind.MEDICINE: ("code", "dose", "start", "end"),
    EntryKind.DISABILITY: ("code", "start", "end"),
}

#: What the description is called for each kind, in messages and labels.
TERM_NAME: dict[str, str] = {
    EntryKind.ALERT: "the alert",
    EntryKind.ALLERGY: "what the child is allergic to",
    EntryKind.CONDITION: "the condition or diagnosis",
    EntryKind.MEDICINE: "the medicine",
    EntryKind.DISABILITY: "the disability",
}

#: What a medicine may be stopped by, ahead of today: a course with a known end.
MEDICINE_COURSE_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class EntryDetails:
    """What a summary form gives for one entry."""

    term: str
    code: str = ""
    start: date | None = None
    end: date | None = None
    dose: str = ""
    reaction: str = ""
    severity: str = ""
    shareable: bool = False


@dataclass(frozen=True)
class Summary:
    """The entries a reader may see: current ones by kind (alerts first), and those resolved,
    stopped or withdrawn."""

    current: dict[str, list[ClinicalEntry]]
    past: list[ClinicalEntry]
    #: the reader sees every entry (health), not only those shared with the LA
    complete: bool

    @property
    def alerts(self) -> list[ClinicalEntry]:
        return self.current.get(EntryKind.ALERT, [])

    @property
    def empty(self) -> bool:
        return not (any(self.current.values()) or self.past)


def reads_all(user: Any, child: Child) -> bool:
    """Health staff serving the child read the whole summary."""
    return access.acts_for_child(user, access.HEALTH_CHILD_ROLES, child)


def summary_for(user: Any, child: Child, as_of: date) -> Summary:
    """The summary as `user` may read it: all of it for health, the shared part for the LA."""
    complete = reads_all(user, child)
    entries = child.clinical_entries.select_related("assessment")
    if not complete:
        entries = entries.filter(shareable=True, withdrawn_reason="")
    current: dict[str, list[ClinicalEntry]] = {kind: [] for kind in EntryKind.values}
    past = []
    for entry in entries:
        if entry.is_current(as_of):
            current[entry.kind].append(entry)
        else:
            past.append(entry)
    past.sort(key=lambda e: (e.end or e.start or date.min, e.pk), reverse=True)
    return Summary(current=current, past=past, complete=complete)


def current_entries(child: Child, as_of: date) -> list[ClinicalEntry]:
    """Every entry active on `as_of`, for the assessment form to review."""
    entries = child.clinical_entries.filter(withdrawn_reason="")
    return [e for e in entries if e.is_current(as_of)]


def _require(by: Any, child: Child) -> None:
    if not access.acts_for_child(by, SUMMARY_ROLES, child):
        raise PermissionDenied("Only the health team serving the child records its summary")


def check(child: Child, kind: str, details: EntryDetails, as_of: date) -> EntryDetails:
    """The details as they will be kept, or ValidationError naming each field at fault."""
    errors: dict[str, str] = {}
    fields = FIELDS_FOR[kind]
    term = " ".join(details.term.split())
    if not term:
        errors["term"] = f"Enter {TERM_NAME[kind]}"
    code = ""
    if details.code.strip() and "code" in fields:
        try:
            code = concept_id(details.code, "dm+d" if kind == EntryKind.MEDICINE else "SNOMED CT")
        except CodeError as exc:
            errors["code"] = str(exc)
    if details.severity and details.severity not in Severity.values:
        errors["severity"] = "Choose how severe the reaction is"
    latest_end = as_of + (MEDICINE_COURSE_AHEAD if kind == EntryKind.MEDICINE else timedelta())
    born = f"{child.date_of_birth:%-d %B %Y}"
    if details.start is not None:
        if details.start < child.date_of_birth:
            errors["start"] = f"The start date must be on or after the date of birth ({born})"
        elif details.start > as_of:
            errors["start"] = "The start date must be today or in the past"
    if details.end is not None:
        if details.end < (details.start or child.date_of_birth):
            errors["end"] = "The end date must be on or after the start date and date of birth"
        elif details.end > latest_end:
            errors["end"] = (
                "The date it stops must be within a year from today"
                if kind == EntryKind.MEDICINE
                else "The end date must be today or in the past"
            )
    if errors:
        raise ValidationError(errors)
    return EntryDetails(
        term=term,
        code=code,
        start=details.start if "start" in fields else None,
        end=details.end if "end" in fields else None,
        dose=details.dose.strip() if "dose" in fields else "",
        reaction=details.reaction.strip() if "reaction" in fields else "",
        severity=details.severity if "severity" in fields else "",
        shareable=details.shareable,
    )


def _record(
    by: Any,
    child: Child,
    kind: str,
    details: EntryDetails,
    as_of: date,
    assessment: HealthAssessment | None = None,
) -> ClinicalEntry:
    checked = check(child, kind, details, as_of)
    entry = ClinicalEntry(
        child=child, kind=kind, recorded_by=by, assessment=assessment, **asdict(checked)
    )
    save_versioned(entry, by)
    return entry


@transaction.atomic
def add_entry(
    *,
    by: Any,
    child: Child,
    kind: str,
    details: EntryDetails,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> ClinicalEntry:
    """Add one entry to the child's clinical summary."""
    _require(by, child)
    entry = _record(by, child, kind, details, as_of or timezone.localdate())
    audit.record(request, AccessAction.CHANGE, user=by, child=child, detail=f"added {kind}")
    return entry


def record_at_assessment(
    *,
    by: Any,
    assessment: HealthAssessment,
    new: Sequence[tuple[str, EntryDetails]],
    ended: Sequence[int],
    as_of: date,
) -> None:
    """What an assessment changed in the summary: entries it found, each tied to it, and
    current entries it found resolved or stopped (ended on the assessment's date). Called
    inside `services.record_assessment`'s transaction; errors name the `summary` field."""
    child = assessment.child
    open_ids = {e.pk: e for e in current_entries(child, as_of)}
    for pk in ended:
        entry = open_ids.get(pk)
        if entry is None:
            raise ValidationError(
                {"summary": "An entry marked as resolved is no longer current: reload the form"}
            )
        if entry.start and entry.start > assessment.completed_on:
            raise ValidationError(
                {"summary": f"“{entry.term}” started after the assessment: it cannot end there"}
            )
        entry.end = assessment.completed_on
        save_versioned(entry, by, reason=f"resolved or stopped at the {assessment}")
    for kind, details in new:
        try:
            _record(by, child, kind, details, as_of, assessment=assessment)
        except ValidationError as exc:
            problems = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise ValidationError(
                {"summary": f"{EntryKind(kind).label} “{details.term}”: {problems}"}
            ) from exc


@transaction.atomic
def correct_entry(
    *,
    by: Any,
    entry: ClinicalEntry,
    details: EntryDetails,
    reason: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> ClinicalEntry:
    """Correct an entry, or record that it resolved or stopped, saying why."""
    _require(by, entry.child)
    entry = ClinicalEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.withdrawn:
        raise ValidationError({"reason": "This entry was withdrawn and cannot be changed"})
    why = correction_reason(reason)
    checked = check(entry.child, entry.kind, details, as_of or timezone.localdate())
    for name, value in asdict(checked).items():
        setattr(entry, name, value)
    save_versioned(entry, by, reason=why)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=entry.child, detail=f"corrected {entry.kind}"
    )
    return entry


@transaction.atomic
def withdraw_entry(
    *, by: Any, entry: ClinicalEntry, reason: str, request: HttpRequest | None = None
) -> ClinicalEntry:
    """Withdraw an entry made in error: kept, with the reason, but no longer in the summary."""
    _require(by, entry.child)
    entry = withdraw_versioned(entry, by, reason)
    audit.record(
        request, AccessAction.CHANGE, user=by, child=entry.child, detail=f"withdrew {entry.kind}"
    )
    return entry


def blank(kind: str) -> EntryDetails:
    """A new entry's starting values: alerts are shared with the LA unless health says not."""
    return replace(EntryDetails(term=""), shareable=kind == EntryKind.ALERT)
