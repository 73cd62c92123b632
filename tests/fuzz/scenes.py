"""The records a fuzzed form is about, made the way users make them (through the services), on
top of the shared `world`: a child who has left care, a team member, a booking, an assessment
with its plan, an SDQ, clinical summary entries, a health request awaiting consent, a
referral, an SSDA903 import waiting to be confirmed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.care import services as care
from lachealth.care import team
from lachealth.care.models import Child, Episode, TeamMember
from lachealth.handovers import services as handovers
from lachealth.handovers.models import Notification, Referral
from lachealth.health import passport, summary
from lachealth.health import services as health
from lachealth.health.models import (
    Appointment,
    ClinicalEntry,
    CorrectionRequest,
    HealthAssessment,
    Invitation,
    SdqResult,
    YoungPersonAccount,
)
from lachealth.health.own_account import hash_token
from lachealth.people.models import User

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area, child_in_care
from ..handovers.helpers import camhs_with_clinician, enter_care
from ..interop.helpers import check, exported

#: The day every fuzzed page is posted on (a Monday).
TODAY = date(2026, 11, 23)
#: The year of the SSDA903 return the returns pages offer first on TODAY (2025/26).
RETURN_YEAR = 2026


def left_care(world: Any) -> Child:
    """A Bradford young person who stopped being looked after on 1 June 2025."""
    child = child_in_care(
        area(BRADFORD), la_child_id="A9", last_name="Leaver", date_of_birth=date(2008, 3, 1)
    )
    care.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2025, 6, 1), rec="E13", as_of=TODAY
    )
    return Child.objects.get(pk=child.pk)


def moved(world: Any) -> Episode:
    """child_a's second episode: a move on 1 March 2026, the episode an LA may withdraw."""
    child = world.children["child_a"]
    return care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 3, 1),
        ls="C2",
        placement=care.PlacementDetails(
            place="U4", place_provider="PR1", placement_area=area(BRADFORD), pl_post="BD7 1AA"
        ),
        same_carer=False,
        reason_place_change="CARPL",
        as_of=TODAY,
    )


def team_member(world: Any) -> TeamMember:
    """child_a's foster carers, from 10 January 2024."""
    return team.add_team_member(
        by=world.users["la_a_sw"],
        child=world.children["child_a"],
        role="carer",
        details=team.MemberDetails(
            start=date(2024, 1, 10),
            name="Sam and Alex Carer",
            organisation="Bright Fostering",
            telephone="0113 496 0000",
            email="carers@example.org",
            address="1 Example Street, Bradford",
        ),
        as_of=TODAY,
    )


def booking(world: Any) -> Appointment:
    """child_a's initial health assessment, booked by Provider A for 9:00 today."""
    return health.book_appointment(
        by=world.users["prov_a_admin"],
        child=world.children["child_a"],
        kind="IHA",
        starts_at=timezone.make_aware(datetime(2026, 11, 23, 9, 0)),
        venue="Child health clinic",
        practitioner=world.users["prov_a_nurse"],
        as_of=TODAY,
    )


def assessment(world: Any) -> HealthAssessment:
    """child_a's initial health assessment on 20 November 2026, with one plan action owned by
    Provider A."""
    return health.record_assessment(
        by=world.users["prov_a_nurse"],
        child=world.children["child_a"],
        kind="IHA",
        completed_on=date(2026, 11, 20),
        practitioner=world.users["prov_a_nurse"],
        professional="medical",
        details={
            "height_cm": None,
            "weight_kg": None,
            "immunisations": "yes",
            "immunisations_checked_on": None,
            "dental_check_on": None,
            "sdq_considered": True,
            "substance_misuse": False,
            "consent_recorded": True,
            "voice_of_child": "Likes football",
            "health_needs": "Dental decay",
            "development_check": None,
            "intervention_received": None,
            "intervention_offered": None,
        },
        actions=[
            health.PlannedAction(
                need="Dental decay",
                action="Register with a dentist",
                owner_kind="health",
                due_on=date(2026, 12, 18),
            )
        ],
        as_of=TODAY,
    )


def sdq(world: Any) -> SdqResult:
    return health.record_sdq(
        by=world.users["prov_a_admin"],
        child=world.children["child_a"],
        completed_on=date(2026, 11, 2),
        informant="carer",
        items=[1] * 25,
        as_of=TODAY,
    )


def entry(world: Any, kind: str = "allergy") -> ClinicalEntry:
    """An entry of child_a's clinical summary (an allergy to penicillin, by default)."""
    return summary.add_entry(
        by=world.users["prov_a_nurse"],
        child=world.children["child_a"],
        kind=kind,
        details=summary.EntryDetails(
            term="Penicillin",
            code="",
            start=date(2020, 5, 1),
            reaction="Rash",
            severity="moderate",
            shareable=True,
        ),
        as_of=TODAY,
    )


def handed_over(world: Any) -> dict[str, Notification]:
    """A Bradford child entering care on 20 November 2026 placed in Calderdale: the health
    request to Provider A (awaiting consent) and the out-of-area notice to Provider C."""
    child = enter_care(
        world,
        placed=CALDERDALE,
        decom=date(2026, 11, 20),
        la_child_id="OUT1",
        first_name="Nia",
        last_name="Moved",
        date_of_birth=date(2013, 2, 3),
        as_of=TODAY,
    )
    found = Notification.objects.filter(child=child)
    return {
        "request": found.get(kind="health_request"),
        "notice": found.get(kind="out_of_area", recipient_kind="provider"),
    }


def referral(world: Any) -> Referral:
    """child_a referred by Provider A's nurse to Bradford CAMHS, from a plan action."""
    service, _ = camhs_with_clinician()
    action = assessment(world).actions.get()
    return handovers.refer(
        by=world.users["prov_a_nurse"],
        action=action,
        service=service,
        kind="emotional_wellbeing",
        reason="Low mood since the move",
        urgency="routine",
        as_of=TODAY,
    )


def referral_accepted(world: Any) -> Referral:
    """The referral above, accepted by the CAMHS clinician."""
    made = referral(world)
    return handovers.decide_referral(
        by=User.objects.get(username="camhs"), referral=made, accept=True, reason=""
    )


def import_waiting(world: Any) -> Any:
    """LA A's 2025/26 return, checked and waiting for the data officer to confirm it."""
    checked = check(
        world.users["la_a_data"], BRADFORD, RETURN_YEAR, exported(BRADFORD, RETURN_YEAR)
    )
    return checked.attempt


def security_code(user: User) -> str:
    """The code the user's authenticator app shows now (time stands still in these tests)."""
    device = TOTPDevice.objects.filter(user=user).latest("pk")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def own_account(world: Any) -> Child:
    """A care leaver with a passport, a review assessment before they left, and their own
    account (young.person@example.org)."""
    child = left_care(world)
    nurse = world.users["prov_a_nurse"]
    passport.give(
        by=nurse,
        child=child,
        choices=passport.Choices(included=["about_me", "contacts"], agreed=True),
        written=passport.Written(),
        as_of=TODAY,
    )
    HealthAssessment.objects.create(
        child=child,
        kind="RHA",
        completed_on=date(2025, 5, 1),
        due_on=date(2025, 5, 10),
        provider=world.orgs["prov_a"],
        practitioner=nurse,
        professional="nurse",
    )
    user = User.objects.create_user(
        username="young.person@example.org", email="young.person@example.org"
    )
    YoungPersonAccount.objects.create(
        user=user, child=child, invited_by=nurse, ends_on=date(2033, 3, 1)
    )
    return child


#: The token of the invitation `invited` makes (its link is /my/invitation/<token>/).
INVITATION_TOKEN = "an-invitation-token-for-the-fuzzer"


def invited(world: Any) -> Invitation:
    """A care leaver's invitation to their own account, waiting to be used."""
    now = timezone.now()
    return Invitation.objects.create(
        child=left_care(world),
        email="invited@example.org",
        token_hash=hash_token(INVITATION_TOKEN),
        invited_by=world.users["prov_a_nurse"],
        sent_at=now,
        expires_at=now + timedelta(days=7),
    )


def correction_asked(world: Any) -> CorrectionRequest:
    """A correction the young person of `own_account` asked for."""
    child = own_account(world)
    return CorrectionRequest.objects.create(
        child=child,
        passport=child.passports.get(),
        section="contacts",
        what="My GP has changed",
        asked_on=TODAY,
    )
