"""Every measure the database counts equals an independent count in plain Python over the same
small world of children, for a year to 31 March, a rolling year and several breakdowns. The
OC2 cohort of the reference is the DfE validator's own rule, run on the episodes as the
SSDA903 export writes them."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from lachealth.care.models import Child, Episode
from lachealth.handovers.models import Notification
from lachealth.health.clocks import (
    add_months,
    age_in_years,
    birthday,
    initial_health_assessment_due,
    working_days_between,
)
from lachealth.health.models import (
    Appointment,
    Feedback,
    HealthAssessment,
    Passport,
    SdqResult,
)
from lachealth.insight import measures
from lachealth.insight.measures import BY_KEY, MEASURES, Breakdown, Tally, count
from lachealth.insight.periods import (
    AGE_BANDS,
    ETHNICITY_GROUPS,
    PLACEMENT_GROUPS,
    Period,
    rolling_year,
    year_to_march,
)
from lachealth.interop import validator
from lachealth.interop.export import EPISODES, csv_file, episode_row
from lachealth.people.models import OrganisationKind
from lachealth.quality.models import QaSettings

from ..factories import ChildFactory, OrganisationFactory, UserFactory, area, ensure_areas

pytestmark = pytest.mark.django_db

AREAS = ("E08000032", "E08000035", "E08000033")
OTHER = "E08000034"


def _random_world(seed: int, children: int = 120) -> None:
    """Children with a few episodes each (moves, legal-status changes, leaving and coming back,
    short breaks), assessments on time and late, SDQs and out-of-area notices."""
    rng = random.Random(seed)
    ensure_areas()
    provider = OrganisationFactory(kind=OrganisationKind.HEALTH_PROVIDER, areas=[area(AREAS[0])])
    nurse = UserFactory()
    for n in range(children):
        home = area(rng.choice(AREAS))
        child = ChildFactory(
            la_child_id=f"R{n:04d}",
            responsible_area=home,
            date_of_birth=date(2021, 1, 1) + timedelta(days=rng.randrange(4 * 365))
            if rng.random() < 0.3
            else date(2005, 1, 1) + timedelta(days=rng.randrange(17 * 365)),
            sex=rng.choice("MFU"),
            ethnicity=rng.choice(["WBRI", "MWBC", "AIND", "BAFR", "CHNE", "NOBT"]),
        )
        day = max(child.date_of_birth, date(2022, 1, 1)) + timedelta(days=rng.randrange(1400))
        rne = "S"
        for _ in range(rng.randint(1, 5)):
            if day >= date(2026, 11, 1):
                break
            length = rng.randrange(20, 500)
            ends = day + timedelta(days=length)
            closed = ends < date(2026, 11, 1) and rng.random() < 0.8
            leaves = closed and rng.random() < 0.3
            placed = home if rng.random() < 0.7 else area(rng.choice([*AREAS, OTHER]))
            Episode.objects.create(
                child=child,
                decom=day,
                rne=rne,
                ls=rng.choice(["C2", "C2", "C1", "V2", "E1", "V3"]),
                cin="N1",
                place=rng.choice(["U4", "U6", "K2", "P1", "A4", "K3", "T1", "R1"]),
                placement_area=placed,
                dec=ends if closed else None,
                rec=("E11" if leaves else "X1") if closed else "",
            )
            if not closed:
                break
            day = ends + timedelta(days=rng.randrange(30, 200)) if leaves else ends
            rne = "S" if leaves else rng.choice("PTLUB")
        last = child.episodes.order_by("decom").last()
        if last is None:
            child.delete()
            continue
        child.looked_after = last.dec is None
        child.current_placement_area = last.placement_area if last.dec is None else None
        child.save()
        taken: set[date] = set()
        for _ in range(rng.randint(1, 5)):
            done = date(2023, 1, 1) + timedelta(days=rng.randrange(1400))
            if done in taken or done < child.date_of_birth:
                continue
            taken.add(done)
            due = done + timedelta(days=rng.choice([0, 0, 3, 10, -1, -2, -12, -30]))
            HealthAssessment.objects.create(
                child=child,
                kind=rng.choice(["IHA", "RHA", "RHA"]),
                completed_on=done,
                provider=provider,
                practitioner=nurse,
                professional="nurse",
                due_on=due,
                working_days_late=max(working_days_between(due, done), 0),
                immunisations=rng.choice(["yes", "yes", "no", "unknown"]),
                dental_check_on=done - timedelta(days=rng.randrange(0, 300))
                if rng.random() < 0.7
                else None,
                development_check=rng.choice([True, True, False, None]),
                substance_misuse=rng.random() < 0.2,
            )
        for _ in range(rng.randint(1, 4)):
            done = date(2024, 1, 1) + timedelta(days=rng.randrange(1000))
            if done < child.date_of_birth:
                continue
            SdqResult.objects.get_or_create(
                child=child,
                completed_on=done,
                informant=rng.choice(["carer", "carer", "carer", "teacher"]),
                defaults={
                    "items": [],
                    "total_difficulties": None if rng.random() < 0.15 else rng.randrange(41),
                    "recorded_by": nurse,
                },
            )
        for episode in child.episodes.exclude(placement_area=home):
            sent = episode.decom + timedelta(days=rng.randrange(0, 4))
            due = sent + timedelta(days=7)
            outcome = rng.choice(["on_time", "late", "open", "rejected"])
            Notification.objects.create(
                kind="out_of_area",
                child=child,
                episode=episode,
                episode_start=episode.decom,
                event_date=episode.decom,
                recipient_kind=rng.choice(["provider", "provider", "icb"]),
                recipient_area=episode.placement_area,
                status={"on_time": "acknowledged", "late": "acknowledged", "open": "sent"}.get(
                    outcome, "rejected"
                ),
                send_by=sent,
                sent_on=sent,
                acknowledge_by=due,
                acknowledged_on={"on_time": due, "late": due + timedelta(days=3)}.get(outcome),
            )
    _young_people_leaving(rng, provider, nurse)
    _rha_bookings(random.Random(seed + 1), provider, nurse)


def _rha_bookings(rng: random.Random, provider, nurse) -> None:  # type: ignore[no-untyped-def]
    """Review assessments booked for the children, some on the day of an SDQ, some exactly
    the area's window after one and some a day more, some on a 4th or the eve of a 17th
    birthday; one area allows SDQs of only the last 2 months."""
    QaSettings.objects.create(area=area(AREAS[0]), sdq_window_months=2)
    for child in Child.objects.filter(la_child_id__startswith="R").order_by("pk"):
        sdqs = list(child.sdqs.values_list("completed_on", flat=True))
        window = 2 if child.responsible_area_id == AREAS[0] else 3
        days = [date(2024, 1, 1) + timedelta(days=rng.randrange(1000)) for _ in range(2)]
        if sdqs:
            sdq = rng.choice(sdqs)
            days += [sdq, add_months(sdq, window), add_months(sdq, window) + timedelta(days=1)]
        days += [birthday(child.date_of_birth, 4), birthday(child.date_of_birth, 17) - timedelta(1)]
        for day in days:
            if rng.random() < 0.5 or not date(2023, 6, 1) <= day <= date(2026, 10, 31):
                continue
            Appointment.objects.create(
                child=child,
                kind=rng.choice(["RHA", "RHA", "IHA"]),
                provider=provider,
                starts_at=timezone.make_aware(datetime.combine(day + timedelta(30), time(10))),
                venue="Clinic",
                practitioner=nurse,
                booked_by=nurse,
                booked_on=day,
                outcome=rng.choice(["", "", "attended", "rescheduled", "cancelled"]),
            )


def _young_people_leaving(rng: random.Random, provider, nurse) -> None:  # type: ignore[no-untyped-def]
    """Young people who leave care around 16 to 18 (some just before 16, some on a 29
    February birthday), with and without a passport by the day they leave, given on time or
    late, and a second version now and then."""
    born_on = [date(2008, 2, 29), date(2009, 4, 1), date(2009, 4, 2)]
    for n in range(40):
        born = (
            born_on[n]
            if n < len(born_on)
            else date(2007, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        )
        child = ChildFactory(
            la_child_id=f"Y{n:04d}",
            responsible_area=area(rng.choice(AREAS)),
            date_of_birth=born,
            looked_after=False,
            current_placement_area=None,
        )
        left = (
            birthday(born, 16) - timedelta(days=1)
            if n == 2
            else date(2024, 6, 1) + timedelta(days=rng.randrange(900))
        )
        Episode.objects.create(
            child=child,
            decom=date(2022, 9, 1),
            rne="S",
            ls=rng.choice(["C2", "C2", "V3"]),
            cin="N1",
            place="U4",
            placement_area=child.responsible_area,
            dec=left,
            rec=rng.choice(["E11", "E12", "E13"]),
        )
        for _ in range(rng.randint(0, 2)):
            Feedback.objects.create(
                child=child,
                listened=rng.choice(["yes", "yes", "partly", "no"]),
                understood=rng.choice(["yes", "partly", "no"]),
                given_on=date(2024, 6, 1) + timedelta(days=rng.randrange(900)),
            )
        if rng.random() < 0.25:
            continue
        given = left + timedelta(days=rng.choice([-200, -30, -1, 0, 1, 40]))
        due = given + timedelta(days=rng.choice([-20, -1, 0, 0, 15]))
        for version in (1, 2) if rng.random() < 0.2 else (1,):
            Passport.objects.create(
                child=child,
                version=version,
                given_on=given + timedelta(days=90 * (version - 1)),
                due_on=due,
                given_by=nurse,
                provider=provider,
                sections=["about_me"],
                agreed=True,
                content={},
            )


# --- the reference: plain Python over the same rows ------------------------------------------


@dataclass
class World:
    children: list[Child]
    episodes: dict[int, list[Episode]]
    assessments: dict[int, list[HealthAssessment]]
    sdqs: dict[int, list[SdqResult]]
    notices: list[Notification]
    passports: dict[int, list[Passport]]
    feedback: list[Feedback]
    bookings: list[Appointment]
    windows: dict[str, int]


def _load() -> World:
    episodes: dict[int, list[Episode]] = defaultdict(list)
    for e in Episode.objects.order_by("decom"):
        episodes[e.child_id].append(e)
    assessments: dict[int, list[HealthAssessment]] = defaultdict(list)
    for a in HealthAssessment.objects.all():
        assessments[a.child_id].append(a)
    sdqs: dict[int, list[SdqResult]] = defaultdict(list)
    for s in SdqResult.objects.all():
        sdqs[s.child_id].append(s)
    passports: dict[int, list[Passport]] = defaultdict(list)
    for p in Passport.objects.all():
        passports[p.child_id].append(p)
    return World(
        list(Child.objects.all()),
        episodes,
        assessments,
        sdqs,
        list(Notification.objects.select_related("child")),
        passports,
        list(Feedback.objects.select_related("child")),
        list(Appointment.objects.select_related("child")),
        dict(QaSettings.objects.values_list("area_id", "sdq_window_months")),
    )


def _oc2_cohort(world: World, period: Period) -> set[int]:
    """The validator's rule on each LA's episodes for the period, as the export writes them."""
    cohort = set()
    for code in AREAS:
        rows = []
        ids = {}
        for child in world.children:
            if child.responsible_area_id != code:
                continue
            ids[child.la_child_id] = child.pk
            for e in world.episodes[child.pk]:
                if e.decom <= period.end and (e.dec is None or e.dec >= period.start):
                    rows.append(episode_row(child.la_child_id, e, period.end))
        if rows:
            found = validator.continuously_looked_after_between(
                csv_file(EPISODES, rows), period.start, period.end
            )
            cohort |= {ids[c] for c in found}
    return cohort


def _in(d: date | None, period: Period) -> bool:
    return d is not None and period.start <= d <= period.end


def _latest_episode(world: World, child: Child, on: date) -> Episode | None:
    started = [e for e in world.episodes[child.pk] if e.decom <= on]
    return started[-1] if started else None


def _in_breakdown(world: World, child: Child, period: Period, b: Breakdown) -> bool:
    if b.age_band:
        band = next(x for x in AGE_BANDS if x.key == b.age_band)
        age = (
            age_in_years(child.date_of_birth, period.end)
            if child.date_of_birth <= period.end
            else -1
        )
        if age < band.lowest or (band.highest is not None and age > band.highest):
            return False
    if b.sex and child.sex != b.sex:
        return False
    if b.ethnicity and child.ethnicity not in ETHNICITY_GROUPS[b.ethnicity][1]:
        return False
    latest = _latest_episode(world, child, period.end)
    if b.placement and (latest is None or latest.place not in PLACEMENT_GROUPS[b.placement][1]):
        return False
    if b.location:
        if latest is None:
            return False
        inside = latest.placement_area_id == child.responsible_area_id
        if inside != (b.location == "in"):
            return False
    return True


Row = tuple[str, bool | None, float | None]  # area, counted (None: not eligible), value


def _child_rows(world: World, period: Period) -> dict[str, list[tuple[Child, Row]]]:
    """For each measure, each counted child's (area, in numerator, value)."""
    oc2 = _oc2_cohort(world, period)
    out: dict[str, list[tuple[Child, Row]]] = defaultdict(list)
    for child in world.children:
        code = child.responsible_area_id
        done = sorted(
            (a for a in world.assessments[child.pk] if _in(a.completed_on, period)),
            key=lambda a: a.completed_on,
        )
        carer = sorted(
            (
                s
                for s in world.sdqs[child.pk]
                if s.informant == "carer"
                and _in(s.completed_on, period)
                and s.total_difficulties is not None
            ),
            key=lambda s: s.completed_on,
        )
        score = carer[-1].total_difficulties if carer else None
        if child.pk in oc2:
            under_five = period.end < birthday(child.date_of_birth, 5)
            sdq_age = (
                birthday(child.date_of_birth, 4) <= period.start
                and birthday(child.date_of_birth, 17) > period.end
            )
            facts: dict[str, Row] = {
                "health_assessment": (code, bool(done), None),
                "immunisations": (code, bool(done) and done[-1].immunisations == "yes", None),
                "dental_check": (
                    code,
                    any(_in(a.dental_check_on, period) for a in world.assessments[child.pk]),
                    None,
                ),
                "development": (
                    code,
                    any(a.development_check for a in done) if under_five else None,
                    None,
                ),
                "sdq_received": (code, score is not None if sdq_age else None, None),
                "sdq_mean": (code, True if sdq_age and score is not None else None, score),
                "sdq_concern": (
                    code,
                    score >= 17 if sdq_age and score is not None else None,
                    None,
                ),
                "substance_misuse": (code, any(a.substance_misuse for a in done), None),
            }
            for key, row in facts.items():
                out[key].append((child, row))
        open_at_end = [
            e
            for e in world.episodes[child.pk]
            if e.decom <= period.end and (e.dec is None or e.dec > period.end)
        ]
        if open_at_end and open_at_end[-1].ls not in ("V3", "V4"):
            placements = sum(
                1
                for e in world.episodes[child.pk]
                if _in(e.decom, period) and e.rne in measures.NEW_PLACEMENT
            ) + any(
                e.decom < period.start and (e.dec is None or e.dec >= period.start)
                for e in world.episodes[child.pk]
            )
            outside = open_at_end[-1].placement_area_id != code
            out["three_placements"].append((child, (code, placements >= 3, None)))
            out["placed_out_of_area"].append((child, (code, outside, None)))
        for e in world.episodes[child.pk]:
            due = initial_health_assessment_due(e.decom)
            if e.rne == "S" and e.ls not in ("V3", "V4") and _in(due, period):
                on_time = any(
                    a.kind == "IHA" and e.decom <= a.completed_on <= a.due_on
                    for a in world.assessments[child.pk]
                )
                out["iha_on_time"].append((child, (code, on_time, None)))
        for e in world.episodes[child.pk]:
            if (
                _in(e.dec, period)
                and e.rec != "X1"
                and e.ls not in ("V3", "V4")
                and e.dec >= birthday(child.date_of_birth, 16)
            ):
                had = any(p.given_on <= e.dec for p in world.passports[child.pk])
                out["passport_by_leaving"].append((child, (code, had, None)))
        for p in world.passports[child.pk]:
            if p.version == 1 and _in(p.due_on, period):
                out["passport_on_time"].append((child, (code, p.given_on <= p.due_on, None)))
        for a in world.assessments[child.pk]:
            if a.kind == "RHA" and _in(a.due_on, period):
                out["rha_on_time"].append((child, (code, a.completed_on <= a.due_on, None)))
    for b in world.bookings:
        born, day = b.child.date_of_birth, b.booked_on
        request = b.kind == "RHA" and b.outcome not in ("rescheduled", "cancelled")
        if request and _in(day, period) and birthday(born, 4) <= day < birthday(born, 17):
            code = b.child.responsible_area_id
            since = add_months(day, -world.windows.get(code, 3))
            recent = any(since <= s.completed_on <= day for s in world.sdqs[b.child_id])
            out["rha_request_sdq"].append((b.child, (code, recent, None)))
    for f in world.feedback:
        if _in(f.given_on, period):
            code = f.child.responsible_area_id
            out["felt_listened_to"].append((f.child, (code, f.listened == "yes", None)))
            out["understood_next"].append((f.child, (code, f.understood == "yes", None)))
    for n in world.notices:
        if (
            n.kind == "out_of_area"
            and n.recipient_kind == "provider"
            and n.sent_on is not None
            and _in(n.acknowledge_by, period)
            and n.status != "rejected"
        ):
            on_time = n.acknowledged_on is not None and n.acknowledged_on <= n.acknowledge_by
            out["ooa_acknowledged"].append((n.child, (n.recipient_area_id, on_time, None)))
    return out


def _reference(world: World, period: Period, b: Breakdown) -> dict[str, dict[str, Tally]]:
    result: dict[str, dict[str, Tally]] = {m.key: {} for m in MEASURES}
    for key, rows in _child_rows(world, period).items():
        for child, (code, counted, value) in rows:
            if counted is None or not _in_breakdown(world, child, period, b):
                continue
            if BY_KEY[key].kind == "mean":
                assert value is not None
                tally = Tally(1, 1, value, value * value)
            else:
                tally = Tally(int(counted), 1)
            result[key][code] = result[key].get(code, measures.EMPTY) + tally
    return result


PERIODS: list[Callable[[], Period]] = [
    lambda: year_to_march(2026),
    lambda: year_to_march(2025),
    lambda: rolling_year(date(2026, 11, 23)),
]
BREAKDOWNS = [
    Breakdown(),
    Breakdown(age_band="10-15"),
    Breakdown(age_band="1-4", sex="F"),
    Breakdown(ethnicity="white"),
    Breakdown(placement="foster"),
    Breakdown(location="out"),
    Breakdown(location="in", placement="residential"),
]


@pytest.fixture(scope="module")
def random_world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One world for the module, built once and removed after."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            _random_world(seed=7)
            world = _load()
            yield world
            transaction.set_rollback(True)


@pytest.mark.parametrize("period_of", PERIODS, ids=["2025-26", "2024-25", "rolling"])
@pytest.mark.parametrize("breakdown", BREAKDOWNS, ids=lambda b: repr(b)[9:] or "all")
def test_every_measure_counted_by_the_database_matches_plain_python(
    random_world, period_of, breakdown
):  # type: ignore[no-untyped-def]
    period = period_of()
    expected = _reference(random_world, period, breakdown)
    counted = count(MEASURES, period, breakdown=breakdown)
    for m in MEASURES:
        got = {
            a: (t.numerator, t.denominator, round(t.total, 6)) for a, t in counted[m.key].items()
        }
        want = {
            a: (t.numerator, t.denominator, round(t.total, 6)) for a, t in expected[m.key].items()
        }
        assert got == want, m.key


def test_the_world_exercises_every_measure(random_world):  # type: ignore[no-untyped-def]
    """The comparison above means something only if every measure counts someone."""
    counted = count(MEASURES, year_to_march(2026))
    for m in MEASURES:
        tallies = counted[m.key].values()
        assert sum(t.denominator for t in tallies) >= 5, m.key
        assert 0 < sum(t.numerator for t in tallies) <= sum(t.denominator for t in tallies), m.key


def test_areas_and_rows_narrow_the_count(random_world):  # type: ignore[no-untyped-def]
    period = year_to_march(2026)
    everyone = count(MEASURES, period)
    one = count(MEASURES, period, areas=[AREAS[0]])
    assert one["health_assessment"] == {AREAS[0]: everyone["health_assessment"][AREAS[0]]}
    nobody = count(MEASURES, period, rows_q=lambda cohort: Q(pk__in=[]))
    assert all(not v for v in nobody.values())


def test_the_children_behind_a_figure_are_its_numerator_and_its_gap(random_world):  # type: ignore[no-untyped-def]
    """For measures that count children, the drill-down's two lists have exactly the
    numerator and the gap (a child with no fact at all, e.g. no assessment, is in the gap)."""
    from lachealth.insight.selectors import members
    from lachealth.people.models import Role

    from ..factories import MembershipFactory

    officer = None
    for code in AREAS:
        la = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, areas=[area(code)])
        officer = MembershipFactory(
            organisation=la, role=Role.DATA_OFFICER, **({"user": officer} if officer else {})
        ).user
    period = year_to_march(2026)
    counted = count(MEASURES, period)
    for m in MEASURES:
        if m.cohort.model is not Child or m.kind == "mean":
            continue
        for code, tally in counted[m.key].items():
            inside = members(officer, m, period, area=code, counted=True).count()
            outside = members(officer, m, period, area=code, counted=False).count()
            assert (inside, inside + outside) == (tally.numerator, tally.denominator), m.key
