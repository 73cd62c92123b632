"""The measures snapshot: every measure counted once for every area and breakdown, for the
periods the dashboard offers as at one day, kept as aggregates.

Counting England live costs seconds (a million episodes and assessments behind one page), so
what commissioners and the published board report read is the latest complete snapshot that
`lachealth refresh-measures` takes each night (ADR 009). It holds counts, no identities; but a
cell crosses area, period, age band, sex, ethnic group and placement, so many are counts of
one child: cells are only ever summed per area and then suppressed like any other count,
never shown or exported as they are. Staff with child-level access count their caseload live.
"""

from __future__ import annotations

from django.db import models


class MeasureSnapshot(models.Model):
    as_of = models.DateField(help_text="the day the periods were counted to (not included)")
    taken_at = models.DateTimeField(help_text="when the records were read")
    measures = models.TextField(help_text="the keys of the measures counted, comma-separated")
    seconds = models.FloatField(default=0, help_text="how long counting took")
    complete = models.BooleanField(default=False, help_text="every period counted and stored")

    class Meta:
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"Measures as at {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def measure_keys(self) -> frozenset[str]:
        return frozenset(filter(None, self.measures.split(",")))


class MeasureCell(models.Model):
    """One measure's tally for one area, period and combination of breakdown values."""

    snapshot = models.ForeignKey(MeasureSnapshot, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    measure = models.CharField(max_length=40)
    area = models.CharField("ONS code", max_length=9)
    age_band = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    ethnicity = models.CharField(max_length=12, blank=True)  # a key of ETHNICITY_GROUPS
    placement = models.CharField(max_length=12, blank=True)  # a key of PLACEMENT_GROUPS
    location = models.CharField(max_length=3, blank=True)  # "in" or "out" of the area
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    total = models.FloatField(default=0)
    squares = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "period_end", "period_start", "measure"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.area} {self.period_start}–{self.period_end}"
