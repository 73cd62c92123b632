"""Health assessments, appointments, SDQ results and health plans with their actions.

A completed assessment stops its clock and starts the next (see `clocks.py` and
`selectors.child_clocks`); an appointment is only a booking with an outcome, so a declined
or not-brought initial assessment leaves the clock running.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from lachealth.care.models import Child
from lachealth.people.models import Organisation
from lachealth.versioning import CurrentManager

from . import clocks


class AssessmentKind(models.TextChoices):
    IHA = "IHA", "Initial health assessment"
    RHA = "RHA", "Review health assessment"


class Professional(models.TextChoices):
    MEDICAL = "medical", "Registered medical practitioner"
    NURSE = "nurse", "Registered nurse"
    MIDWIFE = "midwife", "Registered midwife"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Outcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    WAS_NOT_BROUGHT = "was_not_brought", "Was not brought"
    DECLINED = "declined", "Declined"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(max_length=3, choices=AssessmentKind.choices)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    venue = models.CharField(max_length=200)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The day it was booked: for a review assessment, the day the health team asked for it,
    # which a recent SDQ should accompany (QA's measure of RHA requests).
    booked_on = models.DateField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(max_length=500, blank=True)
    outcome_recorded_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was withdrawn as entered in error"
    )
    history = HistoricalRecords()

    # The default manager (Meta.default_manager_name) leaves withdrawn rows out.
    everything = models.Manager()
    objects = CurrentManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["child", "outcome", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class HealthAssessment(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=3, choices=AssessmentKind.choices)
    completed_on = models.DateField()
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    professional = models.CharField(max_length=10, choices=Professional.choices)
    due_on = models.DateField(help_text="When this assessment was due (its clock)")
    working_days_late = models.PositiveIntegerField(default=0)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    bmi = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    bmi_centile = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    immunisations = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    immunisations_checked_on = models.DateField(null=True, blank=True)
    dental_check_on = models.DateField(null=True, blank=True)
    development_check = models.BooleanField(
        null=True, blank=True, help_text="Under 5s: development assessment done"
    )
    sdq_considered = models.BooleanField(default=False)
    substance_misuse = models.BooleanField(default=False)
    # Asked only when substance misuse is identified (SSDA903 OC2 INTERVENTION_RECEIVED and
    # INTERVENTION_OFFERED): offered is asked only when none was received.
    intervention_received = models.BooleanField(
        "substance misuse intervention received", null=True, blank=True
    )
    intervention_offered = models.BooleanField(
        "substance misuse intervention offered", null=True, blank=True
    )
    voice_of_child = models.TextField(blank=True)
    consent_recorded = models.BooleanField(default=False)
    health_needs = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was withdrawn as entered in error"
    )
    history = HistoricalRecords()

    # The default manager (Meta.default_manager_name) leaves withdrawn rows out.
    everything = models.Manager()
    objects = CurrentManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "completed_on"],
                condition=models.Q(withdrawn_reason=""),
                name="assessment_unique_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.completed_on}"

    @property
    def on_time(self) -> bool:
        """Done on or before its due date: the date the law gives, even on a weekend."""
        return self.completed_on <= self.due_on

    @property
    def late_by(self) -> str:
        """How late it was done, in words ("3 working days"); empty when on time."""
        return clocks.clock_status(self.due_on, self.completed_on, self.completed_on).late_by


class ActionStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "No longer needed"


class ActionOwner(models.TextChoices):
    """Who does a health plan action. Those outside lachealth are followed up by the
    organisation that answers for them (`FOLLOWED_UP_BY_LA`): the LA for the carer and the
    school, the health team for the GP, another service and the young person."""

    LA = "la", "The child's local authority"
    HEALTH = "health", "The health team"
    CARER = "carer", "The carer"
    GP = "gp", "The GP"
    SCHOOL = "school", "The school"
    SERVICE = "service", "Another service"
    YOUNG_PERSON = "young_person", "The young person"


#: Owners whose actions the child's LA follows up on lachealth; the others, the health team.
FOLLOWED_UP_BY_LA = frozenset({ActionOwner.LA, ActionOwner.CARER, ActionOwner.SCHOOL})


class HealthPlanAction(models.Model):
    """One action of the health plan made at an assessment: who does it (`owner_kind`, and
    by name where that helps, like the service), and the organisation on lachealth that
    follows it up and marks it done (`owner`: the child's LA or the health team)."""

    assessment = models.ForeignKey(
        HealthAssessment, on_delete=models.CASCADE, related_name="actions"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="health_actions")
    need = models.CharField(max_length=300)
    action = models.CharField(max_length=500)
    owner_kind = models.CharField(
        "who does it", max_length=12, choices=ActionOwner.choices, default=ActionOwner.HEALTH
    )
    owner_name = models.CharField(
        "name of who does it", max_length=150, blank=True, help_text="For example, the service"
    )
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    done_note = models.CharField(max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was withdrawn as entered in error"
    )
    history = HistoricalRecords()

    # The default manager (Meta.default_manager_name) leaves withdrawn rows out.
    everything = models.Manager()
    objects = CurrentManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.action

    @property
    def done_by_whom(self) -> str:
        """Who does it, in words: "The carer", or "Another service: CAMHS"."""
        label = self.get_owner_kind_display()
        return f"{label}: {self.owner_name}" if self.owner_name else label


class Informant(models.TextChoices):
    CARER = "carer", "Carer"
    TEACHER = "teacher", "Teacher"
    SELF = "self", "Young person (self-report)"


class SdqResult(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="sdqs")
    completed_on = models.DateField()
    informant = models.CharField(max_length=7, choices=Informant.choices)
    items = models.JSONField(help_text="The 25 item scores, 0–2 or null, in questionnaire order")
    impact_items = models.JSONField(null=True, blank=True)
    emotional = models.PositiveSmallIntegerField(null=True, blank=True)
    conduct = models.PositiveSmallIntegerField(null=True, blank=True)
    hyperactivity = models.PositiveSmallIntegerField(null=True, blank=True)
    peer = models.PositiveSmallIntegerField(null=True, blank=True)
    prosocial = models.PositiveSmallIntegerField(null=True, blank=True)
    total_difficulties = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was withdrawn as entered in error"
    )
    history = HistoricalRecords()

    # The default manager (Meta.default_manager_name) leaves withdrawn rows out.
    everything = models.Manager()
    objects = CurrentManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "completed_on", "informant"],
                condition=models.Q(withdrawn_reason=""),
                name="sdq_unique_day_informant",
            )
        ]

    def __str__(self) -> str:
        return f"SDQ {self.completed_on} ({self.informant}): {self.total_difficulties}"


class DigestSent(models.Model):
    """One row per daily digest e-mailed, so that running `lachealth remind` twice sends once."""

    recipient = models.EmailField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    overdue = models.PositiveIntegerField()
    due_soon = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "organisation", "sent_on"], name="digest_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_on}"


class EntryKind(models.TextChoices):
    """What the clinical summary holds, alerts first: what a carer or clinician must see."""

    ALERT = "alert", "Alert"
    ALLERGY = "allergy", "Allergy or adverse reaction"
    CONDITION = "condition", "Condition or diagnosis"
    MEDICINE = "medicine", "Medicine"
    DISABILITY = "disability", "Disability"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening"


class ClinicalEntry(models.Model):
    """One line of the child's clinical summary: a condition (onset, resolved), a medicine
    (dose, started, stopped), an allergy (reaction, severity), a disability, or an alert.

    `term` is always the words the recorder used; `code` the SNOMED CT concept (conditions,
    allergies, disabilities, alerts) or dm+d product (medicines) when they know it, checked by
    `coding.py`. The LA sees an entry only when health marks it `shareable`. A correction is
    versioned with its reason; an entry made in error is withdrawn, never deleted.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="clinical_entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    term = models.CharField("description", max_length=200)
    code = models.CharField("SNOMED CT or dm+d code", max_length=18, blank=True)
    start = models.DateField("from", null=True, blank=True)
    end = models.DateField("until", null=True, blank=True)
    dose = models.CharField("dose and how often", max_length=150, blank=True)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    shareable = models.BooleanField(
        "shared with the local authority",
        default=False,
        help_text="The child's social worker and carer need to know this",
    )
    assessment = models.ForeignKey(
        HealthAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clinical_entries",
        help_text="The assessment at which it was recorded, if any",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "kind", "-start", "pk"]
        verbose_name_plural = "clinical entries"
        indexes = [models.Index(fields=["child", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="clinical_entry_ends_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.term}"

    @property
    def withdrawn(self) -> bool:
        return bool(self.withdrawn_reason)

    def is_current(self, as_of: date) -> bool:
        """Active on `as_of`: not resolved or stopped by then, and not withdrawn."""
        return not self.withdrawn and (self.end is None or self.end > as_of)


class TakenHow(models.TextChoices):
    """How a team came to arrange a child's health assessments."""

    HEALTH_REQUEST = "health_request", "accepted the health request"
    OUT_OF_AREA = "out_of_area", "accepted the out-of-area notice"
    BOOKED = "booked", "booked an assessment"
    RECORDED = "recorded", "recorded an assessment"
    TOOK_OVER = "took_over", "took them over"
    EARLIER = "earlier", "arranged them before teams were recorded"


class AssessmentTeam(models.Model):
    """The one team that arranges a child's health assessments (the IHA and RHA clocks)
    from `since` until the day the next team took them on (`until`).

    A team takes them on by accepting the health request or an out-of-area notice, by
    taking them over on purpose, or by booking or recording an assessment when no team has
    them; no other team books or records one meanwhile. `ownership.py` keeps these rows.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assessment_teams")
    team = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    how = models.CharField(max_length=20, choices=TakenHow.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(until__isnull=True),
                name="one_assessment_team_at_a_time",
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="assessment_team_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} since {self.since}"

    @property
    def description(self) -> str:
        """'Calderdale LAC Health since 2 December 2026 (accepted the out-of-area notice)'."""
        return f"{self.team.name} since {self.since:%-d %B %Y} ({self.get_how_display()})"


#: What an area's passports say of care leavers' entitlements until its administrator edits it.
DEFAULT_ENTITLEMENTS = (
    "As a care leaver you get free NHS prescriptions, free NHS dental treatment and free NHS "
    "eye tests and help with glasses until your 25th birthday. Show this passport, or the "
    "letter from your leaving care team, to the pharmacy, dentist or optician."
)
DEFAULT_GP_HOW_TO = (
    "If you move, register with a GP near your new home as soon as you can. You do not need "
    "proof of address or ID. Find a GP on the NHS website or in the NHS App, or ask the "
    "surgery for a registration form."
)
DEFAULT_URGENT_HOW_TO = (
    "If you need medical help fast and it is not an emergency, call 111 or go to 111.nhs.uk, "
    "day or night. In an emergency call 999."
)


class PassportSettings(models.Model):
    """An area's health passport: the age it is due by, and the text of the sections that
    tell a care leaver what they are entitled to and how to reach services there (the area's
    own; an administrator edits them). The responsible area's settings apply."""

    area = models.OneToOneField("people.Area", on_delete=models.CASCADE, primary_key=True)
    due_months = models.PositiveSmallIntegerField(
        "due by age (months)",
        default=clocks.DEFAULT_PASSPORT_DUE_MONTHS,
        help_text="The age the passport is due by, in months: 210 is 17 years 6 months",
    )
    entitlements = models.TextField("what you are entitled to", default=DEFAULT_ENTITLEMENTS)
    gp_how_to = models.TextField("registering with a GP", default=DEFAULT_GP_HOW_TO)
    urgent_how_to = models.TextField("urgent help and NHS 111", default=DEFAULT_URGENT_HOW_TO)
    sexual_health_services = models.TextField("sexual health services", blank=True)
    mental_health_services = models.TextField("mental health services", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "passport settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_months__gte=16 * 12, due_months__lte=18 * 12),
                name="passport_due_between_16_and_18",
            )
        ]

    def __str__(self) -> str:
        return f"Passport settings for {self.area_id}"


class Passport(models.Model):
    """One version of a young person's health passport, as given to them.

    Its `content` is the record as it was assembled when given (identity, contacts, health
    history, the clinical summary, SDQs, assessments, open actions, the area's entitlements),
    limited to the sections the young person chose (`sections`); those they declined are
    listed in `declined`. What is not in the record is written with them here: birth history
    where known, family health history (only with their consent), sexual health (only if they
    choose) and their own words. Every version is kept; giving it again makes a new one.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="passports")
    version = models.PositiveSmallIntegerField()
    given_on = models.DateField()
    due_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the passport clock was due as it was given (none for a young person "
        "given one on request, who left care before 16)",
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField(help_text="The keys of the sections included, in order")
    declined = models.JSONField(
        default=list, blank=True, help_text="Sections the young person left out"
    )
    agreed = models.BooleanField(help_text="The young person agreed to what it says")
    without_agreement_reason = models.CharField(max_length=500, blank=True)
    own_words = models.TextField(blank=True)
    birth_history = models.TextField(blank=True)
    family_history = models.TextField(blank=True)
    family_history_consent = models.BooleanField(default=False)
    sexual_health = models.TextField(blank=True)
    content = models.JSONField(help_text="The passport's sections as given")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["child", "version"], name="passport_version_once"),
            models.CheckConstraint(
                condition=models.Q(agreed=True) | ~models.Q(without_agreement_reason=""),
                name="passport_agreed_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Health passport {self.version} of child {self.child_id}, {self.given_on}"


class YoungPersonAccount(models.Model):
    """A young person's own way into lachealth, from an invitation their health team sent:
    they read and download their own passport, see their next appointments and contacts, tell
    the team what they thought of their assessment and ask for corrections; nothing else. It
    ends on their 25th birthday (`ends_on`) or when the team withdraws it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="young_person_account"
    )
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="own_account")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ends_on = models.DateField(help_text="The 25th birthday: access ends that day")
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Own account of child {self.child_id}"

    def active_on(self, day: date) -> bool:
        return day < self.ends_on and (self.withdrawn_on is None or day < self.withdrawn_on)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def waiting(self, now: datetime) -> InvitationQuerySet:
        """Links that still work at `now`: not used, not revoked, not expired."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An e-mailed link that lets a young person make their own account, once, within a few
    days. Only a hash of the link's token is kept; a new invitation revokes the last."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    wrong_dates_of_birth = models.PositiveSmallIntegerField(
        default=0, help_text="Wrong dates of birth typed with the link: it stops at five"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Invitation of child {self.child_id}, {self.sent_at:%Y-%m-%d}"

    def waiting(self, now: datetime) -> bool:
        """This link still works at `now` (`InvitationQuerySet.waiting`, for one row)."""
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Feedback(models.Model):
    """What a young person thought of their last health assessment, in their own account."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="feedback")
    assessment = models.ForeignKey(
        HealthAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    listened = models.CharField("were you listened to", max_length=6, choices=Answer.choices)
    understood = models.CharField(
        "did you understand what happens next", max_length=6, choices=Answer.choices
    )
    anything_else = models.TextField(blank=True)
    given_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feedback of child {self.child_id}, {self.given_on}"


class CorrectionRequest(models.Model):
    """A young person asks for something in their passport to be corrected; the health team
    answers it (and gives an updated passport where it was wrong)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="correction_requests")
    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=20)
    what = models.TextField()
    asked_on = models.DateField()
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-asked_on", "-pk"]

    def __str__(self) -> str:
        return f"Correction asked by child {self.child_id}, {self.asked_on}"
