"""Organisations, the areas they serve, users and their roles, and the access log.

An organisation is a local authority (LA), an NHS LAC health provider, an integrated care
board (ICB) or a service that takes referrals (CAMHS, substance misuse…); each covers one or
more areas (ONS local authority codes). A user holds roles
through memberships, one per organisation and role, so one person can work for a provider
and an ICB at once. What a role lets a user see is decided in `access.py`, nowhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


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


class AccessLog(models.Model):
    """Who did what to which child, when, from where. Written by `audit.record`, never edited.

    The child is kept as its primary key and a readable reference rather than a foreign key:
    `people` sits below `care` in the house, and the log must outlive any record it names.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
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

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.child_ref}"
