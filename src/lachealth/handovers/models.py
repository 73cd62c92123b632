"""Hand-offs between agencies, each with a clock, an owner and an acknowledgement.

A `Notification` is what the LA tells health when a child enters care, moves, changes legal
status, is placed out of area or leaves care: created by `services.notify_care_events` from the
pure rules in `rules.py`, addressed to the organisation serving an area, acknowledged (or
rejected with a reason) by that organisation. A `Referral` is a practitioner asking a service
(CAMHS, substance misuse…) to see a child, from an action of the health plan. Each carries a
thread of `Message`s between the two teams. Every state change is versioned.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from lachealth.care.models import Child, Episode
from lachealth.health.models import HealthPlanAction
from lachealth.people.models import Area, Organisation

from . import rules


def _working_days(default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )


class HandoverSettings(models.Model):
    """An area's own clocks for hand-offs, where it departs from DOMAIN.md's local defaults.

    The sender's area decides: a notice about a child is timed by the child's responsible
    area, wherever it is sent.
    """

    area = models.OneToOneField(Area, on_delete=models.CASCADE, primary_key=True)
    send_working_days = _working_days(rules.DEFAULT_SEND_WORKING_DAYS)
    health_request_working_days = _working_days(
        rules.DEFAULT_ACKNOWLEDGE_WORKING_DAYS[rules.Kind.HEALTH_REQUEST]
    )
    move_working_days = _working_days(rules.DEFAULT_ACKNOWLEDGE_WORKING_DAYS[rules.Kind.MOVE])
    legal_status_working_days = _working_days(
        rules.DEFAULT_ACKNOWLEDGE_WORKING_DAYS[rules.Kind.LEGAL_STATUS]
    )
    out_of_area_working_days = _working_days(
        rules.DEFAULT_ACKNOWLEDGE_WORKING_DAYS[rules.Kind.OUT_OF_AREA]
    )
    leaving_care_working_days = _working_days(
        rules.DEFAULT_ACKNOWLEDGE_WORKING_DAYS[rules.Kind.LEAVING_CARE]
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_HORIZON_DAYS,
        validators=[MaxValueValidator(366)],
        help_text="Care events older than this many days (as when an import replays old "
        "moves) send no notification",
    )
    routine_referral_weeks = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_ROUTINE_REFERRAL_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    urgent_referral_weeks = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_URGENT_REFERRAL_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "handover settings"

    def __str__(self) -> str:
        return f"Handover settings for {self.area_id}"

    def rules(self) -> rules.Settings:
        return rules.Settings(
            send_working_days=self.send_working_days,
            acknowledge_working_days={
                rules.Kind.HEALTH_REQUEST: self.health_request_working_days,
                rules.Kind.MOVE: self.move_working_days,
                rules.Kind.LEGAL_STATUS: self.legal_status_working_days,
                rules.Kind.OUT_OF_AREA: self.out_of_area_working_days,
                rules.Kind.LEAVING_CARE: self.leaving_care_working_days,
            },
            horizon_days=self.horizon_days,
            routine_referral_weeks=self.routine_referral_weeks,
            urgent_referral_weeks=self.urgent_referral_weeks,
        )


class NotificationKind(models.TextChoices):
    HEALTH_REQUEST = rules.Kind.HEALTH_REQUEST, "Health request"
    MOVE = rules.Kind.MOVE, "Change of placement"
    LEGAL_STATUS = rules.Kind.LEGAL_STATUS, "Change of legal status"
    OUT_OF_AREA = rules.Kind.OUT_OF_AREA, "Out-of-area placement"
    LEAVING_CARE = rules.Kind.LEAVING_CARE, "Leaving care"
    TRANSFER = rules.Kind.TRANSFER, "Health assessments taken over"


class RecipientKind(models.TextChoices):
    PROVIDER = rules.Recipient.PROVIDER, "LAC health provider"
    ICB = rules.Recipient.ICB, "Integrated care board"


class NotificationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", "Not sent: consent needed"
    SENT = "sent", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    REJECTED = "rejected", "Rejected"
    NO_RECIPIENT = "no_recipient", "Not sent: no team on lachealth serves the area"
    WITHDRAWN = "withdrawn", "Withdrawn: the care event was entered in error"


class ConsentGiver(models.TextChoices):
    PARENT = "parent", "A parent with parental responsibility"
    LOCAL_AUTHORITY = "local_authority", "The local authority, under a care or placement order"
    YOUNG_PERSON = "young_person", "The young person, who has sufficient understanding"


class RejectReason(models.TextChoices):
    NOT_OUR_AREA = "not_our_area", "Not our area"
    DUPLICATE = "duplicate", "Duplicate"
    OTHER = "other", "Another reason"


#: Statuses in which a notification still waits for someone to act.
OPEN_STATUSES = (NotificationStatus.AWAITING_CONSENT, NotificationStatus.SENT)


def unsent_overdue(as_of: date) -> Q:
    """Health requests the LA should have sent before `as_of` (the sender's clock)."""
    return Q(status=NotificationStatus.AWAITING_CONSENT, send_by__lt=as_of)


def unacknowledged_overdue(as_of: date) -> Q:
    """Notifications the receiver should have acknowledged before `as_of` (its clock)."""
    return Q(status=NotificationStatus.SENT, acknowledge_by__lt=as_of)


class Notification(models.Model):
    """One care event told to one organisation: the LA's hand-off to health."""

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="notifications")
    # The episode may be corrected away by a later import; the notice stands.
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    episode_start = models.DateField(help_text="Start of the episode the event belongs to")
    event_date = models.DateField()
    sender = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    # None when no organisation on lachealth serves the area: the sender must tell it otherwise.
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications_received",
    )
    status = models.CharField(max_length=20, choices=NotificationStatus.choices)
    send_by = models.DateField(help_text="When the LA must have sent it")
    sent_on = models.DateField(null=True, blank=True)
    acknowledge_by = models.DateField(null=True, blank=True)
    consent_given_by = models.CharField(max_length=20, choices=ConsentGiver.choices, blank=True)
    consent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessment_accepted_on = models.DateField(null=True, blank=True)
    rejected_on = models.DateField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    reject_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-event_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "episode_start", "recipient_kind", "recipient_area"],
                name="notification_once_per_event_and_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent")
                | Q(sent_on__isnull=False, acknowledge_by__isnull=False),
                name="notification_sent_has_clock",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "status", "acknowledge_by"]),
            models.Index(fields=["sender", "status", "send_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient or self.recipient_area_id}"

    def is_overdue(self, as_of: date) -> bool:
        """Past its clock and nobody has acted: the sender's if unsent, else the receiver's
        (`unsent_overdue` and `unacknowledged_overdue` ask the database the same)."""
        if self.status == NotificationStatus.AWAITING_CONSENT:
            return self.send_by < as_of
        if self.status == NotificationStatus.SENT:
            return self.acknowledge_by is not None and self.acknowledge_by < as_of
        return False

    @property
    def carries_assessment_request(self) -> bool:
        """The health request and the out-of-area notice to a provider ask it to assess."""
        return self.recipient_kind == RecipientKind.PROVIDER and self.kind in (
            NotificationKind.HEALTH_REQUEST,
            NotificationKind.OUT_OF_AREA,
        )


class ReferralKind(models.TextChoices):
    EMOTIONAL_WELLBEING = "emotional_wellbeing", "CAMHS or emotional wellbeing"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental (autism, ADHD)"
    SEND = "send", "Special educational needs (SEND or EHCP)"
    OTHER = "other", "Another service"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged, awaiting decision"
    ACCEPTED = "accepted", "Accepted, waiting to be seen"
    DECLINED = "declined", "Declined"
    SEEN = "seen", "Seen"


#: Referral statuses in which the child is still waiting for the service.
WAITING_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACCEPTED)


class Referral(models.Model):
    """A practitioner asking a service to see a child, from an action of the health plan."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals")
    # RESTRICT, not PROTECT: the action may go only with the child, taking the referral too.
    action = models.ForeignKey(
        HealthPlanAction, on_delete=models.RESTRICT, related_name="referrals"
    )
    kind = models.CharField(max_length=20, choices=ReferralKind.choices)
    service = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    referrer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField()
    reason = models.TextField(max_length=2000)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    target_weeks = models.PositiveSmallIntegerField(
        help_text="The waiting-time target when referred (the area's setting for its urgency)"
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=500, blank=True)
    first_seen_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["service", "status", "referred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} referral to {self.service}"

    def waiting(self, as_of: date) -> rules.Wait:
        return rules.wait(self.referred_on, self.target_weeks, self.first_seen_on, as_of=as_of)


class Message(models.Model):
    """One message in the thread between the two teams of a notification or a referral.

    Messages are never edited or deleted: the thread is the record of what each team was told.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification__isnull=False, referral__isnull=True)
                | Q(notification__isnull=True, referral__isnull=False),
                name="message_belongs_to_one_thread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} at {self.sent_at:%Y-%m-%d %H:%M}"


class HandoverDigestSent(models.Model):
    """One row per hand-off digest e-mailed, so that `lachealth remind` twice sends once."""

    recipient = models.EmailField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    box = models.CharField(max_length=100, help_text="Which list the digest links to")
    sent_on = models.DateField()
    counts = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "organisation", "box", "sent_on"],
                name="handover_digest_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_on}"
