"""Shared set-up for the page benchmarks: a throwaway database with the demo data and one
health administrator whose provider serves all four demo areas, signed in."""

from __future__ import annotations

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
    from django.core.management import call_command

    from lachealth.care.models import Child
    from lachealth.people.models import Area, Organisation, Role

    call_command("migrate", verbosity=0)
    call_command(
        "demo",
        "--reset",
        "--seed",
        "1",
        "--scale",
        str(scale),
        "--as-of",
        "2026-11-23",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    provider = Organisation.objects.create(name="Bench provider", kind="PROVIDER")
    provider.areas.set(
        Area.objects.filter(code__in=["E08000032", "E08000035", "E08000033", "E08000034"])
    )
    client, user = signed_in_client("bench.admin", provider, Role.HEALTH_ADMIN)
    return client, Child.objects.visible_to(user).count()


def signed_in_client(username: str, organisation: Any, role: str) -> tuple[Any, Any]:
    """A test client signed in (password and one-time code) as a new user holding `role`."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lachealth.people.models import Membership, User

    user = User.objects.create_user(username, password="bench-password-123")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, user


def time_page(client: Any, path: str, runs: int = 20) -> tuple[float, float, int]:
    """Median and 95th-percentile server time in ms, and the SQL query count, of one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
        queries = len(ctx)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries
