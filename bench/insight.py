"""The measures page for England: run by `make bench` on the database `england_903.py` built
(150 LAs, 85,000 children looked after at 31 March, about a million episodes over ten years).

First gives every period of care a synthetic health history (an initial assessment, yearly
reviews with dental checks and immunisation status, a carer SDQ for 4-16s), then takes the
nightly measures snapshot (timed), signs in a commissioner and times the measures page
compared with England (every area) read from its published figures: server time cold (charts
drawn) and warm, the number of SQL queries and the slowest of them; the same page counted
live from the records, for comparison; and one area's board report. Asserts nothing.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta

from common import setup_django, signed_in_client

AS_OF = date(2026, 11, 23)
BATCH = 20_000


def _histories() -> tuple[int, int]:
    """Assessments and SDQs for every child's time in care; the counts written."""
    from tqdm import tqdm

    from lachealth.care.models import Episode
    from lachealth.health.clocks import add_months, initial_health_assessment_due
    from lachealth.health.models import HealthAssessment, SdqResult
    from lachealth.people.models import Organisation, User

    provider = Organisation.objects.create(name="England bench provider", kind="PROVIDER")
    nurse = User.objects.create_user("bench.nurse", password="bench-password-123")
    rng = random.Random(7)
    spans: dict[int, tuple[date, date, date]] = {}
    for child_id, dob, decom, dec in Episode.objects.values_list(
        "child_id", "child__date_of_birth", "decom", "dec"
    ).iterator(chunk_size=BATCH):
        first, last, _ = spans.get(child_id, (decom, decom, dob))
        spans[child_id] = (min(first, decom), max(last, dec or AS_OF), dob)
    assessments: list[HealthAssessment] = []
    sdqs: list[SdqResult] = []
    written = [0, 0]

    def flush(force: bool = False) -> None:
        if force or len(assessments) >= BATCH:
            HealthAssessment.objects.bulk_create(assessments, batch_size=5_000)
            written[0] += len(assessments)
            assessments.clear()
        if force or len(sdqs) >= BATCH:
            SdqResult.objects.bulk_create(sdqs, batch_size=5_000)
            written[1] += len(sdqs)
            sdqs.clear()

    for child_id, (start, end, dob) in tqdm(spans.items(), desc="Health histories", unit="child"):
        due, kind = initial_health_assessment_due(start), "IHA"
        while due <= min(end, AS_OF):
            late = 0 if rng.random() < 0.7 else rng.randint(1, 30)
            done = due + timedelta(days=late * 7 // 5)
            if done > AS_OF or done < dob:
                break
            assessments.append(
                HealthAssessment(
                    child_id=child_id,
                    kind=kind,
                    completed_on=done,
                    provider=provider,
                    practitioner=nurse,
                    professional="nurse",
                    due_on=due,
                    working_days_late=late,
                    immunisations="yes" if rng.random() < 0.84 else "no",
                    dental_check_on=done if rng.random() < 0.8 else None,
                    development_check=rng.random() < 0.88,
                    substance_misuse=rng.random() < 0.03,
                )
            )
            if date(dob.year + 4, dob.month, 1) <= done < date(dob.year + 17, dob.month, 1):
                sdqs.append(
                    SdqResult(
                        child_id=child_id,
                        completed_on=done,
                        informant="carer",
                        items=[],
                        total_difficulties=rng.randint(0, 40),
                        recorded_by=nurse,
                    )
                )
            months = 6 if done < date(dob.year + 5, dob.month, 1) else 12
            due, kind = add_months(done, months), "RHA"
        flush()
    flush(force=True)
    return written[0], written[1]


def _time_page(client, runs: int) -> tuple[float, float, int, float, str]:  # type: ignore[no-untyped-def]
    """The commissioner's England page `runs` times: the first time, the median of the rest,
    the queries of one request and the slowest query seen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries, slowest = [], 0, (0.0, "")
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get("/measures/?compare=england")
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200
        queries = len(ctx)
        for q in ctx.captured_queries:
            if float(q["time"]) > slowest[0]:
                slowest = (float(q["time"]), q["sql"])
    return timings[0], statistics.median(timings[1:]), queries, slowest[0], slowest[1]


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from lachealth.care.models import Child
    from lachealth.health.models import HealthAssessment
    from lachealth.insight.models import MeasureSnapshot, PublishedFigure
    from lachealth.insight.periods import snapshot_periods
    from lachealth.insight.services import take_snapshot
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    children = Child.objects.count()
    if children < 1_000:
        print("[PostgreSQL] skipped: the England database of england_903.py is not there")
        return
    call_command("migrate", verbosity=0)
    if not HealthAssessment.objects.exists():
        start = time.perf_counter()
        made, sdq = _histories()
        took = time.perf_counter() - start
        print(f"  health histories: {made:,} assessments, {sdq:,} SDQs in {took:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # A second run on the same database starts again from its own commissioner.
    Membership.objects.filter(user__username="bench.commissioner").delete()
    User.objects.filter(username="bench.commissioner").delete()
    Organisation.objects.filter(name="England bench ICB").delete()
    icb = Organisation.objects.create(name="England bench ICB", kind="ICB")
    icb.areas.set(
        Area.objects.filter(code__in=["E08000032", "E08000033", "E08000034", "E08000035"])
    )
    client, _ = signed_in_client("bench.commissioner", icb, Role.COMMISSIONER)
    areas = Child.objects.values("responsible_area").distinct().count()
    print(f"[PostgreSQL] England: {areas} areas, {children:,} children")
    MeasureSnapshot.objects.all().delete()
    live = _time_page(client, runs=2)
    print(
        f"  measures page counted live from the records (no snapshot; 5 periods published): "
        f"{live[0]:.2f} s first, {live[1]:.2f} s again; {live[2]} SQL queries, "
        f"slowest {live[3] * 1000:.0f} ms"
    )
    start = time.perf_counter()
    taken = take_snapshot(as_of=AS_OF, progress=sys.stderr)
    figures = PublishedFigure.objects.filter(snapshot=taken).count()
    hidden = PublishedFigure.objects.filter(snapshot=taken, numerator__isnull=True).count()
    print(
        f"  nightly snapshot (lachealth refresh-measures): {time.perf_counter() - start:.0f} s "
        f"for {len(snapshot_periods(AS_OF))} periods, {figures:,} published figures "
        f"({hidden:,} with their numerator hidden)"
    )
    from lachealth.insight import charts

    charts._funnel.cache_clear()
    charts._trend.cache_clear()
    cold, warm, queries, slowest, sql = _time_page(client, runs=6)
    print(
        f"  measures page from the snapshot, every measure with funnel and 5-year trend:\n"
        f"  cold (charts drawn) {cold:.2f} s, warm median {warm:.2f} s (target < 0.5 s); "
        f"{queries} SQL queries; slowest query {slowest * 1000:.0f} ms:\n  {sql[:300]}…"
    )
    from lachealth.insight.periods import year_to_march
    from lachealth.insight.report import board_report

    code = Child.objects.values_list("responsible_area", flat=True).first()
    took = []
    for _ in range(2):  # the first draws its charts (and loads WeasyPrint); the second not
        start = time.perf_counter()
        pdf = board_report(code, code, year_to_march(2026), as_of=AS_OF, taken=taken)
        took.append(time.perf_counter() - start)
    print(
        f"  board report PDF for one area against England: {took[0]:.1f} s first, "
        f"{took[1]:.1f} s again, {len(pdf) // 1024} KiB (target < 10 s)"
    )


if __name__ == "__main__":
    main()
