"""Organisations, the areas they serve, users and their roles, and the access log.

An organisation is a local authority (LA), an NHS LAC health provider, an integrated care
board (ICB) or a service that takes referrals (CAMHS, substance misuse…); each covers one or
more areas (ONS local authority codes). A user holds roles
through memberships, one per organisation and role, so one person can work for a provider
and an ICB at once. What a role lets a user see is decided in `access.py`, nowhere else.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import chain


class Nation(models.TextChoices):
    """Where an area is, by the first letter of its ONS code."""

    ENGLAND = "E", "England"
    WALES = "W", "Wales"
    SCOTLAND = "S", "Scotland"
    NORTHERN_IRELAND = "N", "Northern Ireland"
    CHANNEL_ISLANDS = "L", "Channel Islands"
    ISLE_OF_MAN = "M", "Isle of Man"


class EnglishAreas(models.Manager["Area"]):
    def get_queryset(self) -> models.QuerySet[Area]:
        return super().get_queryset().filter(nation=Nation.ENGLAND)


class Area(models.Model):
    """An English upper-tier local authority footprint (ONS code E06/E08/E09/E10…), or a
    nation outside England where a child is placed (Wales, Scotland…: no LA or health team of
    lachealth serves it, and no child is the responsibility of one). `Area.english` lists
    the English areas only: measures, footprints and organisations are English."""

    code = models.CharField("ONS code", max_length=9, primary_key=True)
    dfe_code = models.CharField("DfE LA code", max_length=3, blank=True, db_index=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=40, blank=True)
    nation = models.CharField(max_length=1, choices=Nation.choices, default=Nation.ENGLAND)

    objects = models.Manager()
    english = EnglishAreas()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "LA", "Local authority"
    HEALTH_PROVIDER = "PROVIDER", "NHS LAC health provider"
    ICB = "ICB", "Integrated care board"
    SERVICE = "SERVICE", "Service that takes referrals (CAMHS, substance misuse…)"


class Organisation(models.Model):
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=10, choices=OrganisationKind.choices)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code"
    )
    areas = models.ManyToManyField(Area, related_name="organisations")
    team_email = models.EmailField(
        "team mailbox", blank=True, help_text="Where the team's daily digest of due work is sent"
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[areas])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "LA social worker"
    DATA_OFFICER = "data_officer", "LA data officer"
    HEALTH_PRACTITIONER = "health_practitioner", "Health practitioner"
    HEALTH_ADMIN = "health_admin", "Health administrator"
    DESIGNATED_PROFESSIONAL = "designated_professional", "Designated professional (quality lead)"
    COMMISSIONER = "commissioner", "Commissioner"
    SYSTEM_ADMIN = "system_admin", "System administrator"


#: Which roles an organisation of each kind may grant.
ROLES_FOR_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.LOCAL_AUTHORITY: frozenset(
        {Role.SOCIAL_WORKER, Role.DATA_OFFICER, Role.COMMISSIONER, Role.SYSTEM_ADMIN}
    ),
    OrganisationKind.HEALTH_PROVIDER: frozenset(
        {
            Role.HEALTH_PRACTITIONER,
            Role.HEALTH_ADMIN,
            Role.DESIGNATED_PROFESSIONAL,
            Role.SYSTEM_ADMIN,
        }
    ),
    OrganisationKind.ICB: frozenset(
        {Role.DESIGNATED_PROFESSIONAL, Role.COMMISSIONER, Role.SYSTEM_ADMIN}
    ),
    # A service's staff see the children referred to it, nothing else (access.py).
    OrganisationKind.SERVICE: frozenset(
        {Role.HEALTH_PRACTITIONER, Role.HEALTH_ADMIN, Role.SYSTEM_ADMIN}
    ),
}


class User(AbstractUser):
    """A person who signs in. Roles come from memberships, never from Django's staff flags."""

    is_demo = models.BooleanField(
        default=False, help_text="Synthetic demo account; may see its one-time code in DEBUG."
    )
    # A database default too: rows written by older code (a migration's historical model) get it.
    must_change_password = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The password was set by an administrator: it is changed at the next sign-in.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation}"

    def clean(self) -> None:
        if self.organisation_id and self.role not in ROLES_FOR_KIND[self.organisation.kind]:
            raise ValidationError(
                {
                    "role": f"A {self.organisation.get_kind_display().lower()} cannot grant the "
                    f"role “{self.get_role_display()}”"
                }
            )


class Decision(models.TextChoices):
    """Where a change that needs a second person stands."""

    PENDING = "pending", "Waiting"
    APPROVED = "approved", "Approved"
    CONFIRMED = "confirmed", "Confirmed by the user"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SecondPersonRequest(models.Model):
    """A change one administrator asks for and someone else decides."""

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    def decide(self, by: User, status: str) -> None:
        self.status, self.decided_by, self.decided_at = status, by, timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at"])


class RoleRequest(SecondPersonRequest):
    """An administrator's request to give someone a role that reaches children or administers
    the system; it takes effect only once a second administrator approves it (`access.py`
    names the roles, `approvals.approvers` who may approve)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta(SecondPersonRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(status="pending"),
                name="role_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation} for {self.user}"


class AuthenticatorReset(SecondPersonRequest):
    """An administrator's request to forget someone's authenticator app. It happens only once
    the user confirms it from a link e-mailed to them (with their password), or a second
    administrator approves it: one administrator alone cannot take an account over."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authenticator_resets")
    #: SHA-256 of the e-mailed link's secret; the secret itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    class Meta(SecondPersonRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="authenticator_reset_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"Authenticator reset for {self.user}"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    SEARCH = "search", "Searched"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    ADMIN = "admin", "Administered"
    #: A signed-in user's attempt at a child's page that was refused (403 or 404).
    REFUSED = "refused", "Refused"


class AppendOnly(Exception):
    """An attempt to change or delete access-log rows: a programming error, never a user's."""


#: The PostgreSQL advisory lock that lets one writer at a time append to the access log's
#: chain (any constant no other code uses; these are the bytes of "acclog").
CHAIN_LOCK = 0x6163636C6F67


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    """Reads as usual; every bulk write refuses, because rows are sealed one by one in order
    (`AccessLog.save`) and never changed or removed once written."""

    def _refuse(self, what: str) -> NoReturn:
        raise AppendOnly(
            f"The access log is append-only: {what} access-log rows is refused "
            "(rows are added one at a time by audit.record, and never changed or removed)."
        )

    def update(self, **kwargs: Any) -> int:
        self._refuse("updating")

    def _update(self, values: Any) -> Any:
        self._refuse("updating")

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse("deleting")

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

    def _raw_delete(self, using: Any) -> int:
        self._refuse("deleting")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        self._refuse("updating")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AccessLog]:
        self._refuse("bulk-inserting")


class AccessLog(models.Model):
    """Who did what to which child, when, from where. Written by `audit.record`, never edited.

    The child is kept as its primary key and a readable reference rather than a foreign key:
    `people` sits below `care` in the house, and the log must outlive any record it names.

    Tamper-evident: each row holds its position in a chain and a seal (`chain.py`) over its
    contents and the seal of the row before it, so `lachealth verify-audit` finds the first
    row altered, removed or moved. Rows are only ever inserted: `save` refuses an existing
    row, `delete` and the queryset's bulk writes refuse, and on PostgreSQL a trigger refuses
    UPDATE and DELETE (migration 0009).
    """

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="access_logs"
    )
    username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    child_ref = models.CharField(max_length=60, blank=True, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    position = models.PositiveBigIntegerField(
        unique=True, editable=False, help_text="The row's place in the chain, from 1, no gaps"
    )
    previous_hash = models.CharField(max_length=64, editable=False)
    row_hash = models.CharField(
        max_length=64, editable=False, help_text="HMAC-SHA256 seal of the row (chain.py)"
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]
        # Django's internal paths (an UPDATE when saving a stored row) refuse too.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.child_ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert the row as the next link of the chain; an existing row is never saved again.

        Writers take turns from reading the last row to committing, so no two rows get the
        same place: on PostgreSQL by an advisory lock held to the end of the transaction, on
        SQLite by the write lock that `transaction_mode: IMMEDIATE` (settings) takes as the
        transaction begins. A writer that somehow did not wait would break the unique
        `position`, not the chain. Inside a longer transaction the turn is held until it
        commits, which is why services write their access-log row last.
        """
        if not self._state.adding:
            raise AppendOnly(
                f"Access-log row {self.pk} cannot be changed: the access log is append-only."
            )
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        connection = connections[using]
        with transaction.atomic(using=using, savepoint=False):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            last = (
                type(self)
                .objects.using(using)
                .order_by("-id")
                .values_list("position", "row_hash")
                .first()
            )
            self.position, self.previous_hash = chain.next_link(last)
            self.row_hash = chain.seal(audit_key(), chain.sealed_fields(self))
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly(
            f"Access-log row {self.pk} cannot be deleted: the access log is append-only."
        )


def audit_key() -> bytes:
    """The key the access log's rows are sealed with (settings.AUDIT_LOG_KEY)."""
    return str(settings.AUDIT_LOG_KEY).encode()
