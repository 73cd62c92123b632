"""Shared set-up for the page benchmarks: a throwaway database with the demo data, users
signed in (a new one, or one of the demo's own), and the server time of a page."""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="lachealth-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("LACHEALTH_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachealth.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def signed_in_provider_client(scale: float) -> tuple[Any, int]:
    """Load the demo at `scale` and sign in a provider user over all four demo areas."""
    from lachealth.care.models import Child
    from lachealth.people.models import Area, Organisation, Role

    load_demo("--reset", "--seed", "1", "--scale", str(scale), "--as-of", "2026-11-23")
    provider = Organisation.objects.create(name="Bench provider", kind="PROVIDER")
    provider.areas.set(
        Area.objects.filter(code__in=["E08000032", "E08000035", "E08000033", "E08000034"])
    )
    client, user = signed_in_client("bench.admin", provider, Role.HEALTH_ADMIN)
    return client, Child.objects.visible_to(user).count()


def signed_in_client(username: str, organisation: Any, role: str) -> tuple[Any, Any]:
    """A test client signed in (password and one-time code) as a new user holding `role`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.people.models import Membership, User

    user = User.objects.create_user(username, password="bench-password-123")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return client_signed_in_as(user, device), user


def client_signed_in_as(user: Any, device: Any) -> Any:
    """A test client whose session has passed both steps of sign-in as `user` with `device`."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def load_demo(*options: str, progress: bool = False) -> None:
    """Migrate the throwaway database and load the demo into it (`lachealth demo` options),
    showing the demo's progress bars on stderr if asked; what it prints is not shown."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", *options, stdout=StringIO(), stderr=sys.stderr if progress else StringIO())


def time_page(client: Any, path: str, runs: int = 20) -> tuple[float, float, int]:
    """Median and 95th-percentile server time in ms, and the SQL query count, of one page."""
    times, queries = page_times(client, path, runs=runs, warm_ups=1)
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def page_times(client: Any, path: str, *, runs: int, warm_ups: int) -> tuple[list[float], int]:
    """Server times in ms (sorted) of `runs` GETs of a page after `warm_ups` untimed ones,
    and its SQL query count on the last run; the page must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm_ups):
        client.get(path)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(ctx)
    times.sort()
    return times, queries


def percentile(ordered: list[float], p: float) -> float:
    """The p-th percentile (0 < p ≤ 100) of sorted values, by nearest rank: the smallest
    value with at least p% of the values at or below it."""
    return ordered[max(math.ceil(len(ordered) * p / 100), 1) - 1]


def machine_load() -> str:
    """The 1-minute load average against the CPU count: other work on the machine (a test
    run, a browser) slows the pages down, and figures taken under it say so."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
