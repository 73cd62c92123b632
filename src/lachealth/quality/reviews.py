"""Scoring a sampled assessment with the tool, and the conversation that follows: the author
reads the feedback on their own page and replies; the reviewer answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from lachealth.people import access, audit
from lachealth.people.models import AccessAction

from . import tools
from .models import TEXT_MAX, QaReply, QaReview, QaSampleItem, QaScore, QaToolVersion

#: The longest note on one criterion.
NOTE_MAX = 500


@dataclass(frozen=True)
class Answer:
    """One criterion's answer, and a note on it."""

    criterion: int
    answer: str
    note: str = ""


def score(
    *,
    by: Any,
    item: QaSampleItem,
    version: QaToolVersion,
    answers: list[Answer],
    grade: str,
    feedback: str,
    as_of: date,
    request: HttpRequest | None = None,
) -> QaReview:
    """Score the item's assessment against a published version of the organisation's tool:
    every criterion of that version answered on its scale, an overall grade and feedback."""
    if item.organisation_id not in access.organisations_for(by, tools.QA_ROLES):
        raise ValidationError({"grade": "Only the sample's designated professionals score it"})
    assessment = item.assessment
    if assessment.practitioner_id == getattr(by, "pk", None):
        raise ValidationError(
            {"grade": "This is your own assessment: another designated professional scores it"}
        )
    if hasattr(item, "review"):
        raise ValidationError(
            {"grade": f"This assessment was scored on {item.review.scored_on:%-d %B %Y}"}
        )
    if version.tool.organisation_id != item.organisation_id or version.published_on is None:
        raise ValidationError(
            {"grade": f"Score with a published version of {item.organisation}'s tool"}
        )
    criteria = {c.pk: c for c in version.criteria.all()}
    scale = version.answer_labels()
    problems: dict[str, str] = {}
    given: dict[int, Answer] = {}
    for answer in answers:
        if answer.criterion not in criteria:
            problems["grade"] = (
                f"Criterion {answer.criterion} is not in version {version.number} of the tool"
            )
            continue
        if answer.answer not in scale:
            problems[f"criterion_{answer.criterion}"] = f"Answer one of {', '.join(scale.values())}"
        given[answer.criterion] = answer
    for pk, criterion in criteria.items():
        if pk not in given:
            problems.setdefault(f"criterion_{pk}", f"Answer “{criterion.text}”")
    if grade not in version.grade_labels():
        problems["grade"] = f"Choose an overall grade: {', '.join(version.grade_labels().values())}"
    if not feedback.strip():
        problems["feedback"] = "Write the feedback the practitioner will read"
    elif len(feedback) > TEXT_MAX:
        problems["feedback"] = f"Feedback is at most {TEXT_MAX} characters"
    if problems:
        raise ValidationError(problems)
    try:
        return _save_review(by, item, version, given, grade, feedback, as_of, request)
    except IntegrityError:  # scored by someone else a moment ago (the item's one review)
        raise ValidationError({"grade": "This assessment has just been scored"}) from None


def _save_review(
    by: Any,
    item: QaSampleItem,
    version: QaToolVersion,
    given: dict[int, Answer],
    grade: str,
    feedback: str,
    as_of: date,
    request: HttpRequest | None,
) -> QaReview:
    assessment = item.assessment
    with transaction.atomic():
        review = QaReview(
            item=item,
            organisation_id=item.organisation_id,
            version=version,
            reviewer=by,
            practitioner_id=assessment.practitioner_id,
            grade=grade,
            feedback=feedback.strip(),
            scored_on=as_of,
        )
        review._history_user = by  # type: ignore[attr-defined]
        review.save()
        QaScore.objects.bulk_create(
            QaScore(review=review, criterion_id=a.criterion, answer=a.answer, note=a.note)
            for a in given.values()
        )
        audit.record(
            request,
            AccessAction.CHANGE,
            user=by,
            child=assessment.child,
            detail=f"QA of the {assessment.get_kind_display().lower()} of "
            f"{assessment.completed_on:%-d %B %Y} scored",
        )
    return review


def may_read(user: object, review: QaReview) -> bool:
    """The author of the assessment, and the designated professionals of the review's
    organisation, read the review."""
    return review.practitioner_id == getattr(user, "pk", None) or (
        review.organisation_id in access.organisations_for(user, tools.QA_ROLES)
    )


def reply(*, by: Any, review: QaReview, text: str, request: HttpRequest | None = None) -> QaReply:
    """The author replies to the feedback, or a designated professional answers them."""
    if not may_read(by, review):
        raise ValidationError({"text": "Only the practitioner and the reviewers reply here"})
    if not text.strip():
        raise ValidationError({"text": "Write your reply"})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"A reply is at most {TEXT_MAX} characters"})
    with transaction.atomic():
        found = QaReply.objects.create(review=review, author=by, text=text.strip())
        audit.record(request, AccessAction.CHANGE, user=by, detail="QA feedback answered")
    return found
