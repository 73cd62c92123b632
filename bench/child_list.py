"""Child list server time for a provider with ~1,500 visible children, and its query count.

Builds the demo data into a throwaway database (SQLite file or the PostgreSQL database named
by DATABASE_URL), gives one health user a provider over all four demo areas, and renders
/children/ in-process with Django's test client. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="lachealth-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("LACHEALTH_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachealth.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.care.models import Child
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    call_command(
        "demo",
        "--reset",
        "--seed",
        "1",
        "--as-of",
        "2026-11-23",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    provider = Organisation.objects.create(name="Bench provider", kind="PROVIDER")
    provider.areas.set(
        Area.objects.filter(code__in=["E08000032", "E08000035", "E08000033", "E08000034"])
    )
    user = User.objects.create_user("bench.admin", password="bench-password-123")
    Membership.objects.create(user=user, organisation=provider, role=Role.HEALTH_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    visible = Child.objects.visible_to(user).count()

    def render(path: str) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200
        return elapsed * 1000, len(ctx)

    render("/children/")  # warm caches and the session
    for path, name in [
        ("/children/", "child list, page 1"),
        ("/children/?page=20", "child list, page 20"),
        ("/children/?q=smith", "child list, search"),
    ]:
        runs = [render(path) for _ in range(30)]
        times = sorted(t for t, _ in runs)
        print(
            f"[{label}] {name}: {visible} visible children, median "
            f"{statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
            f"{runs[0][1]} SQL queries (target < 150 ms)"
        )
    child = Child.objects.visible_to(user).order_by("pk").first()
    runs = [render(f"/children/{child.pk}/") for _ in range(30)]
    print(
        f"[{label}] child page: median {statistics.median(t for t, _ in runs):.1f} ms, "
        f"{runs[0][1]} SQL queries"
    )


if __name__ == "__main__":
    main()
