"""Worklist server time for a provider with ~3,000 children, and its query count.
Prints figures; asserts nothing about time."""

from __future__ import annotations

import os

from common import setup_django, signed_in_provider_client, time_page


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    client, visible = signed_in_provider_client(2.0)
    from lachealth.care.models import Child

    in_care = Child.objects.filter(looked_after=True).count()
    for path, name in [
        ("/worklist/", "worklist, 4 weeks"),
        ("/worklist/?state=overdue", "worklist, overdue only"),
        ("/worklist/?weeks=12&sort=name", "worklist, 12 weeks by name"),
    ]:
        median, p95, queries = time_page(client, path, runs=15)
        print(
            f"[{label}] {name}: {visible} children served ({in_care} looked after now), "
            f"median {median:.1f} ms, p95 {p95:.1f} ms, {queries} SQL queries "
            "(target < 200 ms)"
        )


if __name__ == "__main__":
    main()
