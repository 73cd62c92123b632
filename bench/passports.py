"""Health passports: the PDF of one young person, warm (target < 1 s), through the page a
nurse or the young person downloads it from; then a large LA's 300 passports written by the
`lachealth passports` batch command, its time printed. Prints figures; asserts nothing about
time.

BENCH_PASSPORT_RUNS (default 20) sets the timed downloads, after 2 untimed ones;
BENCH_PASSPORT_BATCH (default 300) the passports the batch writes.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from io import StringIO

from tqdm import tqdm

from common import client_signed_in_as, load_demo, machine_load, page_times, setup_django

RUNS = int(os.environ.get("BENCH_PASSPORT_RUNS", "20"))
BATCH = int(os.environ.get("BENCH_PASSPORT_BATCH", "300"))
TARGET_MS = 1000


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.care.models import Child
    from lachealth.demo.passports import KIRKLEES
    from lachealth.health import clocks, passport
    from lachealth.health.models import Passport
    from lachealth.people.models import User

    as_of = timezone.localdate()
    # At half as large again, Kirklees has over 300 young people of 16 to 25 (the demo's own
    # size has about 215): a large LA's care leavers.
    load_demo("--as-of", as_of.isoformat(), "--scale", "1.5", progress=True)
    nurse = User.objects.get(username="kirklees.nurse")
    # The fullest passport of the demo: the one with most SDQs behind its chart.
    found = max(
        Passport.objects.filter(child__responsible_area=KIRKLEES),
        key=lambda p: (len(p.content.get("emotional", {}).get("points", [])), p.pk),
    )
    client = client_signed_in_as(nurse, TOTPDevice.objects.get(user=nurse))
    times, queries = page_times(client, f"/passports/{found.pk}/pdf/", runs=RUNS, warm_ups=2)
    size = len(client.get(f"/passports/{found.pk}/pdf/").content)
    median, worst = statistics.median(times), times[-1]
    verdict = "met" if worst < TARGET_MS else "NOT met"
    print(
        f"[{label}] one passport's PDF ({len(found.sections)} sections, {size // 1024} KiB, "
        f"{queries} queries): median {median:.0f} ms, slowest of {RUNS} {worst:.0f} ms "
        f"(target < {TARGET_MS} ms warm: {verdict}); {machine_load()}"
    )

    # A large LA's care leavers: give passports until the area has BATCH of them.
    have = Passport.objects.filter(child__responsible_area=KIRKLEES).values("child").distinct()
    more = BATCH - have.count()
    young = (
        Child.objects.filter(
            responsible_area=KIRKLEES,
            date_of_birth__lte=clocks.add_months(as_of, -12 * clocks.PASSPORT_FROM_AGE),
            date_of_birth__gt=clocks.add_months(as_of, -12 * clocks.PASSPORT_ON_REQUEST_UNTIL_AGE),
        )
        .exclude(pk__in=have)
        .order_by("pk")[: max(more, 0)]
    )
    usual = [k for k in passport.SECTION_KEYS if k not in passport.ONLY_IF_CHOSEN]
    for child in tqdm(list(young), desc="Giving passports for the batch", unit="passport"):
        passport.give(
            by=nurse,
            child=child,
            choices=passport.Choices(included=usual, agreed=True),
            written=passport.Written(own_words="I want to be asked before I am weighed."),
            as_of=as_of,
        )
    out = tempfile.mkdtemp(prefix="lachealth-passports-")
    said = StringIO()
    started = time.perf_counter()
    call_command(
        "passports", "--area", KIRKLEES, "--user", nurse.username, "--out", out, stdout=said
    )
    took = time.perf_counter() - started
    written = len(os.listdir(out))
    print(
        f"[{label}] `lachealth passports` for Kirklees: {written} PDFs in {took:.1f} s "
        f"({took / max(written, 1) * 1000:.0f} ms each); {machine_load()}"
    )


if __name__ == "__main__":
    main()
