"""Server time of the pages a LAC nurse opens all day on the demo — a child's page, the
worklist and the assessment form — and of the child's page for the child's social worker,
with each page's SQL query count and the time it spends drawing charts and collecting
garbage. Target p95 < 300 ms. Prints figures; asserts nothing about time.

BENCH_PAGES_RUNS (default 30) sets the timed GETs of each page, after 3 untimed ones.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from typing import Any

from tqdm import tqdm

from common import (
    client_signed_in_as,
    load_demo,
    machine_load,
    page_times,
    percentile,
    setup_django,
)

RUNS = int(os.environ.get("BENCH_PAGES_RUNS", "30"))
WARM_UPS = 3
CHILDREN = 5
TARGET_MS = 300


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.utils import timezone

    # The demo as `make demo` builds it today, since the pages count their clocks from today.
    as_of = timezone.localdate()
    load_demo("--as-of", as_of.isoformat(), progress=True)

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.care.models import Child
    from lachealth.demo.management.commands.demo import AREAS
    from lachealth.people.models import User

    area = max(AREAS, key=lambda a: a.children)  # the demo's largest area
    nurse = User.objects.get(username=f"{area.username}.nurse")
    social_worker = User.objects.get(username=f"{area.username}.socialworker")
    children = sample_children(nurse, area.code)
    visible = Child.objects.visible_to(nurse).count()
    print(
        f"[{label}] demo as of {as_of}; {nurse.username} sees {visible} children; "
        f"{RUNS} timed GETs of each page after {WARM_UPS} warm-ups; {machine_load()}"
    )
    print(
        f"[{label}] children timed: "
        + ", ".join(
            f"#{c.pk} ({c.episodes_held} episodes, {c.assessments_held} assessments)"
            for c in children
        )
    )

    # As a gunicorn worker serves them: the application loaded once, its templates compiled
    # and what is loaded frozen out of the garbage collector's passes (lachealth/wsgi.py).
    from lachealth.wsgi import warm_up

    warm_up()
    nurse_client = client_signed_in_as(nurse, TOTPDevice.objects.get(user=nurse))
    social_worker_client = client_signed_in_as(
        social_worker, TOTPDevice.objects.get(user=social_worker)
    )
    pages: list[tuple[str, Any, list[str]]] = [
        (
            f"child's page ({nurse.username})",
            nurse_client,
            [f"/children/{c.pk}/" for c in children],
        ),
        ("worklist", nurse_client, ["/worklist/"]),
        (
            f"assessment form ({nurse.username})",
            nurse_client,
            [f"/children/{c.pk}/assessments/new/" for c in children],
        ),
        (
            f"child's page ({social_worker.username})",
            social_worker_client,
            [f"/children/{c.pk}/" for c in children],
        ),
    ]
    bar = tqdm(
        total=sum(len(paths) for _, _, paths in pages),
        desc="Timing pages",
        unit="page",
        file=sys.stderr,
    )
    for name, client, paths in pages:
        times: list[float] = []
        queries: list[int] = []
        slowest = ("", 0.0, 0)
        with TimeSpent() as spent:
            for path in paths:
                taken, counted = page_times(client, path, runs=RUNS, warm_ups=WARM_UPS)
                times += taken
                queries.append(counted)
                if statistics.median(taken) > slowest[1]:
                    slowest = (path, statistics.median(taken), counted)
                bar.update(1)
        times.sort()
        requests = len(paths) * (RUNS + WARM_UPS)
        counts = (
            f"{min(queries)}–{max(queries)}" if min(queries) < max(queries) else f"{min(queries)}"
        )
        p95 = percentile(times, 95)
        line = (
            f"[{label}] {name}: p50 {percentile(times, 50):.1f} ms, p95 {p95:.1f} ms, "
            f"max {times[-1]:.1f} ms, {counts} SQL queries "
            f"(target p95 < {TARGET_MS} ms: {'met' if p95 < TARGET_MS else 'NOT met'}); "
            f"on average {spent.charts / requests:.1f} ms drawing charts and "
            f"{spent.garbage / requests:.1f} ms collecting garbage"
        )
        if len(paths) > 1:
            line += f"; slowest child {slowest[0]} median {slowest[1]:.1f} ms, {slowest[2]} queries"
        bar.clear()
        print(line, flush=True)
    bar.close()
    print(f"[{label}] at the end: {machine_load()}")


class TimeSpent:
    """Milliseconds spent, while open, drawing charts (matplotlib, on the server) and in
    Python's garbage collector: where a page's time goes, besides its queries."""

    def __init__(self) -> None:
        self.charts = 0.0
        self.garbage = 0.0
        self._gc_began = 0.0
        self._drawers: dict[str, Any] = {}

    def __enter__(self) -> TimeSpent:
        from lachealth import charts

        for name in ("line_chart", "bar_chart"):
            self._drawers[name] = drawer = getattr(charts, name)
            setattr(charts, name, self._timed(drawer))
        gc.callbacks.append(self._gc)
        return self

    def __exit__(self, *exc: object) -> None:
        from lachealth import charts

        gc.callbacks.remove(self._gc)
        for name, drawer in self._drawers.items():
            setattr(charts, name, drawer)

    def _timed(self, drawer: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return drawer(*args, **kwargs)
            finally:
                self.charts += (time.perf_counter() - began) * 1000

        return timed

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self.garbage += (time.perf_counter() - self._gc_began) * 1000


def sample_children(nurse: Any, area_code: str) -> list[Any]:
    """Looked-after children of the nurse's own area (so the social worker sees them too)
    with assessments: the one with the longest record of care, and others spread through
    the rest, as the page's cost grows with the record."""
    from django.db.models import Count

    from lachealth.care.models import Child

    children = list(
        Child.objects.visible_to(nurse)
        .filter(responsible_area=area_code, looked_after=True)
        .annotate(
            episodes_held=Count("episodes", distinct=True),
            assessments_held=Count("assessments", distinct=True),
        )
        .filter(assessments_held__gt=0)
        .order_by("-episodes_held", "-assessments_held", "pk")
    )
    step = max(len(children) // CHILDREN, 1)
    return children[::step][:CHILDREN]


if __name__ == "__main__":
    main()
