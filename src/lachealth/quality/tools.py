"""The QA tool, as data its designated professionals edit: sections of criteria, a scale and
grades, in versions. A published version never changes, so scores stay tied to what they were
given against; a change is a new draft, copied from the current version, then published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from lachealth.people import audit
from lachealth.people.models import AccessAction, Organisation, Role
from lachealth.versioning import save_versioned

from .models import (
    DEFAULT_ANSWERS,
    DEFAULT_GRADES,
    NOT_APPLICABLE,
    QaCriterion,
    QaSection,
    QaTool,
    QaToolVersion,
)

#: Roles that quality-assure assessments and keep the tool.
QA_ROLES = frozenset({Role.DESIGNATED_PROFESSIONAL})

#: The most criteria a tool has, and answers or grades on its scale.
MAX_CRITERIA = 80
MAX_LABELS = 10

#: The tool every organisation starts from (DOMAIN.md, "Quality assurance of assessments").
DEFAULT_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Consent and the child's voice",
        [
            "Consent to the assessment recorded, and who gave it",
            "The child's voice: their wishes and feelings recorded in their own words",
        ],
    ),
    (
        "History",
        [
            "Previous health information and the last plan's actions reviewed",
            "The SDQ considered, with its score and what it means for the child",
        ],
    ),
    (
        "Checks",
        [
            "Growth measured and plotted on a centile chart",
            "Immunisations checked against the schedule, with catch-up planned",
            "Dental check: when last seen, and registration with a dentist",
            "Vision and hearing checked",
            "Registration with a GP confirmed",
        ],
    ),
    (
        "Needs and plan",
        [
            "Health needs identified, physical, emotional and developmental",
            "The health plan is SMART: each action with an owner and a date",
        ],
    ),
    ("Sharing", ["The report shared with the social worker in time for the review"]),
]


@dataclass(frozen=True)
class Row:
    """One criterion as the draft's form gives it: its section, its words, its guidance."""

    section: str
    text: str
    guidance: str = ""


def tool_for(organisation: Organisation) -> QaTool:
    """The organisation's tool, made from the default the first time it is needed."""
    found = QaTool.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    with transaction.atomic():
        tool, made = QaTool.objects.get_or_create(
            organisation=organisation, defaults={"name": f"{organisation.name} QA tool"}
        )
        if made:
            version = QaToolVersion.objects.create(
                tool=tool,
                number=1,
                answers=DEFAULT_ANSWERS,
                grades=DEFAULT_GRADES,
                published_on=date(2000, 1, 1),
            )
            _write_rows(
                version, [Row(title, text) for title, texts in DEFAULT_SECTIONS for text in texts]
            )
    return tool


def current(tool: QaTool) -> QaToolVersion:
    """The latest published version: the one new scores are given against."""
    return tool.versions.filter(published_on__isnull=False).order_by("-number").first()  # type: ignore[return-value]


def draft(tool: QaTool) -> QaToolVersion | None:
    return tool.versions.filter(published_on__isnull=True).first()


def rows_of(version: QaToolVersion) -> list[Row]:
    return [
        Row(c.section.title, c.text, c.guidance)
        for c in version.criteria.select_related("section").order_by(
            "section__position", "position"
        )
    ]


def _write_rows(version: QaToolVersion, rows: list[Row]) -> None:
    version.criteria.all().delete()
    version.sections.all().delete()
    sections: dict[str, QaSection] = {}
    counts: dict[str, int] = {}
    for row in rows:
        if row.section not in sections:
            sections[row.section] = QaSection.objects.create(
                version=version, position=len(sections) + 1, title=row.section
            )
        counts[row.section] = counts.get(row.section, 0) + 1
        QaCriterion.objects.create(
            section=sections[row.section],
            version=version,
            position=counts[row.section],
            text=row.text,
            guidance=row.guidance,
        )


def _check_editor(by: Any, tool: QaTool) -> None:
    from lachealth.people import access

    if tool.organisation_id not in access.organisations_for(by, QA_ROLES):
        raise ValidationError(
            {"rows": f"Only {tool.organisation}'s designated professionals change its tool"}
        )


def start_draft(*, by: Any, tool: QaTool, request: HttpRequest | None = None) -> QaToolVersion:
    """The tool's draft, made as a copy of the current version if there is none."""
    _check_editor(by, tool)
    with transaction.atomic():
        # One draft at a time: the tool is locked while it is made.
        QaTool.objects.select_for_update().filter(pk=tool.pk).first()
        found = draft(tool)
        if found is not None:
            return found
        base = current(tool)
        made = QaToolVersion.objects.create(
            tool=tool,
            number=base.number + 1,
            answers=base.answers,
            grades=base.grades,
            created_by=by,
        )
        _write_rows(made, rows_of(base))
        audit.record(
            request, AccessAction.CHANGE, user=by, detail=f"QA tool draft {made.number} started"
        )
        return made


def _labels(field: str, lines: list[str], what: str) -> list[list[str]]:
    """[code, label] pairs from labels, one per line; codes from the words."""
    labels = [line.strip() for line in lines if line.strip()]
    if len(labels) < 2:
        raise ValidationError({field: f"Give at least two {what}, one on each line"})
    if len(labels) > MAX_LABELS:
        raise ValidationError({field: f"Give at most {MAX_LABELS} {what}"})
    pairs: list[list[str]] = []
    for label in labels:
        code = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "x"
        if label.lower() == "not applicable":
            code = NOT_APPLICABLE
        if code in {c for c, _ in pairs}:
            raise ValidationError({field: f"“{label}” is given twice"})
        if len(label) > 100:
            raise ValidationError({field: f"“{label[:30]}…” is longer than 100 characters"})
        pairs.append([code, label])
    return pairs


def save_draft(
    *,
    by: Any,
    version: QaToolVersion,
    rows: list[Row],
    answers: list[str],
    grades: list[str],
    request: HttpRequest | None = None,
) -> QaToolVersion:
    """Replace the draft's criteria (in the order given), scale and grades."""
    _check_editor(by, version.tool)
    _still_a_draft(version)
    problems = {}
    if not rows:
        problems["rows"] = "Give the tool at least one criterion"
    elif len(rows) > MAX_CRITERIA:
        problems["rows"] = f"A tool has at most {MAX_CRITERIA} criteria"
    for number, row in enumerate(rows, start=1):
        if not row.section.strip() or not row.text.strip():
            problems["rows"] = f"Criterion {number} needs a section and its words"
            break
        too_long = next(
            (
                f"Criterion {number}: its {what} is at most {limit} characters"
                for what, text, limit in (
                    ("section", row.section, 150),
                    ("words", row.text, 300),
                    ("guidance", row.guidance, 500),
                )
                if len(text) > limit
            ),
            None,
        )
        if too_long:
            problems["rows"] = too_long
            break
    scale = grade_pairs = None
    try:
        scale = _labels("answers", answers, "answers")
        if (
            all(code == NOT_APPLICABLE for code, _ in scale[:-1])
            or len([c for c, _ in scale if c != NOT_APPLICABLE]) < 2
        ):
            raise ValidationError({"answers": "Give at least two answers besides not applicable"})
    except ValidationError as exc:
        problems.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        grade_pairs = _labels("grades", grades, "grades")
    except ValidationError as exc:
        problems.update({k: v[0] for k, v in exc.message_dict.items()})
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        version = _still_a_draft(version, lock=True)
        version.answers, version.grades = scale, grade_pairs
        save_versioned(version, by=by, reason="QA tool draft changed")
        _write_rows(version, rows)
        audit.record(
            request, AccessAction.CHANGE, user=by, detail=f"QA tool draft {version.number} changed"
        )
    return version


def _still_a_draft(version: QaToolVersion, *, lock: bool = False) -> QaToolVersion:
    """The version as the database has it (locked until the transaction ends, when asked),
    refused if it has been published: a published version never changes."""
    rows = QaToolVersion.objects.filter(pk=version.pk)
    found = (rows.select_for_update() if lock else rows).get()
    if found.published_on is not None:
        raise ValidationError(
            {"rows": f"Version {found.number} is published and never changes: start a draft"}
        )
    return found


def publish(
    *, by: Any, version: QaToolVersion, as_of: date, request: HttpRequest | None = None
) -> QaToolVersion:
    """Publish the draft: scores from now on are given against it."""
    _check_editor(by, version.tool)
    with transaction.atomic():
        version = _still_a_draft(version, lock=True)
        if not version.criteria.exists():
            raise ValidationError({"rows": "A tool without criteria cannot be published"})
        version.published_on = as_of
        save_versioned(version, by=by, reason="QA tool version published")
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            detail=f"QA tool version {version.number} published",
        )
    return version
