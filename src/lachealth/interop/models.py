"""What the interop app keeps: every import attempt with its files, and the outcomes an LA
reported in its return (OC2, OC3) that lachealth does not record itself."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from lachealth.care.models import Child
from lachealth.people.models import Area

from . import years

#: A check takes seconds to a few minutes; one still running after this has stopped.
CHECK_STOPS_AFTER = timedelta(minutes=30)


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Being checked"
    CHECKED = "checked", "Checked, waiting for the data officer"
    REFUSED = "refused", "Refused"
    IMPORTED = "imported", "Imported"
    UNCHANGED = "unchanged", "Nothing to change"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class ImportAttempt(models.Model):
    """One upload of a return: who, when, which files (with their hashes), what was found, what
    would change, which warnings were accepted and by whom, and the outcome. Kept whatever the
    outcome, so a refused upload is on the record too."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="imports")
    collection_year = models.PositiveIntegerField(
        help_text="The year the return ends: 2026 for 2025/26"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imports"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, default="web")  # web or command
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    files = models.JSONField(default=list)  # [{name, sha256, bytes, table}]
    problems = models.JSONField(default=list)  # every problem and finding, as shown
    summary = models.JSONField(default=dict)  # what would change (or changed), per table
    accepted_warnings = models.JSONField(default=list)  # rule codes accepted
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accepted_imports",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    # Where the background check is, while it runs ("Step 2 of 4: …"), written by the job.
    progress = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.area} {self.collection_year} ({self.get_status_display()})"

    def check_stopped(self, now: datetime) -> bool:
        """Still being checked long after it was uploaded: the job stopped (the worker was
        stopped or killed) or never started, and the data officer should upload it again."""
        return self.status == ImportStatus.CHECKING and now - self.uploaded_at > CHECK_STOPS_AFTER

    @property
    def year_label(self) -> str:
        return years.label(self.collection_year)

    @property
    def blocking(self) -> list[dict]:
        return [p for p in self.problems if p["blocking"]]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if not p["blocking"]]


class ImportFile(models.Model):
    """A received file's bytes, compressed, so the data officer's confirmation imports exactly
    what was checked."""

    attempt = models.ForeignKey(ImportAttempt, on_delete=models.CASCADE, related_name="stored")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    compressed = models.BinaryField()

    def __str__(self) -> str:
        return self.name

    @property
    def content(self) -> bytes:
        return zlib.decompress(bytes(self.compressed))


class ReportedOutcome(models.Model):
    """An OC2 or OC3 row as the LA reported it for a year: OC3 (care leavers' activity and
    accommodation) and OC2's CONVICTED are the LA's own items, and OC2's health items stand
    for a child whose health team records nothing in lachealth that year."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reported_outcomes")
    collection_year = models.PositiveIntegerField()
    table = models.CharField(max_length=3)  # OC2 or OC3
    values = models.JSONField()
    imported = models.ForeignKey(ImportAttempt, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "collection_year", "table"], name="reported_outcome_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.collection_year} for child {self.child_id}"
