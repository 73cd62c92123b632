"""The background check of an uploaded return, so that no web worker waits on the DfE's rules.

The returns page keeps the upload as an attempt being checked (`imports.receive_return`) and
enqueues `check_uploaded_return`; a worker (`lachealth db_worker`, which `lachealth serve`
starts beside the web server) runs it, writing where it is to the attempt for the attempt's
page, which refreshes itself until the check ends refused, checked or failed (ADR 015).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils import timezone
from django_tasks import task

from . import imports
from .models import CHECK_STOPS_AFTER, ImportAttempt, ImportStatus

logger = logging.getLogger(__name__)

STEPS = 4
#: What the attempt's page says at each step of `imports._read`, by the progress it reports.
STEP_SAID = {
    "start": (1, "reading the files"),
    "files": (2, "reading each row with lachealth's checks ({count:,} files)"),
    "rows": (3, "running the DfE's rules ({count:,} rows)"),
    "plan": (4, "working out what would change"),
}
_STEP = re.compile(r"Step (\d+) of (\d+)")


def progress_said(what: str, count: int) -> str:
    """The progress text for a step of the check ("Step 3 of 4: running the DfE's rules
    (12,000 rows)"), or "" for what is not a step."""
    if what not in STEP_SAID:
        return ""
    step, said = STEP_SAID[what]
    return f"Step {step} of {STEPS}: {said.format(count=count)}"


def progress_step(said: str) -> tuple[int, int] | None:
    """The step and the number of steps in a progress text, for a progress bar."""
    found = _STEP.match(said)
    return (int(found.group(1)), int(found.group(2))) if found else None


class _WrittenToAttempt:
    """A progress callback that writes each step to the attempt's row as the check reaches it
    (only the progress column, so nothing else of the row is touched)."""

    def __init__(self, attempt: ImportAttempt) -> None:
        self.attempt = attempt

    def __call__(self, what: str, count: int) -> None:
        said = progress_said(what, count)
        if said:
            self.attempt.progress = said
            ImportAttempt.objects.filter(pk=self.attempt.pk).update(progress=said)


def start_check(attempt: ImportAttempt) -> None:
    """Queue the check of an attempt `imports.receive_return` kept, saying so on the attempt."""
    said = progress_said("start", 0)
    ImportAttempt.objects.filter(pk=attempt.pk).update(progress=said)
    attempt.progress = said
    check_uploaded_return.enqueue(attempt.pk)


@task()
def check_uploaded_return(attempt_pk: int) -> str:
    """Check an uploaded return; the attempt ends refused, checked or failed, never left being
    checked. Returns the outcome, for the task's own record."""
    attempt = ImportAttempt.objects.select_related("area", "uploaded_by").get(pk=attempt_pk)
    if attempt.status != ImportStatus.CHECKING:
        return str(attempt.status)  # checked already: a job run twice does nothing more
    names = [f["name"] for f in attempt.files]
    if attempt.check_stopped(timezone.now()):
        # Its page has said for a while that the check stopped: keep to that.
        minutes = int(CHECK_STOPS_AFTER.total_seconds() // 60)
        imports.stop_check(attempt, f"the check did not start within {minutes} minutes")
        return str(attempt.status)
    try:
        checked = imports.check_received(attempt, progress=_WrittenToAttempt(attempt))
    except BaseException as error:
        logger.exception("The check of SSDA903 import %s stopped", attempt_pk)
        _fail_if_checking(attempt_pk, error, names)
        raise
    return str(checked.attempt.status)


def _fail_if_checking(attempt_pk: int, error: BaseException, names: list[str]) -> None:
    """Mark the attempt failed unless the check already kept it so (or as anything else)."""
    attempt: Any = ImportAttempt.objects.filter(pk=attempt_pk, status=ImportStatus.CHECKING).first()
    if attempt is not None:
        imports.fail_check(attempt, error, names)
