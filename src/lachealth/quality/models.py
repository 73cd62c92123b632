"""Quality assurance: the QA tool of an ICB's designated professionals (versioned), the samples
they draw and score, the replies of the assessments' authors; the providers of external
provision, the shared timetable of quality visits to them, the concerns register and the
placements a council and an ICB fund together.

`quality` reads `health` and `care` and writes only these tables (DESIGN.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from lachealth.care.models import Child, validate_postcode
from lachealth.health.models import HealthAssessment
from lachealth.people.models import Area, Organisation

from .scoring import NOT_APPLICABLE

#: The tool's default scale, best first; "na" (not applicable) is left out of every score.
DEFAULT_ANSWERS = [
    ["met", "Met"],
    ["partly", "Partly met"],
    ["not_met", "Not met"],
    [NOT_APPLICABLE, "Not applicable"],
]
#: The default overall grades, best first.
DEFAULT_GRADES = [
    ["outstanding", "Outstanding"],
    ["good", "Good"],
    ["requires_improvement", "Requires improvement"],
    ["inadequate", "Inadequate"],
]


#: The longest free text a quality page takes (feedback, findings, a concern's details): a page.
TEXT_MAX = 3000
#: How recent, in months, the SDQ that accompanies an RHA request must be, unless the area
#: sets otherwise.
SDQ_WINDOW_MONTHS = 3


class Frequency(models.TextChoices):
    MONTH = "month", "Every month"
    QUARTER = "quarter", "Every quarter"


class QaSettings(models.Model):
    """An area's quality assurance: how big each period's sample is, how often it is drawn,
    the score below which a criterion is named, the SDQ that must come with an RHA request,
    and how close two agencies' visits to one provider are a chance to visit together."""

    area = models.OneToOneField(
        Area, on_delete=models.CASCADE, primary_key=True, related_name="qa_settings"
    )
    frequency = models.CharField(max_length=7, choices=Frequency.choices, default=Frequency.QUARTER)
    percentage = models.DecimalField(
        "share of completed assessments sampled (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    minimum_per_practitioner = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(20)]
    )
    threshold = models.PositiveSmallIntegerField(
        "criterion score below which it is named (%)",
        default=80,
        validators=[MaxValueValidator(100)],
    )
    sdq_window_months = models.PositiveSmallIntegerField(
        "how recent the SDQ with an RHA request must be (months)",
        default=SDQ_WINDOW_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    joint_visit_window_days = models.PositiveSmallIntegerField(
        "visits to one provider this close are a chance to visit together (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"QA settings for {self.area_id}"


class QaTool(models.Model):
    """The QA tool of one organisation's designated professionals (an ICB, or a provider's
    named professionals): its versions hold the criteria."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="qa_tool"
    )
    name = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.name


class QaToolVersion(models.Model):
    """One version of a tool. A draft (not yet published) is edited; once published it never
    changes, so that every score keeps the criteria and scale it was given against."""

    tool = models.ForeignKey(QaTool, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    answers = models.JSONField(help_text="The scale, best first: [code, label] pairs")
    grades = models.JSONField(help_text="The overall grades, best first: [code, label] pairs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="qa_version_unique_number")
        ]

    def __str__(self) -> str:
        state = f"published {self.published_on}" if self.published_on else "draft"
        return f"{self.tool} version {self.number} ({state})"

    def answer_labels(self) -> dict[str, str]:
        return {code: label for code, label in self.answers}

    def grade_labels(self) -> dict[str, str]:
        return {code: label for code, label in self.grades}


class QaSection(models.Model):
    version = models.ForeignKey(QaToolVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)

    class Meta:
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.title


class QaCriterion(models.Model):
    section = models.ForeignKey(QaSection, on_delete=models.CASCADE, related_name="criteria")
    # The version as well as the section, so that "a criterion of this version" is one lookup.
    version = models.ForeignKey(QaToolVersion, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    guidance = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["version", "section__position", "position"]

    def __str__(self) -> str:
        return self.text


class QaSample(models.Model):
    """The assessments an organisation's designated professionals quality-assure for one
    period, drawn once with a recorded seed (`sampling.draw` gives the same sample from it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    areas = models.JSONField(help_text="The footprint's area codes when it was drawn")
    seed = models.CharField(max_length=64)
    rules = models.JSONField(help_text="Each area's sampling setting when it was drawn")
    candidates = models.PositiveIntegerField(help_text="Completed assessments in the period")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_start", "period_end"],
                name="qa_sample_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="qa_sample_period"
            ),
        ]

    def __str__(self) -> str:
        return f"QA sample {self.period_start} to {self.period_end}"


class HowSampled(models.TextChoices):
    DRAWN = "drawn", "Drawn at random"
    ADDED = "added", "Added by hand"


class QaSampleItem(models.Model):
    sample = models.ForeignKey(QaSample, on_delete=models.CASCADE, related_name="items")
    # The sample's, kept on each item so that "the organisation's own" is one lookup.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(HealthAssessment, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=5, choices=HowSampled.choices)
    reason = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sample", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "assessment"], name="qa_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} in {self.sample}"


class QaReview(models.Model):
    """A designated professional's scoring of one sampled assessment with one tool version."""

    item = models.OneToOneField(QaSampleItem, on_delete=models.CASCADE, related_name="review")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(QaToolVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews_given"
    )
    # The assessment's author, who reads the feedback and replies.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews_received"
    )
    grade = models.CharField(max_length=40)
    feedback = models.TextField()
    scored_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scored_on", "-pk"]

    def __str__(self) -> str:
        return f"QA of {self.item.assessment}"


class QaScore(models.Model):
    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(QaCriterion, on_delete=models.PROTECT, related_name="scores")
    answer = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="qa_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.answer}"


class QaReply(models.Model):
    """What the assessment's author, or the reviewer, says back."""

    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "at", "pk"]

    def __str__(self) -> str:
        return f"Reply of {self.at:%Y-%m-%d}"


# --- Providers of external provision, their visits and the concerns register ---------------


class ProviderKind(models.TextChoices):
    CHILDRENS_HOME = "childrens_home", "Children's home"
    FOSTERING_AGENCY = "fostering_agency", "Independent fostering agency"
    RESIDENTIAL_SCHOOL = "residential_school", "Residential school"
    SPECIAL_SCHOOL = "special_school", "Special school"
    SUPPORTED_ACCOMMODATION = "supported", "Supported accommodation"
    OTHER = "other", "Other provision"


class Provider(models.Model):
    """A provider of external provision where children are placed (not a child's record: its
    name and Ofsted URN are public)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    opened_on = models.DateField(help_text="When the provider began (visits are not before)")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["urn"], condition=~Q(urn=""), name="quality_provider_unique_urn"
            )
        ]

    def __str__(self) -> str:
        return self.name


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class VisitGrade(models.TextChoices):
    """A visit's overall judgement, on Ofsted's scale (best first)."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class Visit(models.Model):
    """One agency's quality visit to a provider, on the shared timetable of the area whose
    register it is in."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="visits")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField()
    status = models.CharField(max_length=9, choices=VisitStatus.choices, default="planned")
    purpose = models.CharField(max_length=300)
    visitors = models.CharField("who went", max_length=300, blank=True)
    findings = models.TextField(blank=True)
    outcome = models.CharField(
        "outcome grade", max_length=40, choices=VisitGrade.choices, blank=True
    )
    cancelled_reason = models.CharField("why it was cancelled", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_on", "pk"]
        indexes = [
            models.Index(fields=["area", "planned_on"]),
            models.Index(fields=["provider", "planned_on"]),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.provider} on {self.planned_on}"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    SERIOUS = "serious", "Serious"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Being monitored"
    CLOSED = "closed", "Closed"


class Concern(models.Model):
    """A quality concern about a provider, on the register of an area; the agencies told of
    it read it too."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="concerns")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField()
    severity = models.CharField(max_length=8, choices=Severity.choices)
    status = models.CharField(max_length=10, choices=ConcernStatus.choices, default="open")
    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    told = models.ManyToManyField(Organisation, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[told])

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["provider", "status", "severity"])]

    def __str__(self) -> str:
        return self.summary


class QualityAction(models.Model):
    """An action agreed at a visit or on a concern, with its owner."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False, concern__isnull=True)
                | Q(visit__isnull=True, concern__isnull=False),
                name="quality_action_of_one",
            )
        ]

    def __str__(self) -> str:
        return self.text


class JointFunding(models.Model):
    """A child's placement funded by the council and the ICB together: the agreed split."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="joint_fundings")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    icb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    council_share = models.PositiveSmallIntegerField(
        "council's share (%)", validators=[MaxValueValidator(100)]
    )
    council_responsibilities = models.TextField()
    icb_responsibilities = models.TextField("ICB's responsibilities")
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="joint_funding_period",
            )
        ]

    def __str__(self) -> str:
        return f"Joint funding from {self.starts_on}"

    @property
    def icb_share(self) -> int:
        return 100 - self.council_share
