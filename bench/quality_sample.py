"""Assessment QA at scale. Prints figures; asserts nothing about time.

1. A quarter's sample across England's volume (target < 2 s): about 25,000 completed health
   assessments in the database, of children of 150 areas, by 1,500 practitioners in 150
   teams, drawn by `samples.draw_sample` for one organisation whose footprint is all 150
   (each area's setting 5%, at least one per practitioner, every team seen): reading the
   assessments, the draw and writing the sample. The pure draw alone is timed too.
2. The QA results page for a large ICB with two years of scores (target < 500 ms): ten
   areas, eight quarters of samples, about 2,000 assessments scored on 12 criteria.

BENCH_QA_RUNS (default 5) sets the timed draws; the page is timed 20 times after 2.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from tqdm import tqdm

from common import machine_load, page_times, setup_django, signed_in_client

RUNS = int(os.environ.get("BENCH_QA_RUNS", "5"))
ASSESSMENTS, PRACTITIONERS, TEAMS, AREAS = 25_000, 1_500, 150, 150
ICB_AREAS, QUARTERS, SCORED_PER_QUARTER = 10, 8, 250
AS_OF = date(2026, 12, 2)


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lachealth.care.models import Child
    from lachealth.health.models import HealthAssessment
    from lachealth.people.models import Area, Organisation, Role, User
    from lachealth.quality import samples, sampling, tools
    from lachealth.quality.models import QaReview, QaSample, QaSampleItem, QaScore, QaSettings

    rng = random.Random(2026)
    codes = list(Area.english.order_by("code").values_list("code", flat=True)[:AREAS])
    teams = Organisation.objects.bulk_create(
        Organisation(name=f"Bench LAC health team {n}", kind="PROVIDER") for n in range(TEAMS)
    )
    people = User.objects.bulk_create(
        User(username=f"bench.practitioner.{n}") for n in range(PRACTITIONERS)
    )
    england = Organisation.objects.create(name="Bench: all of England", kind="ICB")
    england.areas.set(codes)
    quarter = samples.Period(date(2026, 7, 1), date(2026, 9, 30))
    children = Child.objects.bulk_create(
        (
            Child(
                la_child_id=f"Q{n:06d}",
                responsible_area_id=codes[n % AREAS],
                current_placement_area_id=codes[n % AREAS],
                date_of_birth=date(2012, 1, 1) + timedelta(days=n % 3000),
                sex="F",
                ethnicity="WBRI",
                looked_after=True,
            )
            for n in range(ASSESSMENTS)
        ),
        batch_size=2000,
    )
    HealthAssessment.objects.bulk_create(
        (
            HealthAssessment(
                child=child,
                kind="RHA",
                completed_on=quarter.start + timedelta(days=n % 92),
                provider=teams[n % TEAMS],
                practitioner=people[(n * 7) % PRACTITIONERS],
                professional="nurse",
                due_on=quarter.start + timedelta(days=n % 92),
                immunisations="yes",
            )
            for n, child in enumerate(children)
        ),
        batch_size=2000,
    )
    for code in codes:
        QaSettings.objects.create(area_id=code, percentage=Decimal(5))
    lead, _ = signed_in_client("bench.designated", england, Role.DESIGNATED_PROFESSIONAL)
    designated = User.objects.get(username="bench.designated")
    pool = [
        sampling.Candidate(pk, p, o)
        for pk, p, o in HealthAssessment.objects.values_list("pk", "practitioner_id", "provider_id")
    ]
    pure = []
    for run in range(RUNS):
        started = time.perf_counter()
        sampling.draw(pool, sampling.Rule(Decimal(5), 1), f"pure {run}")
        pure.append(time.perf_counter() - started)
    times, size = [], 0
    for _ in range(RUNS):
        QaSample.objects.all().delete()
        started = time.perf_counter()
        drawn = samples.draw_sample(
            by=designated, organisation=england, period=quarter, as_of=AS_OF
        )
        times.append(time.perf_counter() - started)
        size = drawn.items.count()
    print(
        f"[{label}] a quarter's QA sample across England's volume ({ASSESSMENTS:,} assessments, "
        f"{AREAS} areas, {PRACTITIONERS:,} practitioners, {TEAMS} teams; 5%, 1 each): {size:,} "
        f"drawn; read, drawn and written: median {statistics.median(times) * 1000:.0f} ms, "
        f"slowest of {RUNS} {max(times) * 1000:.0f} ms (target < 2 s); the draw alone: median "
        f"{statistics.median(pure) * 1000:.0f} ms; {machine_load()}"
    )

    # A large ICB's two years of scores.
    icb = Organisation.objects.create(name="Bench ICB", kind="ICB")
    icb.areas.set(codes[:ICB_AREAS])
    Membership = designated.memberships.model
    Membership.objects.create(user=designated, organisation=icb, role=Role.DESIGNATED_PROFESSIONAL)
    version = tools.current(tools.tool_for(icb))
    criteria = list(version.criteria.values_list("pk", flat=True))
    theirs = [c for c in children if c.responsible_area_id in codes[:ICB_AREAS]]
    for q in tqdm(range(QUARTERS), desc="Two years of QA scores", unit="quarter"):
        start = samples.period_of(date(2024, 7, 1) + timedelta(days=92 * q), "quarter").start
        done = HealthAssessment.objects.bulk_create(
            HealthAssessment(
                child=child,
                kind="RHA",
                completed_on=start + timedelta(days=rng.randrange(89)),
                provider=teams[child.pk % TEAMS],
                practitioner=people[child.pk % 40],
                professional="nurse",
                due_on=start,
                immunisations="yes",
            )
            for child in rng.sample(theirs, SCORED_PER_QUARTER)
        )
        picked = [(a.pk, a.practitioner_id) for a in done]
        sample = QaSample.objects.create(
            organisation=icb,
            period_start=start,
            period_end=start + timedelta(days=89),
            areas=codes[:ICB_AREAS],
            seed=f"bench{q}",
            rules={},
            candidates=len(picked),
            drawn_by=designated,
        )
        items = QaSampleItem.objects.bulk_create(
            QaSampleItem(sample=sample, organisation=icb, assessment_id=pk, how="drawn")
            for pk, _ in picked
        )
        made = QaReview.objects.bulk_create(
            QaReview(
                item=item,
                organisation=icb,
                version=version,
                reviewer=designated,
                practitioner_id=who,
                grade=rng.choice(["outstanding", "good", "requires_improvement"]),
                feedback="Bench feedback",
                scored_on=start + timedelta(days=100),
            )
            for item, (_, who) in zip(items, picked, strict=True)
        )
        QaScore.objects.bulk_create(
            (
                QaScore(
                    review=review,
                    criterion_id=c,
                    answer=rng.choices(["met", "partly", "not_met", "na"], [6, 2, 1, 1])[0],
                )
                for review in made
                for c in criteria
            ),
            batch_size=5000,
        )
    path = f"/quality/results/{icb.pk}/?since=2024-07-01"
    ms, queries = page_times(lead, path, runs=20, warm_ups=2)
    print(
        f"[{label}] QA results page of an ICB of {ICB_AREAS} areas with two years of scores "
        f"({QUARTERS * SCORED_PER_QUARTER:,} assessments by 40 practitioners, "
        f"{QaScore.objects.count():,} scores): median "
        f"{statistics.median(ms):.0f} ms, slowest of 20 {ms[-1]:.0f} ms, {queries} queries "
        f"(target < 500 ms); {machine_load()}"
    )


if __name__ == "__main__":
    main()
