"""The child and their episodes of care, shaped as the SSDA903 return shapes them.

Fields that are SSDA903 items keep its names (`decom`, `rne`, `ls`, `place`, `dec`, `rec`…)
so that import and export need no mapping. `Child.current_placement_area` and
`Child.looked_after` mirror the open episode; the care services keep them true, because the
access policy filters on them. An episode entered in error is withdrawn, never deleted:
`Episode.objects` (and so `child.episodes`) leaves it out, `Episode.everything` reaches it.
"""

from __future__ import annotations

import re

import nhs_number
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from lachealth.people import access
from lachealth.people.models import Area
from lachealth.versioning import CurrentManager

from . import episodes as rules
from .codes import (
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    MissingKind,
    Placement,
    PlacementProvider,
    ReasonEpisodeCeased,
    ReasonForNewEpisode,
    ReasonPlaceChange,
    ReviewParticipation,
    Sex,
)

UPN_PATTERN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")


def validate_nhs_number(value: str) -> None:
    if not (value.isdigit() and len(value) == 10 and nhs_number.is_valid(value)):
        raise ValidationError(
            "Enter a valid NHS number: 10 digits whose last digit is the right check digit"
        )


#: The SSDA903 codes for a child without a unique pupil number.
UPN_UNKNOWN_CODES = ("UN1", "UN2", "UN3", "UN4", "UN5")


def validate_upn(value: str) -> None:
    if not (UPN_PATTERN.match(value) or value in UPN_UNKNOWN_CODES):
        raise ValidationError(
            "Enter a valid unique pupil number: a capital letter followed by 12 characters, "
            "like A123456789012, or the return's code for why there is none (UN1 to UN5)"
        )


def normalise_postcode(value: str) -> str:
    """A UK postcode in capitals with one space before the last three characters (LS1 4AP),
    as the SSDA903 return spells it; ValidationError if it is not a postcode."""
    compact = value.replace(" ", "").upper()
    match = POSTCODE_PATTERN.match(compact)
    if not match:
        raise ValidationError("Enter a full UK postcode, like LS1 4AP")
    return f"{match.group(1)} {match.group(2)}"


def validate_postcode(value: str) -> None:
    if normalise_postcode(value) != value:
        raise ValidationError("Enter a full UK postcode, like LS1 4AP")


class ChildQuerySet(models.QuerySet["Child"]):
    def visible_to(self, user) -> ChildQuerySet:  # type: ignore[no-untyped-def]
        """Only the children the access policy lets `user` see."""
        return self.filter(access.child_q(user))


class Child(models.Model):
    la_child_id = models.CharField(
        "LA child ID",
        max_length=10,
        help_text="The child's ID in your local authority's case system (SSDA903 CHILD)",
    )
    # The SSDA903 return carries no names: a child imported from one has none until the LA
    # adds them.
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    former_names = models.CharField(
        "other or former names",
        max_length=200,
        blank=True,
        help_text="Names the child has been known by, for finding them",
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    upn = models.CharField("UPN", max_length=13, blank=True, validators=[validate_upn])
    mother = models.BooleanField(
        "is a mother",
        null=True,
        blank=True,
        help_text="For girls and young women: whether she is a mother (SSDA903 MOTHER)",
    )
    mother_child_dob = models.DateField(
        "date of birth of her child",
        null=True,
        blank=True,
        help_text="For a mother: her child's date of birth (SSDA903 MC_DOB)",
    )
    responsible_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="children_responsible_for"
    )
    current_placement_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="children_placed_in"
    )
    looked_after = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(
                fields=["responsible_area", "la_child_id"], name="child_unique_la_id"
            ),
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="child_unique_nhs_number"
            ),
        ]
        indexes = [
            models.Index(fields=["responsible_area", "last_name"]),
            models.Index(fields=["current_placement_area", "last_name"]),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or f"Child {self.la_child_id} (name not recorded)"

    @property
    def sort_name(self) -> str:
        """How lists name the child: "Last, First", or the CHILD id when no name is recorded."""
        if self.first_name or self.last_name:
            return ", ".join(n for n in (self.last_name, self.first_name) if n)
        return str(self)

    @property
    def reference(self) -> str:
        """How the access log and messages name a child without their name."""
        return f"{self.responsible_area_id}/{self.la_child_id}"

    @property
    def is_placed_out_of_area(self) -> bool:
        return bool(
            self.current_placement_area_id
            and self.current_placement_area_id != self.responsible_area_id
        )


class Episode(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="episodes")
    decom = models.DateField("date episode started")
    rne = models.CharField(
        "reason for new episode", max_length=1, choices=ReasonForNewEpisode.choices
    )
    ls = models.CharField("legal status", max_length=2, choices=LegalStatus.choices)
    cin = models.CharField("category of need", max_length=2, choices=CategoryOfNeed.choices)
    place = models.CharField("placement type", max_length=3, choices=Placement.choices)
    place_provider = models.CharField(
        "placement provider", max_length=3, choices=PlacementProvider.choices, blank=True
    )
    dec = models.DateField("date episode ceased", null=True, blank=True)
    rec = models.CharField(
        "reason episode ceased", max_length=3, choices=ReasonEpisodeCeased.choices, blank=True
    )
    reason_place_change = models.CharField(
        "reason for placement change", max_length=6, choices=ReasonPlaceChange.choices, blank=True
    )
    home_post = models.CharField(
        "home postcode", max_length=8, blank=True, validators=[validate_postcode]
    )
    pl_post = models.CharField(
        "placement postcode", max_length=8, blank=True, validators=[validate_postcode]
    )
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    placement_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="episodes_placed_in"
    )
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was withdrawn as entered in error"
    )
    history = HistoricalRecords()

    # The default manager (Meta.default_manager_name) leaves withdrawn episodes out, so do
    # `child.episodes`, the clocks, measures, imports and the export.
    everything = models.Manager()
    objects = CurrentManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["child", "decom"]
        constraints = [
            # A withdrawn episode keeps its start: the right one may start the same day.
            models.UniqueConstraint(
                fields=["child", "decom"],
                condition=Q(withdrawn_reason=""),
                name="episode_unique_start",
            ),
            models.CheckConstraint(
                condition=Q(dec__isnull=True) | Q(dec__gte=F("decom")),
                name="episode_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.decom} {self.ls}/{self.place}"

    @property
    def is_out_of_area(self) -> bool:
        return self.placement_area_id != self.child.responsible_area_id

    def facts(self) -> rules.EpisodeFacts:
        """This episode as the pure episode rules see it."""
        return rules.EpisodeFacts(
            decom=self.decom,
            dec=self.dec,
            rne=self.rne,
            ls=self.ls,
            place=self.place,
            rec=self.rec or None,
        )


class MissingEpisode(models.Model):
    """A time the child was missing, or away from placement without authorisation (the
    return's Missing table): a risk the health team weighs at every assessment."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="missing_episodes")
    kind = models.CharField(max_length=1, choices=MissingKind.choices)
    start = models.DateField("missing from")
    end = models.DateField("back on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="missing_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="missing_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.get_kind_display()} from {self.start}"


class CareReview(models.Model):
    """A statutory review of the child's care plan and how the child took part (the return's
    Reviews table)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_reviews")
    held_on = models.DateField("review held on")
    participation = models.CharField(max_length=3, choices=ReviewParticipation.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "held_on"]
        constraints = [
            models.UniqueConstraint(fields=["child", "held_on"], name="review_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: review {self.held_on} {self.participation}"


class AsylumSeekingStatus(models.Model):
    """The child was an unaccompanied asylum-seeking child (the return's UASC table), until
    `ceased_on` if they no longer are (DUC)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="uasc")
    ceased_on = models.DateField("ceased to be UASC on", null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.child_id}: UASC{f' until {self.ceased_on}' if self.ceased_on else ''}"


class DeprivationOfLiberty(models.Model):
    """An order depriving the child of their liberty (the return's DoLo table, from 2026/27)."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="deprivations_of_liberty"
    )
    start = models.DateField("order from")
    end = models.DateField("order ended", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="dolo_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="dolo_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: deprivation of liberty from {self.start}"


class TeamRole(models.TextChoices):
    """Who is around the child. Staff on lachealth (social worker, team manager, named nurse)
    are chosen from its users; the others are typed in with their contact details."""

    SOCIAL_WORKER = "social_worker", "Allocated social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    IRO = "iro", "Independent reviewing officer (IRO)"
    CARER = "carer", "Carer or home"
    NAMED_NURSE = "named_nurse", "Named nurse"
    GP = "gp", "GP practice"
    DENTIST = "dentist", "Dentist"
    OPTICIAN = "optician", "Optician"
    SCHOOL = "school", "School or college"
    DESIGNATED_TEACHER = "designated_teacher", "Designated teacher"
    SERVICE = "service", "Other service (CAMHS, therapy…)"


class TeamMember(models.Model):
    """One person or place in the team around the child, from `start` until `end`.

    A correction edits the row (its history keeps before and after, who and why); a member
    entered in error is withdrawn with a reason, never deleted, and no longer shown as part
    of the team. Which side records which role is `team.RECORDED_BY`.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    user = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    organisation = models.CharField("practice, home, school or service", max_length=150, blank=True)
    code = models.CharField(
        "ODS code or URN",
        max_length=10,
        blank=True,
        help_text="The ODS code of a GP, dental or optical practice; the URN of a school or home",
    )
    telephone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(max_length=150, blank=True)
    address = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)
    start = models.DateField("from")
    end = models.DateField("until", null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "role", "-start", "pk"]
        indexes = [models.Index(fields=["child", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="team_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.who}"

    @property
    def who(self) -> str:
        """The person or place, as the team page names them."""
        person = str(self.user) if self.user else self.name
        return ", ".join(part for part in (person, self.organisation) if part) or "Not named"

    @property
    def withdrawn(self) -> bool:
        return bool(self.withdrawn_reason)
