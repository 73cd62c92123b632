"""Reads the returns pages need, limited to the LAs whose returns the user exchanges."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from lachealth.people import access
from lachealth.people.models import Area

from .models import ImportAttempt


def return_areas(user: Any) -> QuerySet[Area]:
    return Area.objects.filter(code__in=access.areas_for(user, access.RETURN_ROLES))


def attempts_for(user: Any) -> QuerySet[ImportAttempt]:
    return ImportAttempt.objects.filter(
        area__in=access.areas_for(user, access.RETURN_ROLES)
    ).select_related("area", "uploaded_by", "accepted_by")


def attempt_for(user: Any, pk: int) -> ImportAttempt:
    """An import of one of the user's LAs; another LA's is not found (404), not forbidden."""
    return get_object_or_404(attempts_for(user), pk=pk)


def filtered_problems(attempt: ImportAttempt, *, kind: str, file: str, code: str) -> list[dict]:
    """The attempt's problems, narrowed as the data officer asks: errors or warnings, one file,
    one rule."""
    problems = attempt.problems
    if kind in ("error", "warning"):
        problems = [p for p in problems if p["blocking"] == (kind == "error")]
    if file:
        problems = [p for p in problems if p["file"] == file]
    if code:
        problems = [p for p in problems if p["code"] == code]
    return problems
