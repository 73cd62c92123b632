"""Hand-offs: the time to create the notifications for an import of 2,500 children (every entry
and move of the last year: the area's horizon set to 365 days), and the received list of a
provider with 500 open notifications, with its query count. Prints figures; asserts nothing
about time."""

from __future__ import annotations

import os
import random
import time
from datetime import date

import returns
from common import setup_django, signed_in_client, time_page

AREA = "E08000025"  # Birmingham
NEIGHBOURS = ["E08000028", "E08000029"]  # Sandwell, Solihull: some placements out of area
CHILDREN = 2500
OPEN = 500
AS_OF = date(2026, 11, 23)
YEAR = 2026


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command

    from lachealth.care.models import Child
    from lachealth.handovers.models import HandoverSettings, Notification, NotificationStatus
    from lachealth.handovers.services import notify_care_events
    from lachealth.interop import imports
    from lachealth.interop.postcodes import sample_postcodes
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    areas = Area.objects.filter(code__in=[AREA, *NEIGHBOURS])
    la = Organisation.objects.create(name="Bench LA", kind="LA")
    la.areas.set([Area.objects.get(code=AREA)])
    provider = Organisation.objects.create(name="Bench LAC health team", kind="PROVIDER")
    provider.areas.set(areas)
    icb = Organisation.objects.create(name="Bench ICB", kind="ICB")
    icb.areas.set(areas)
    officer = User.objects.create_user("bench.officer", password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    HandoverSettings.objects.create(area_id=AREA, horizon_days=365)

    rng = random.Random(6)
    by_area = sample_postcodes([AREA, *NEIGHBOURS], ["B"], per_area=300, rng=rng)
    postcodes = by_area[AREA] * 4 + [p for code in NEIGHBOURS for p in by_area[code]]
    files, _ = returns.synthetic_return(
        postcodes=postcodes,
        prefix="BI",
        seed=6,
        as_of=AS_OF,
        mean_days_between_changes=160,
        children=CHILDREN,
    )
    checked = imports.check_return(
        by=officer,
        area=Area.objects.get(code=AREA),
        collection_year=YEAR,
        uploads=list(files.items()),
    )
    start = time.perf_counter()
    imports.apply_import(
        checked.attempt, by=officer, accept_warnings=True, plan=checked.plan, as_of=AS_OF
    )
    with_notifications = time.perf_counter() - start

    # Again, the notifications alone, for the same children.
    Notification.objects.all().delete()
    ids = list(Child.objects.filter(responsible_area=AREA).values_list("pk", flat=True))
    start = time.perf_counter()
    made = notify_care_events(ids, by=officer, as_of=AS_OF)
    seconds = time.perf_counter() - start
    kinds: dict[str, int] = {}
    for n in made:
        kinds[n.kind] = kinds.get(n.kind, 0) + 1
    by_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(
        f"[{label}] notifications for an import of {len(ids)} children, every event of the "
        f"last year: {len(made)} made in {seconds:.2f} s ({by_kind}); "
        f"the whole import's write with them: {with_notifications:.1f} s (target < 10 s)"
    )

    received = Notification.objects.filter(recipient=provider, status=NotificationStatus.SENT)
    keep = list(received.order_by("pk").values_list("pk", flat=True)[:OPEN])
    received.exclude(pk__in=keep).update(
        status=NotificationStatus.ACKNOWLEDGED, acknowledged_on=AS_OF
    )
    client, _ = signed_in_client("bench.nurse", provider, Role.HEALTH_PRACTITIONER)
    open_now = received.count()
    total = Notification.objects.filter(recipient=provider).count()
    for path, name in [
        ("/notifications/", "received, open"),
        ("/notifications/?show=overdue", "received, overdue"),
        ("/notifications/?show=all&page=3", "received, all, page 3"),
    ]:
        median, p95, queries = time_page(client, path, runs=20)
        print(
            f"[{label}] notification list ({name}): {open_now} open of {total} received, "
            f"median {median:.1f} ms, p95 {p95:.1f} ms, {queries} SQL queries (target < 200 ms)"
        )


if __name__ == "__main__":
    main()
