"""The matrix's world, built once per test module: the shared world's users in every role and a
CAMHS clinician, signed in; each area's children with one of every object a URL can name,
made through the services as users make them; and a foreign area (Wakefield) that no user of
the world serves, whose objects nobody but the administrators may reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Model
from django.test import Client
from django.utils import timezone

from lachealth.care import team
from lachealth.care.models import Child, Episode, TeamMember
from lachealth.handovers import services as handovers
from lachealth.handovers.models import Notification, Referral
from lachealth.health import ownership, summary
from lachealth.health import services as health
from lachealth.health.models import (
    Appointment,
    ClinicalEntry,
    CorrectionRequest,
    HealthAssessment,
    HealthPlanAction,
    Passport,
    SdqResult,
    TakenHow,
    YoungPersonAccount,
)
from lachealth.interop.models import ImportAttempt, ImportStatus
from lachealth.people import access
from lachealth.people.models import Area, Membership, Organisation, OrganisationKind, Role, User
from lachealth.quality import providers, reviews, tools
from lachealth.quality.models import Concern, Provider, QaReview, QaSample, QaSampleItem, Visit
from lachealth.reach import (
    ANY,
    OWN_AREA,
    OWN_ORGANISATION,
    OWN_USER,
    PLACED_INTO_AREA,
    SERVICE_STAFF,
    YOUNG_PERSON,
    Objects,
    Reach,
)

from ..conftest import BRADFORD, CALDERDALE, LEEDS, make_world, sign_in
from ..factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    area,
    child_in_care,
    ensure_areas,
)
from .patterns import cases_of_pattern, every_pattern

NOW = "2024-02-01 10:00:00 +0000"
AS_OF = date(2024, 2, 1)
WAKEFIELD = "E08000036"
AREA_NAMES = {
    BRADFORD: "Bradford",
    LEEDS: "Leeds",
    CALDERDALE: "Calderdale",
    WAKEFIELD: "Wakefield (nobody's)",
}

#: Each child's last name: found on no page but theirs, so a page showing it shows the child.
LAST_NAMES = {
    "child_a": "Zaffaroni",
    "child_a_out": "Oxtoby",  # Bradford's, placed in Calderdale
    "child_b": "Brindlecombe",
    "child_c": "Cazalet",
    "child_b_in_a": "Pimblott",  # Leeds's, placed in Bradford
    "foreign": "Xerxesson",  # Wakefield's: nobody's
}

#: Who records each child's health: a practitioner of the provider serving them.
RECORDED_BY = {
    "child_a": "prov_a_nurse",
    "child_a_out": "prov_a_nurse",
    "child_c": "prov_c_nurse",
    "child_b_in_a": "prov_a_nurse",
    "foreign": "prov_d_nurse",
}
#: The service each child is referred to, where one serves them.
REFERRED_TO = {
    "child_a": "camhs_a",
    "child_a_out": "camhs_a",
    "child_b_in_a": "camhs_a",
    "foreign": "camhs_d",
}


@dataclass(frozen=True)
class Held:
    """One role a user holds (a service's health roles as SERVICE_STAFF), at an organisation
    serving these areas."""

    role: str
    organisation: int
    areas: frozenset[str]


@dataclass(repr=False)
class Matrix:
    users: dict[str, User]  # who the matrix requests as
    held: dict[str, tuple[Held, ...]]
    clients: dict[str, Client]
    anonymous: Client
    #: The objects of each model a URL may name, the foreign area's first.
    objects: dict[type, list[Model]]
    #: Per user ("" for anonymous), the last names of children no page may show them.
    unseen: dict[str, tuple[str, ...]]
    #: The database as the world left it, which every test starts from (each test's own
    #: writes are rolled back): taken by the first check, compared after each refused POST.
    baseline: dict[str, Any] | None = None

    def __repr__(self) -> str:  # pytest shows it beside every failure
        return f"<the matrix's world: {len(self.users)} users>"


def build() -> Matrix:
    ensure_areas()
    world = make_world()
    for name, child in world.children.items():
        Child.objects.filter(pk=child.pk).update(last_name=LAST_NAMES[name])
    children = {name: Child.objects.get(pk=c.pk) for name, c in world.children.items()}
    orgs, staff = _foreign_and_services(world)
    children["child_b_in_a"] = child_in_care(
        area(LEEDS), area(BRADFORD), la_child_id="B2", last_name=LAST_NAMES["child_b_in_a"]
    )
    children["foreign"] = child_in_care(
        area(WAKEFIELD), la_child_id="X1", last_name=LAST_NAMES["foreign"]
    )
    _records(children, orgs, staff)
    _quality(children, orgs, staff)
    _providers(children, orgs, staff)
    probed = {
        **world.users,
        "camhs_a_clinician": staff["camhs_a_clinician"],
        "young_person": _young_person(children["child_a"], world.users["prov_a_nurse"]),
    }
    held = {name: _held(user) for name, user in probed.items()}
    return Matrix(
        users=probed,
        held=held,
        clients={
            name: sign_in(Client(raise_request_exception=False), user)
            for name, user in probed.items()
        },
        anonymous=Client(raise_request_exception=False),
        objects=_objects(children),
        unseen=_unseen(children, probed, held),
    )


def _foreign_and_services(world: Any) -> tuple[dict[str, Organisation], dict[str, User]]:
    """Wakefield's LA and provider, and a CAMHS for Bradford and one for Wakefield, with staff."""
    orgs = dict(world.orgs)
    for name, kind, code in [
        ("la_d", OrganisationKind.LOCAL_AUTHORITY, WAKEFIELD),
        ("prov_d", OrganisationKind.HEALTH_PROVIDER, WAKEFIELD),
        ("camhs_a", OrganisationKind.SERVICE, BRADFORD),
        ("camhs_d", OrganisationKind.SERVICE, WAKEFIELD),
    ]:
        orgs[name] = OrganisationFactory(name=name.upper(), kind=kind, areas=[area(code)])
    staff = dict(world.users)
    for name, org, role in [
        ("la_d_sw", "la_d", Role.SOCIAL_WORKER),
        ("la_d_data", "la_d", Role.DATA_OFFICER),
        ("prov_d_nurse", "prov_d", Role.HEALTH_PRACTITIONER),
        ("camhs_a_clinician", "camhs_a", Role.HEALTH_PRACTITIONER),
        ("camhs_d_clinician", "camhs_d", Role.HEALTH_PRACTITIONER),
    ]:
        staff[name] = MembershipFactory(user__username=name, organisation=orgs[org], role=role).user
    return orgs, staff


def _records(children: dict[str, Child], orgs: dict[str, Organisation], staff: dict) -> None:
    """One of everything per child: hand-offs, the GP, a booking, an assessment with an action
    for the LA and one for health, two SDQs, a clinical summary entry, a referral; a transfer
    of assessments between health teams; and an import of each LA's return."""
    social_worker = {BRADFORD: "la_a_sw", LEEDS: "la_b_sw", CALDERDALE: "la_c_sw"}
    for name, child in children.items():
        by = staff[social_worker.get(child.responsible_area_id, "la_d_sw")]
        handovers.notify_care_events([child.pk], by=by, as_of=AS_OF)
        team.add_team_member(
            by=by,
            child=child,
            role="gp",
            details=team.MemberDetails(start=date(2024, 1, 10), organisation="Moor Surgery"),
            as_of=AS_OF,
        )
        if name not in RECORDED_BY:
            continue
        nurse = staff[RECORDED_BY[name]]
        health.book_appointment(
            by=nurse,
            child=child,
            kind="RHA",
            starts_at=timezone.make_aware(datetime(2024, 2, 20, 10)),
            venue="Clinic",
            practitioner=nurse,
            as_of=AS_OF,
        )
        health.record_assessment(
            by=nurse,
            child=child,
            kind="IHA",
            completed_on=date(2024, 1, 25),
            practitioner=nurse,
            professional="medical",
            details={"immunisations": "yes"},
            actions=[
                health.PlannedAction("Dental", "See a dentist", "la", date(2024, 3, 1)),
                health.PlannedAction("Low mood", "Refer to CAMHS", "health", date(2024, 3, 1)),
            ],
            as_of=AS_OF,
        )
        for day in (15, 20):
            health.record_sdq(
                by=nurse,
                child=child,
                completed_on=date(2024, 1, day),
                informant="carer",
                items=[1] * 25,
                as_of=AS_OF,
            )
        summary.add_entry(
            by=nurse,
            child=child,
            kind="condition",
            details=summary.EntryDetails(term="Asthma"),
            as_of=AS_OF,
        )
        # Given as a record, not through `passport.give`: the world's children are under 16.
        given = Passport.objects.create(
            child=child,
            version=1,
            given_on=AS_OF,
            given_by=nurse,
            provider_id=min(access.organisations_for(nurse, access.HEALTH_CHILD_ROLES)),
            sections=["about_me"],
            agreed=True,
            content={"about_me": {"title": "About me", "rows": [["Name", str(child)]]}},
        )
        CorrectionRequest.objects.create(
            child=child, passport=given, section="about_me", what="Misspelt", asked_on=AS_OF
        )
        if name in REFERRED_TO:
            handovers.refer(
                by=nurse,
                action=HealthPlanAction.objects.get(child=child, owner_kind="health"),
                service=orgs[REFERRED_TO[name]],
                kind="emotional_wellbeing",
                reason="Low mood",
                urgency="routine",
                as_of=AS_OF,
            )
    # Calderdale's team takes over the assessments of Bradford's child placed there: a
    # transfer notice that one health team sends another.
    for team_name, nurse_name in [("prov_a", "prov_a_nurse"), ("prov_c", "prov_c_nurse")]:
        ownership.take(
            child=children["child_a_out"],
            team=orgs[team_name],
            by=staff[nurse_name],
            how=TakenHow.TOOK_OVER,
            as_of=AS_OF,
            reason="The child lives in our area now",
        )
    for code, officer in [(BRADFORD, "la_a_data"), (LEEDS, "la_b_data"), (WAKEFIELD, "la_d_data")]:
        ImportAttempt.objects.create(
            area=area(code),
            collection_year=2023,
            uploaded_by=staff[officer],
            status=ImportStatus.IMPORTED,
            message="Imported",
        )


def _quality(children: dict[str, Child], orgs: dict[str, Organisation], staff: dict) -> None:
    """A QA sample of January's assessments for the ICB, one of them scored by its designated
    professional; and one of Wakefield's provider, scored by its own, that nobody else
    reaches."""
    staff["prov_d_designated"] = MembershipFactory(
        user__username="prov_d_designated",
        organisation=orgs["prov_d"],
        role=Role.DESIGNATED_PROFESSIONAL,
    ).user
    for org, reviewer, names in [
        ("icb", "icb_designated", ["child_a", "child_c"]),
        ("prov_d", "prov_d_designated", ["foreign"]),
    ]:
        sample = QaSample.objects.create(
            organisation=orgs[org],
            period_start=date(2024, 1, 1),
            period_end=date(2024, 1, 31),
            areas=sorted(orgs[org].areas.values_list("code", flat=True)),
            seed="0123456789abcdef",
            rules={},
            candidates=len(names),
            drawn_by=staff[reviewer],
        )
        for name in names:
            item = QaSampleItem.objects.create(
                sample=sample,
                organisation=orgs[org],
                assessment=HealthAssessment.objects.get(child=children[name]),
                how="drawn",
            )
        version = tools.current(tools.tool_for(orgs[org]))
        reviews.score(
            by=staff[reviewer],
            item=item,
            version=version,
            answers=[reviews.Answer(c.pk, "met") for c in version.criteria.all()],
            grade="good",
            feedback="Clear and complete",
            as_of=AS_OF,
        )


def _providers(children: dict[str, Child], orgs: dict[str, Organisation], staff: dict) -> None:
    """A children's home in Bradford where child_a, Leeds's child placed in Bradford and
    Wakefield's child live, and one in Wakefield; visits on four areas' timetables; serious
    concerns on Bradford's register (told to Leeds's LA), Calderdale's and Wakefield's."""

    def add(name: str, urn: str, code: str) -> Provider:
        return providers.add_provider(
            by=staff["la_a_data"],
            name=name,
            kind="childrens_home",
            urn=urn,
            area_code=code,
            postcode="",
            opened_on=date(2020, 1, 1),
            as_of=AS_OF,
        )

    home = add("Matrix Home", "SC900001", BRADFORD)
    far = add("Far Home", "SC900002", WAKEFIELD)
    for name in ("child_a", "child_b_in_a", "foreign"):
        Episode.objects.filter(child=children[name]).update(urn=home.urn)
    for who, org, code, provider in [
        ("la_a_data", "la_a", BRADFORD, home),
        ("la_b_data", "la_b", LEEDS, home),
        ("icb_designated", "icb", CALDERDALE, home),
        ("la_d_data", "la_d", WAKEFIELD, far),
    ]:
        providers.schedule_visit(
            by=staff[who],
            provider=provider,
            organisation=orgs[org],
            area_code=code,
            planned_on=date(2024, 1, 20),
            purpose="Quality visit",
            as_of=AS_OF,
        )
    for who, org, code, provider, told in [
        ("la_a_sw", "la_a", BRADFORD, home, ["la_b"]),
        ("prov_c_nurse", "prov_c", CALDERDALE, home, []),
        ("la_d_sw", "la_d", WAKEFIELD, far, []),
    ]:
        providers.raise_concern(
            by=staff[who],
            provider=provider,
            area_code=code,
            raised_by=orgs[org],
            raised_on=date(2024, 1, 20),
            severity="serious",
            summary="Medication errors",
            details="",
            told=[orgs[t] for t in told],
            as_of=AS_OF,
        )


def _young_person(child: Child, nurse: User) -> User:
    """A young person signed in to their own account (their pages are about themselves)."""
    user = UserFactory(username="young_person", email="young.person@example.org")
    YoungPersonAccount.objects.create(
        user=user, child=child, invited_by=nurse, ends_on=date(2040, 6, 1)
    )
    return user


def _held(user: User) -> tuple[Held, ...]:
    found = []
    own = YoungPersonAccount.objects.filter(user=user).first()
    if own is not None:
        found.append(Held(YOUNG_PERSON, 0, frozenset()))
    for membership in Membership.objects.filter(user=user, is_active=True).select_related(
        "organisation"
    ):
        org = membership.organisation
        role = membership.role
        if org.kind == OrganisationKind.SERVICE:
            if role not in access.REFERRAL_ROLES:
                continue
            role = SERVICE_STAFF
        areas = frozenset(org.areas.values_list("code", flat=True))
        found.append(Held(role, org.pk, areas))
    return tuple(found)


def belongs(obj: Model) -> frozenset[str]:
    """The areas an object belongs to: its child's responsible and placement areas, an
    import's or an area's own, an organisation's, a user's organisations'."""
    child = obj if isinstance(obj, Child) else getattr(obj, "child", None)
    if child is not None:
        return frozenset({child.responsible_area_id, child.current_placement_area_id})
    if isinstance(obj, ImportAttempt):
        return frozenset({obj.area_id})
    if isinstance(obj, Area):
        return frozenset({obj.pk})
    if isinstance(obj, Organisation):
        return frozenset(obj.areas.values_list("code", flat=True))
    if isinstance(obj, User):
        held = obj.memberships.exclude(organisation__areas=None)
        return frozenset(held.values_list("organisation__areas", flat=True))
    if isinstance(obj, QaSample | QaSampleItem | QaReview):
        return frozenset(obj.organisation.areas.values_list("code", flat=True))
    if isinstance(obj, Provider | Visit | Concern):
        return frozenset({obj.area_id})
    raise AssertionError(f"the matrix does not know where a {type(obj).__name__} belongs")


def relations(target: Model, user: User, holds: tuple[Held, ...], grant: Reach) -> Objects:
    """How an object stands to a user in the roles of one grant."""
    mine = [h for h in holds if h.role in grant.roles]
    areas = frozenset().union(*(h.areas for h in mine))
    child = target if isinstance(target, Child) else getattr(target, "child", None)
    responsible = placed = None
    if child is not None:
        responsible, placed = child.responsible_area_id, child.current_placement_area_id
    elif isinstance(target, ImportAttempt):
        responsible = target.area_id
    elif isinstance(target, Area):
        responsible = target.pk
    elif isinstance(target, Visit | Concern):
        responsible = target.area_id  # the area whose timetable or register it is on
    found = Objects(0)
    if responsible in areas:
        found |= OWN_AREA
    if placed in areas:
        found |= PLACED_INTO_AREA
    if own_fields(target, holds, grant):
        found |= OWN_ORGANISATION
    if (isinstance(target, User) and target.pk == user.pk) or any(
        getattr(target, f"{n}_id") == user.pk for n in grant.person
    ):
        found |= OWN_USER
    return found


def own_fields(target: Model, holds: tuple[Held, ...], grant: Reach) -> frozenset[str]:
    """The object's `organisation` fields that name an organisation where the user holds one
    of the grant's roles (a notification's sender, its recipient, or both; for a field naming
    many, as the organisations told of a concern, any of them)."""
    mine = {h.organisation for h in holds if h.role in grant.roles}

    def named(field: str) -> set[int]:
        if field == "pk":
            return {target.pk}
        if type(target)._meta.get_field(field).many_to_many:
            return set(getattr(target, field).values_list("pk", flat=True))
        return {getattr(target, f"{field}_id")}

    return frozenset(n for n in grant.organisation if named(n) & mine)


def reaches(grant: Reach, relation: Objects) -> bool:
    """Whether a grant reaches an object that stands so to the user."""
    return bool(grant.objects and (ANY in grant.objects or relation & grant.objects))


def _objects(children: dict[str, Child]) -> dict[type, list[Model]]:
    querysets: dict[type, Any] = {
        Child: Child.objects.filter(pk__in=[c.pk for c in children.values()]),
        Episode: Episode.objects.select_related("child"),
        TeamMember: TeamMember.objects.select_related("child"),
        Appointment: Appointment.objects.select_related("child"),
        HealthAssessment: HealthAssessment.objects.select_related("child"),
        SdqResult: SdqResult.objects.select_related("child"),
        HealthPlanAction: HealthPlanAction.objects.select_related("child"),
        ClinicalEntry: ClinicalEntry.objects.select_related("child"),
        Passport: Passport.objects.select_related("child"),
        CorrectionRequest: CorrectionRequest.objects.select_related("child"),
        Notification: Notification.objects.select_related("child"),
        Referral: Referral.objects.select_related("child"),
        QaSample: QaSample.objects.all(),
        QaSampleItem: QaSampleItem.objects.all(),
        QaReview: QaReview.objects.all(),
        Provider: Provider.objects.all(),
        Visit: Visit.objects.all(),
        Concern: Concern.objects.all(),
        ImportAttempt: ImportAttempt.objects.all(),
        Area: Area.objects.filter(code__in=AREA_NAMES),
        Organisation: Organisation.objects.all(),
        User: User.objects.all(),
    }
    found = {}
    for model, queryset in querysets.items():
        rows = list(queryset.order_by("pk"))
        found[model] = sorted(rows, key=lambda o: WAKEFIELD not in belongs(o))
    return found


def _unseen(
    children: dict[str, Child], users: dict[str, User], held: dict[str, tuple[Held, ...]]
) -> dict[str, tuple[str, ...]]:
    """The last names no page may show each user: those of children whose page (care's
    declaration of `child_detail`) they may not reach, but for the children referred to
    their service (access.py: a service's staff see those)."""
    (page,) = cases_of_pattern(next(p for p in every_pattern() if p.name == "care:child_detail"))
    referred = set(Referral.objects.values_list("service_id", "child_id"))
    unseen: dict[str, tuple[str, ...]] = {"": tuple(c.last_name for c in children.values())}
    for who, holds in held.items():
        services = {h.organisation for h in holds if h.role == SERVICE_STAFF}
        themselves = YoungPersonAccount.objects.filter(user=users[who]).values_list(
            "child_id", flat=True
        )
        unseen[who] = tuple(
            child.last_name
            for child in children.values()
            if child.pk not in themselves
            and not any(
                reaches(g, relations(child, users[who], holds, g))
                for g in page.grants
                if any(h.role in g.roles for h in holds)
            )
            and not any((s, child.pk) in referred for s in services)
        )
    return unseen
