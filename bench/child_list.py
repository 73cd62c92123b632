"""Child list server time for a provider with ~1,500 visible children, and its query count.
Prints figures; asserts nothing about time."""

from __future__ import annotations

import os

from common import setup_django, signed_in_provider_client, time_page


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from lachealth.care.models import Child

    client, visible = signed_in_provider_client(1.0)
    for path, name in [
        ("/children/", "child list, page 1"),
        ("/children/?page=20", "child list, page 20"),
        ("/children/?q=smith", "child list, search"),
    ]:
        median, p95, queries = time_page(client, path, runs=30)
        print(
            f"[{label}] {name}: {visible} visible children, median {median:.1f} ms, "
            f"p95 {p95:.1f} ms, {queries} SQL queries (target < 150 ms)"
        )
    child = Child.objects.order_by("pk").first()
    median, _, queries = time_page(client, f"/children/{child.pk}/")
    print(f"[{label}] child page (care and health): median {median:.1f} ms, {queries} SQL queries")


if __name__ == "__main__":
    main()
