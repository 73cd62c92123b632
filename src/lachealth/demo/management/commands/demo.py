"""`lachealth demo`: build four areas of synthetic organisations, users and children.

Two local authorities with their own NHS LAC health providers (Bradford, Leeds), a third that
receives out-of-area placements (Calderdale), a fourth for scale (Kirklees), and one ICB over
them. The areas' health teams perform differently (Leeds best; Kirklees's initial health
assessments mostly late, an outlier on the measures page). Every name is invented, every NHS
number is in the range set aside for testing (999 000 0000 upwards), and the same --seed
gives the same data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from tqdm import tqdm

from lachealth.care.models import Child, Episode
from lachealth.demo import histories
from lachealth.demo.accounts import (
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    demo_account,
    demo_organisation,
    retire_demo_accounts,
)
from lachealth.demo.handovers import build_handovers, build_referrals, build_services, demo_staff
from lachealth.demo.health_histories import TYPICAL, Timeliness
from lachealth.demo.identities import POSTCODE_LETTERS, demo_nhs_numbers
from lachealth.demo.passports import build_passports
from lachealth.demo.providers import make_providers
from lachealth.demo.quality import build_quality
from lachealth.demo.summaries import build_summaries
from lachealth.demo.teams import build_teams
from lachealth.health.models import FOLLOWED_UP_BY_LA, YoungPersonAccount
from lachealth.insight.services import take_snapshot
from lachealth.interop.export import NO_URN_PLACES
from lachealth.interop.models import ImportAttempt, ReportedOutcome
from lachealth.interop.postcodes import sample_postcodes
from lachealth.people.models import (
    Area,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from lachealth.quality.models import Concern, Provider, QaSample, Visit

DEMO_MARK = " (demo)"


@dataclass(frozen=True)
class DemoArea:
    code: str
    la_name: str
    provider_name: str
    children: int
    username: str
    # How the area's health team performs, so the measures differ as real areas' do.
    timeliness: Timeliness = TYPICAL


AREAS = [
    DemoArea(
        "E08000032", "Bradford Children's Services", "Bradford LAC Health Team", 420, "bradford"
    ),
    DemoArea(
        "E08000035",
        "Leeds Children and Families",
        "Leeds LAC Health Service",
        400,
        "leeds",
        Timeliness(initial=0.86, review=0.84),
    ),
    DemoArea(
        "E08000033",
        "Calderdale Children's Services",
        "Calderdale LAC Health Team",
        160,
        "calderdale",
        Timeliness(initial=0.66, review=0.6),
    ),
    # Kirklees's team is short of doctors: its initial assessments are mostly late, an outlier
    # below the 99.8% limit on the measures page.
    DemoArea(
        "E08000034",
        "Kirklees Children's Services",
        "Kirklees LAC Health Team",
        520,
        "kirklees",
        Timeliness(initial=0.3, review=0.7),
    ),
]
RECEIVING_AREA = "E08000033"
# Elsewhere in England, for the out-of-area placements that go further afield (areas whose
# codes the validator's 2021 LA lookup knows: Wakefield, Manchester, York, Hull, Rotherham).
OTHER_AREAS = ["E08000036", "E08000003", "E06000014", "E06000010", "E08000018"]
#: Calderdale's children come in as its data officer would bring them: the case system's
#: SSDA903 extract, checked and imported through the returns' import.
IMPORTED_AREA = RECEIVING_AREA


class Command(BaseCommand):
    help = "Load synthetic demo data: 4 areas, an ICB, a user per role and ~1,500 children."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply the number of children (1.0 gives about 1,500)",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete earlier demo data and build it again"
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="the 'today' of the histories (default: today)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError(
                "The demo creates accounts with a published password and authenticator secret, "
                "so it runs only with LACHEALTH_DEBUG=1 (never on a production database)."
            )
        exists = Organisation.objects.filter(name__endswith=DEMO_MARK).exists()
        if exists and not options["reset"]:
            self.stdout.write("Demo data is already loaded (use --reset to rebuild it).")
            self.print_logins()
            return
        as_of = options["as_of"] or timezone.localdate()
        with transaction.atomic():
            if exists:
                delete_demo()
            orgs = build_organisations()
            build_users(orgs)
            total = build_children(
                seed=options["seed"], scale=options["scale"], as_of=as_of, progress=self.stderr
            )
            build_health(seed=options["seed"], as_of=as_of, progress=self.stderr)
            codes = [(a.code, a.username) for a in AREAS]
            staff = demo_staff(codes)
            for build in (build_teams, build_summaries, build_passports, build_quality):
                build(
                    seed=options["seed"],
                    as_of=as_of,
                    area_codes=[a.code for a in AREAS],
                    staff=staff,
                )
            build_handovers(
                seed=options["seed"],
                as_of=as_of,
                areas=[a.code for a in AREAS],
                receiving=RECEIVING_AREA,
                staff=staff,
            )
            build_referrals(
                seed=options["seed"],
                as_of=as_of,
                areas=[a.code for a in AREAS],
                staff=staff,
                camhs={a.code: orgs[f"{a.username}.camhs"] for a in AREAS},
            )
            make_providers(as_of=as_of, rng=random.Random(options["seed"] + 37))
        # What the nightly `lachealth refresh-measures` would do: commissioners read its count.
        take_snapshot(as_of=as_of, progress=self.stderr)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {total} children in 4 areas."))
        self.print_logins()

    def print_logins(self) -> None:
        users = User.objects.filter(is_demo=True, is_active=True).prefetch_related(
            "memberships__organisation"
        )
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
        for user in users.order_by("username"):
            roles = "; ".join(str(m) for m in user.memberships.all()) or (
                "a care leaver's own account: their passport, appointments and contacts"
                if YoungPersonAccount.objects.filter(user=user).exists()
                else ""
            )
            self.stdout.write(f"  {user.username:<24} {roles}")
        self.stdout.write(
            "\nSecurity code: every demo account shares one authenticator secret, "
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ (add it to any authenticator app)."
        )
        if settings.DEBUG:
            self.stdout.write("In this demo (DEBUG) the sign-in page also shows the current code.")


def delete_demo() -> None:
    """Remove the demo's children and everything recorded about them. The demo's accounts
    and organisations stay: the access log names them (its rows are never deleted, and a user
    or organisation it names cannot be), so they are retired here and `build_organisations`
    and `build_users` take the same rows up again, and the log still reads true."""
    areas = [a.code for a in AREAS]
    # QA samples hold on to the assessments they sampled, and providers to their visits and
    # concerns: they go first.
    QaSample.objects.filter(organisation__name__endswith=DEMO_MARK).delete()
    demo_providers = Provider.objects.filter(added_by__is_demo=True)
    Visit.objects.filter(provider__in=demo_providers).delete()
    Concern.objects.filter(provider__in=demo_providers).delete()
    demo_providers.delete()
    ReportedOutcome.objects.filter(child__responsible_area__in=areas).delete()
    ImportAttempt.objects.filter(area__in=areas).delete()
    Episode.objects.filter(child__responsible_area__in=areas).delete()
    YoungPersonAccount.objects.filter(child__responsible_area__in=areas).delete()
    Child.objects.filter(responsible_area__in=areas).delete()
    retire_demo_accounts(DEMO_MARK)


def build_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for area in AREAS:
        orgs[f"{area.username}.la"] = demo_organisation(
            area.la_name + DEMO_MARK,
            OrganisationKind.LOCAL_AUTHORITY,
            [area.code],
            team_email=f"{area.username}.lac.social.care@example.org",
        )
        orgs[f"{area.username}.provider"] = demo_organisation(
            area.provider_name + DEMO_MARK,
            OrganisationKind.HEALTH_PROVIDER,
            [area.code],
            team_email=f"{area.username}.lac.health@example.org",
        )
    camhs = build_services([(a.code, a.username) for a in AREAS], DEMO_MARK)
    for area in AREAS:
        orgs[f"{area.username}.camhs"] = camhs[area.code]
    orgs["icb"] = demo_organisation(
        "West Yorkshire ICB" + DEMO_MARK,
        OrganisationKind.ICB,
        [a.code for a in AREAS],
        team_email="wy.safeguarding.children@example.org",
    )
    return orgs


def build_users(orgs: dict[str, Organisation]) -> None:
    people: list[tuple[str, str, str, list[tuple[str, str]]]] = []
    for area in AREAS:
        place = area.username.capitalize()
        people += [
            (
                f"{area.username}.socialworker",
                "Sam",
                f"{place} Social Worker",
                [(f"{area.username}.la", Role.SOCIAL_WORKER)],
            ),
            (
                f"{area.username}.dataofficer",
                "Dani",
                f"{place} Data Officer",
                [(f"{area.username}.la", Role.DATA_OFFICER)],
            ),
            (
                f"{area.username}.nurse",
                "Nia",
                f"{place} Nurse",
                [(f"{area.username}.provider", Role.HEALTH_PRACTITIONER)],
            ),
            (
                f"{area.username}.doctor",
                "Dev",
                f"{place} Paediatrician",
                [(f"{area.username}.provider", Role.HEALTH_PRACTITIONER)],
            ),
            (
                f"{area.username}.healthadmin",
                "Hari",
                f"{place} Health Admin",
                [(f"{area.username}.provider", Role.HEALTH_ADMIN)],
            ),
            (
                f"{area.username}.camhs",
                "Cam",
                f"{place} CAMHS Clinician",
                [(f"{area.username}.camhs", Role.HEALTH_PRACTITIONER)],
            ),
        ]
    people += [
        ("wy.designatednurse", "Dee", "Designated Nurse", [("icb", Role.DESIGNATED_PROFESSIONAL)]),
        ("wy.commissioner", "Cal", "Commissioner", [("icb", Role.COMMISSIONER)]),
        ("sysadmin", "Sys", "Administrator", [("bradford.la", Role.SYSTEM_ADMIN)]),
        # The second administrator who approves a role that reaches children (two-person rule).
        ("sysadmin2", "Sian", "Administrator", [("bradford.la", Role.SYSTEM_ADMIN)]),
    ]
    for username, first, last, roles in people:
        user = demo_account(username, first, last, password=DEMO_PASSWORD)
        for org_key, role in roles:
            Membership.objects.create(user=user, organisation=orgs[org_key], role=role)
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True
        )


def build_children(*, seed: int, scale: float, as_of: date, progress=None) -> int:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    nhs_numbers = demo_nhs_numbers(rng)
    area_objs = {
        a.code: a for a in Area.objects.filter(code__in=[*[x.code for x in AREAS], *OTHER_AREAS])
    }
    postcodes = sample_postcodes(
        area_objs, POSTCODE_LETTERS, per_area=400, rng=random.Random(seed + 2)
    )
    total = sum(round(a.children * scale) for a in AREAS)
    bar = tqdm(
        total=total, desc="Demo children", unit="child", file=progress, disable=progress is None
    )
    created = 0
    for area in AREAS:
        plans = [
            histories.plan_child(rng, as_of=as_of) for _ in range(round(area.children * scale))
        ]
        children = []
        for i, plan in enumerate(plans):
            first = fake.first_name_male() if plan.sex == "M" else fake.first_name_female()
            children.append(
                Child(
                    la_child_id=f"{area.username[:2].upper()}{10000 + i}",
                    first_name=first,
                    last_name=fake.last_name(),
                    date_of_birth=plan.date_of_birth,
                    sex=plan.sex,
                    # The return asks it of every girl. The demo records none as a mother
                    # until the child's date of birth (MC_DOB, rule 611) is recorded too.
                    mother=False if plan.sex == "F" else None,
                    ethnicity=_ethnicity(rng, area.code),
                    nhs_number=next(nhs_numbers) if rng.random() < 0.9 else "",
                    upn=f"{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{rng.randrange(10**10, 10**11)}"
                    f"{rng.choice('0123456789ABCDEFGHJKLMNPQRTUVWXYZ')}"
                    if rng.random() < 0.97
                    else "UN5",  # the sources disagree
                    responsible_area_id=area.code,
                )
            )
        imported = area.code == IMPORTED_AREA
        if not imported:
            children = bulk_create_with_history(
                children, Child, batch_size=500, default_change_reason="demo data"
            )
        histories_of: list[list[Episode]] = []
        for child, plan in zip(children, plans, strict=True):
            home = rng.choice(postcodes[area.code])
            previous: Episode | None = None
            histories_of.append([])
            for e in plan.episodes:
                if e.rne == "L" and previous is not None:
                    # A change of legal status only: the child stays exactly where they are.
                    previous = Episode(
                        child_id=child.pk,
                        decom=e.decom,
                        rne=e.rne,
                        ls=e.ls,
                        cin=e.cin,
                        place=previous.place,
                        place_provider=previous.place_provider,
                        dec=e.dec,
                        rec=e.rec,
                        reason_place_change=e.reason_place_change,
                        home_post=home,
                        pl_post=previous.pl_post,
                        placement_area=previous.placement_area,
                        urn=previous.urn,
                    )
                    histories_of[-1].append(previous)
                    continue
                # Supported accommodation (K3) is the LA's own: rule 241 wants its provider to
                # have premises in the LA.
                away = e.out_of_area and e.place != "K3"
                where = (
                    rng.choice([RECEIVING_AREA] * 3 + OTHER_AREAS)
                    if away and area.code != RECEIVING_AREA
                    else rng.choice(OTHER_AREAS)
                    if away
                    else area.code
                )
                previous = Episode(
                    child_id=child.pk,
                    decom=e.decom,
                    rne=e.rne,
                    ls=e.ls,
                    cin=e.cin,
                    place=e.place,
                    place_provider=e.place_provider,
                    dec=e.dec,
                    rec=e.rec,
                    reason_place_change=e.reason_place_change,
                    home_post=home,
                    pl_post=home if e.place == "P1" else _elsewhere(rng, postcodes[where], home),
                    placement_area=area_objs[where],
                    urn=demo_urn(e.place, e.place_provider, where, rng),
                )
                histories_of[-1].append(previous)
            last = plan.episodes[-1]
            child.looked_after = last.dec is None
            child.current_placement_area_id = (
                histories_of[-1][-1].placement_area_id if last.dec is None else None
            )
        if imported:
            import_area(area, children, histories_of, as_of)
        else:
            bulk_create_with_history(
                [e for history in histories_of for e in history],
                Episode,
                batch_size=1000,
                default_change_reason="demo data",
            )
            Child.objects.bulk_update(
                children, ["looked_after", "current_placement_area"], batch_size=500
            )
        created += len(children)
        bar.update(len(children))
    bar.close()
    return created


def import_area(
    area: DemoArea, children: list[Child], histories_of: list[list[Episode]], as_of: date
) -> None:
    """Load one area through the SSDA903 import, as its data officer: the case system's
    extract of every child's ten years of care (with the NHS number beside the Header, which
    the import cross-checks), checked, its warnings accepted, and imported. Names and GP
    practices, which the return does not carry, are added afterwards, as the LA would."""
    from lachealth.demo import returns
    from lachealth.interop import imports
    from lachealth.interop.export import (
        EPISODES,
        HEADER,
        MISSING,
        REVIEWS,
        csv_file,
        episode_row,
        header_row,
    )
    from lachealth.interop.files import NHS_NUMBER_COLUMN
    from lachealth.interop.forms import collection_years

    officer = User.objects.get(username=f"{area.username}.dataofficer")
    year = collection_years(as_of)[0][0]
    header = [[*header_row(c.la_child_id, c, year), c.nhs_number] for c in children]
    episodes = [
        episode_row(c.la_child_id, e, as_of)
        for c, history in zip(children, histories_of, strict=True)
        for e in history
    ]
    rng = random.Random(f"events {area.code}")
    missing, reviews = [], []
    for c, history in zip(children, histories_of, strict=True):
        gone, held = returns.care_events(rng, c.la_child_id, c.date_of_birth, history, year)
        missing += gone
        reviews += held
    files = [
        ("Header.csv", csv_file([*HEADER, NHS_NUMBER_COLUMN], header)),
        ("Episodes.csv", csv_file(EPISODES, episodes)),
        ("Missing.csv", csv_file(MISSING, missing)),
        ("Reviews.csv", csv_file(REVIEWS, reviews)),
    ]
    checked = imports.check_return(
        by=officer,
        area=Area.objects.get(code=area.code),
        collection_year=year,
        uploads=files,
        source="command",
    )
    if checked.plan is None:
        raise CommandError(
            f"The demo's SSDA903 extract for {area.la_name} was refused: "
            + "; ".join(p["message"] for p in checked.attempt.blocking[:3])
        )
    imports.apply_import(
        checked.attempt, by=officer, accept_warnings=True, plan=checked.plan, as_of=as_of
    )
    stored = {c.la_child_id: c for c in Child.objects.filter(responsible_area_id=area.code)}
    named = []
    for child in children:
        record = stored[child.la_child_id]
        record.first_name, record.last_name = child.first_name, child.last_name
        named.append(record)
    bulk_update_with_history(
        named,
        Child,
        ["first_name", "last_name"],
        batch_size=500,
        default_user=officer,
        default_change_reason="names, which the return does not carry",
    )


ETHNICITY_WEIGHTS = {
    "WBRI": 62,
    "WOTH": 4,
    "WROM": 1,
    "MWBC": 5,
    "MWAS": 3,
    "MOTH": 4,
    "APKN": 9,
    "AIND": 1,
    "ABAN": 1,
    "AOTH": 2,
    "BAFR": 2,
    "BCRB": 1,
    "BOTH": 1,
    "OOTH": 2,
    "NOBT": 2,
}


def _ethnicity(rng: random.Random, area: str) -> str:
    weights = dict(ETHNICITY_WEIGHTS)
    if area == "E08000032":  # Bradford's children are more often of Pakistani heritage
        weights["APKN"] = 22
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def build_health(*, seed: int, as_of: date, progress=None) -> int:  # type: ignore[no-untyped-def]
    """Assessment, SDQ and health plan histories for every demo child's periods of care."""
    from lachealth.care.episodes import periods_of_care
    from lachealth.demo.health_histories import plan_health
    from lachealth.health.clocks import working_days_between
    from lachealth.health.growth import bmi_centile
    from lachealth.health.models import (
        Appointment,
        AssessmentTeam,
        HealthAssessment,
        HealthPlanAction,
        Outcome,
        SdqResult,
        TakenHow,
    )
    from lachealth.health.sdq import score_sdq
    from lachealth.health.selectors import clock_rows, served_children

    rng = random.Random(seed + 1)
    areas = [a.code for a in AREAS]
    la = {
        o.areas.get().code: o
        for o in Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, name__endswith=DEMO_MARK
        )
    }
    providers = {
        o.areas.get().code: o
        for o in Organisation.objects.filter(
            kind=OrganisationKind.HEALTH_PROVIDER, name__endswith=DEMO_MARK
        )
    }
    staff = {u.username: u for u in User.objects.filter(is_demo=True)}
    children = list(
        Child.objects.filter(responsible_area__in=areas).prefetch_related("episodes").order_by("pk")
    )
    assessments, actions, sdqs = [], [], []
    bar = tqdm(
        total=len(children),
        desc="Demo health histories",
        unit="child",
        file=progress,
        disable=progress is None,
    )
    teams = []
    for child in children:
        area = next(a for a in AREAS if a.code == child.responsible_area_id)
        for period in periods_of_care([e.facts() for e in child.episodes.all()]):
            if period.episodes[-1].ls in ("V3", "V4"):
                continue
            if period.end is None and period.start < as_of - timedelta(days=30):
                # the child's own area's team accepted the health request long ago; the
                # hand-offs of the last weeks (demo/handovers.py) take them on by the rules
                teams.append(
                    AssessmentTeam(
                        child=child,
                        team=providers[area.code],
                        since=period.start,
                        how=TakenHow.HEALTH_REQUEST,
                    )
                )
            plan = plan_health(
                rng,
                date_of_birth=child.date_of_birth,
                start=period.start,
                end=period.end,
                as_of=as_of,
                timeliness=area.timeliness,
            )
            for p in plan.assessments:
                iha = p.kind == "IHA"
                height = weight = bmi = centile = None
                if child.sex in ("M", "F") and rng.random() < 0.9:
                    years = max((p.completed_on - child.date_of_birth).days / 365.25, 0.2)
                    height = round(min(50 + 6.2 * years + rng.gauss(0, 4), 185), 1)
                    bmi_value = rng.gauss(15.6 + 0.4 * max(years - 6, 0), 1.8)
                    weight = round(bmi_value * (height / 100) ** 2, 2)
                    bmi = round(bmi_value, 1)
                a = HealthAssessment(
                    child=child,
                    kind=p.kind,
                    completed_on=p.completed_on,
                    provider=providers[area.code],
                    practitioner=staff[f"{area.username}.{'doctor' if iha else 'nurse'}"],
                    professional="medical" if iha else "nurse",
                    due_on=p.due_on,
                    working_days_late=max(working_days_between(p.due_on, p.completed_on), 0),
                    height_cm=height,
                    weight_kg=weight,
                    bmi=bmi,
                    bmi_centile=centile,
                    immunisations=p.immunisations,
                    immunisations_checked_on=p.completed_on,
                    dental_check_on=p.dental_check_on,
                    development_check=True
                    if (p.completed_on - child.date_of_birth).days < 5 * 365
                    else None,
                    sdq_considered=p.sdq_considered,
                    substance_misuse=p.substance_misuse,
                    intervention_received=p.intervention_received,
                    intervention_offered=p.intervention_offered,
                    consent_recorded=True,
                    voice_of_child="",
                    health_needs="; ".join(n for n, *_ in p.actions),
                )
                assessments.append(a)
                for need, text, owner, due, finished in p.actions:
                    actions.append(
                        (
                            a,
                            HealthPlanAction(
                                child=child,
                                need=need,
                                action=text,
                                owner_kind=owner,
                                owner_name="Speech and language therapy"
                                if owner == "service"
                                else "",
                                owner=la[area.code]
                                if owner in FOLLOWED_UP_BY_LA
                                else providers[area.code],
                                due_on=due,
                                status="done" if finished else "open",
                                done_on=due - timedelta(days=rng.randint(0, 20))
                                if finished
                                else None,
                                done_note="Completed as planned" if finished else "",
                            ),
                        )
                    )
            for s in plan.sdqs:
                score = score_sdq(s.items)
                sdqs.append(
                    SdqResult(
                        child=child,
                        completed_on=s.completed_on,
                        informant="carer",
                        items=s.items,
                        emotional=score.emotional,
                        conduct=score.conduct,
                        hyperactivity=score.hyperactivity,
                        peer=score.peer,
                        prosocial=score.prosocial,
                        total_difficulties=score.total_difficulties,
                        band=score.band or "",
                        recorded_by=staff[f"{area.username}.healthadmin"],
                    )
                )
        bar.update(1)
    bar.close()
    # The latest assessment of each child gets its BMI centile (the reference is slow-ish).
    latest: dict[int, HealthAssessment] = {}
    for a in assessments:
        if a.bmi is not None and (
            a.child_id not in latest or a.completed_on > latest[a.child_id].completed_on
        ):
            latest[a.child_id] = a
    for a in latest.values():
        found = bmi_centile(a.child.date_of_birth, a.completed_on, a.child.sex, float(a.bmi or 0))
        a.bmi_centile = round(found, 1) if found is not None else None
    bulk_create_with_history(
        assessments, HealthAssessment, batch_size=1000, default_change_reason="demo data"
    )
    for assessment, action in actions:
        action.assessment = assessment
    bulk_create_with_history(
        [a for _, a in actions],
        HealthPlanAction,
        batch_size=1000,
        default_change_reason="demo data",
    )
    bulk_create_with_history(sdqs, SdqResult, batch_size=1000, default_change_reason="demo data")
    # Book some of what is due soon, and record a few missed appointments for overdue IHAs.
    appointments = []
    for area in AREAS:
        codes = frozenset({area.code})
        for row in clock_rows(
            served_children(codes).filter(responsible_area=area.code), codes, as_of=as_of, weeks=3
        ):
            if row.clock.code not in ("IHA", "RHA"):
                continue
            overdue = row.clock.status.state == "overdue"
            if overdue and row.clock.code == "IHA" and rng.random() < 0.5:
                outcome = rng.choice([Outcome.WAS_NOT_BROUGHT, Outcome.DECLINED])
                reason = (
                    "Carer forgot the appointment"
                    if outcome == Outcome.WAS_NOT_BROUGHT
                    else "Young person did not want to be examined"
                )
                when = as_of - timedelta(days=rng.randint(2, 10))
                appointments.append(
                    _appointment(
                        row.child,
                        row.clock.code,
                        providers[area.code],
                        staff,
                        area,
                        when,
                        rng,
                        outcome,
                        reason,
                    )
                )
            if rng.random() < 0.45:
                when = as_of + timedelta(days=rng.randint(1, 15))
                appointments.append(
                    _appointment(
                        row.child, row.clock.code, providers[area.code], staff, area, when, rng
                    )
                )
    bulk_create_with_history(
        appointments, Appointment, batch_size=1000, default_change_reason="demo data"
    )
    bulk_create_with_history(
        teams, AssessmentTeam, batch_size=1000, default_change_reason="demo data"
    )
    return len(assessments)


def _appointment(child, kind, provider, staff, area, day, rng, outcome="", reason=""):  # type: ignore[no-untyped-def]
    from lachealth.health.models import Appointment

    hour = rng.choice([9, 10, 11, 13, 14, 15])
    return Appointment(
        child_id=child.pk,
        kind=kind,
        provider=provider,
        starts_at=timezone.make_aware(datetime.combine(day, time(hour, rng.choice([0, 30])))),
        venue=rng.choice(["Child health clinic", "Carer's home", "Children's centre"]),
        practitioner=staff[f"{area.username}.{'doctor' if kind == 'IHA' else 'nurse'}"],
        booked_by=staff[f"{area.username}.healthadmin"],
        # Booked two to six weeks ahead (a booking in the next fortnight was made before today),
        # the spread taken from the child and the day so the demo's other draws stay as they were.
        booked_on=day - timedelta(days=16 + (child.pk * 7 + day.toordinal()) % 27),
        outcome=outcome,
        outcome_reason=reason,
        outcome_recorded_on=day if outcome else None,
    )


def _elsewhere(rng: random.Random, postcodes: list[str], home: str) -> str:
    """A placement postcode that is not the home's (rule 392d: only P1 is at home)."""
    return rng.choice([p for p in postcodes if p != home])


def demo_urn(place: str, provider: str, area_code: str, rng: random.Random) -> str:
    """An Ofsted URN-shaped reference for a placement the return expects one for: the
    LA's own fostering or adoption service, or one of a few agencies and homes per area."""
    if place in NO_URN_PLACES:
        return ""
    seed = int(area_code[3:]) % 1000
    if provider == "PR1":
        return f"SC{400000 + seed:06d}"  # the LA's own fostering/adoption service
    return f"SC{500000 + seed * 10 + rng.randrange(10):06d}"
