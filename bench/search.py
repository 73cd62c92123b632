"""Finding a child among 85,000 (England's children looked after at 31 March), as a health
team over four areas sees them: the child list's server time for a full name, a name and a
date of birth, an NHS number and an LA child ID. Prints figures; asserts nothing about time."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

from common import setup_django, signed_in_client, time_page

CHILDREN = 85_000
AREAS = ["E08000032", "E08000035", "E08000033", "E08000034"]
FIRST = ["Megan", "Oliver", "Amelia", "Jack", "Isla", "Harry", "Ava", "Noah", "Mia", "Leo"]
LAST = ["Banks", "Smith", "Khan", "Jones", "Patel", "Brown", "Taylor", "Wilson", "Ahmed", "Evans"]


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command
    from tqdm import tqdm

    from lachealth.care.models import Child, Episode
    from lachealth.people.models import Area, Organisation, Role

    call_command("migrate", verbosity=0)
    rng = random.Random(16)
    areas = list(Area.objects.filter(code__in=AREAS))
    batch = 5000
    for start in tqdm(range(0, CHILDREN, batch), desc=f"[{label}] children", unit=" batch"):
        made = Child.objects.bulk_create(
            Child(
                la_child_id=f"S{n:07d}",
                first_name=rng.choice(FIRST) + ("" if rng.random() < 0.7 else f"-{n % 97}"),
                last_name=f"{rng.choice(LAST)}{'' if rng.random() < 0.5 else n % 1000}",
                date_of_birth=date(2008, 1, 1) + timedelta(days=rng.randrange(6000)),
                sex="F",
                ethnicity="WBRI",
                nhs_number="",
                responsible_area=areas[n % 4],
                current_placement_area=areas[n % 4],
                looked_after=True,
            )
            for n in range(start, start + batch)
        )
        Episode.objects.bulk_create(
            Episode(
                child=c,
                decom=date(2025, 1, 6),
                rne="S",
                ls="C2",
                cin="N1",
                place="U4",
                placement_area_id=c.current_placement_area_id,
            )
            for c in made
        )
    target = Child.objects.order_by("pk")[CHILDREN // 2]
    target.first_name, target.last_name, target.nhs_number = "Megan", "Banks", "9434765919"
    target.save()
    provider = Organisation.objects.create(name="Bench provider", kind="PROVIDER")
    provider.areas.set(areas)
    client, _ = signed_in_client("bench.search", provider, Role.HEALTH_ADMIN)
    born = target.date_of_birth
    median, p95, queries = time_page(client, "/children/", runs=15)
    print(
        f"[{label}] the child list as it opens (looked after now and care leavers), "
        f"{CHILDREN:,} children: median {median:.0f} ms, p95 {p95:.0f} ms, {queries} SQL queries"
    )
    for query, name in [
        ("Megan+Banks", "a full name"),
        ("Banks%2C+Megan", "last name, first name"),
        (f"Megan+{born.day}/{born.month}/{born.year}", "a first name and a date of birth"),
        ("943+476+5919", "an NHS number with spaces"),
        (target.la_child_id, "an LA child ID"),
    ]:
        median, p95, queries = time_page(client, f"/children/?status=all&q={query}", runs=15)
        print(
            f"[{label}] search of {CHILDREN:,} children by {name}: median {median:.0f} ms, "
            f"p95 {p95:.0f} ms, {queries} SQL queries (target < 100 ms)"
        )


if __name__ == "__main__":
    main()
