"""The measures snapshot: every measure counted once for the periods the dashboard offers as
at one day, kept as the figures an aggregate-only reader is shown.

Counting England live costs seconds (a million episodes and assessments behind one page), so
what commissioners and the published board report read is the latest complete snapshot that
`lachealth refresh-measures` takes each night (ADR 009). It holds what `publish.publish`
gives: each measure's counts for every area, commissioner's footprint and England, for all
children and each value of each breakdown, suppressed across all of them together (ADR 010).
A hidden count is stored as NULL, so the snapshot never holds a count from 1 to 5 at all;
staff with child-level access count their caseload live.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class MeasureSnapshot(models.Model):
    as_of = models.DateField(help_text="the day the periods were counted to (not included)")
    taken_at = models.DateTimeField(help_text="when the records were read")
    measures = models.TextField(help_text="the keys of the measures counted, comma-separated")
    seconds = models.FloatField(default=0, help_text="how long counting took")
    complete = models.BooleanField(default=False, help_text="every period counted and stored")
    footprints = models.TextField(
        blank=True,
        help_text="the commissioners' footprints published with their breakdowns, comma-separated",
    )

    class Meta:
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"Measures as at {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def measure_keys(self) -> frozenset[str]:
        return frozenset(filter(None, self.measures.split(",")))

    @property
    def footprint_keys(self) -> frozenset[str]:
        return frozenset(filter(None, self.footprints.split(",")))


class PublishedFigure(models.Model):
    """One measure's published counts for one scope (an area's code, a footprint's key, or
    "england"), period and slice (all children, or one value of one breakdown). A scope and
    slice with no row counted nobody (0 of 0)."""

    snapshot = models.ForeignKey(MeasureSnapshot, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    measure = models.CharField(max_length=40)
    scope = models.CharField(max_length=20)
    breakdown = models.CharField(max_length=10, blank=True)  # "" for all children
    value = models.CharField(max_length=12, blank=True)
    numerator = models.PositiveIntegerField(null=True, help_text="NULL: hidden (c)")
    denominator = models.PositiveIntegerField(null=True, help_text="NULL: hidden (c)")
    total = models.FloatField(null=True, help_text="a mean's sum, where the mean is shown")
    squares = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "breakdown", "value", "period_end", "period_start"])
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.scope} {self.period_start}–{self.period_end}"


#: Placement categories a unit cost is kept for: the projection's (insight.projection).
COST_CATEGORIES = [
    ("fostering", "Fostering"),
    ("residential", "Residential"),
    ("supported", "Supported accommodation"),
    ("secure", "Secure"),
    ("parents", "Placed with parents"),
    ("other", "Other"),
]
#: The most a week of any placement is taken to cost (a typing slip, not a placement, above it).
MAX_WEEKLY_COST = 100_000


class UnitCost(models.Model):
    """What a week of a placement of one category costs an area, for the projected placement
    costs. Kept by the area's commissioners and data officers; every change is in its history."""

    area = models.ForeignKey("people.Area", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=12, choices=COST_CATEGORIES)
    weekly_cost = models.DecimalField(
        max_digits=9, decimal_places=2, help_text="pounds a week for one child"
    )
    changed_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="one_unit_cost_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.category}: £{self.weekly_cost} a week"
