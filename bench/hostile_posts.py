"""How long the posts that used to tie up a web worker now take to be answered, and how big
the answer is: an assessment with 1,000 and 2,000 health plan rows, the child's voice of
2,000,000 characters, a 50 MB SSDA903 file with valid Header columns, 50 MB of random text,
and an upload just under the limit (answered once it is kept: its check is queued, not run).
Target: each answered in well under a second. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import logging
import os
import random
import string
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT, setup_django

RUNS = 3


def timed(label: str, send: Any) -> None:
    times, response = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        response = send()
        times.append(time.perf_counter() - started)
    assert response is not None
    print(
        f"  {label}: status {response.status_code}, page {len(response.content) / 1024:,.0f} KB, "
        f"answered in {min(times) * 1000:,.0f} ms (fastest of {RUNS}), "
        f"{max(times) * 1000:,.0f} ms (slowest)"
    )


def main() -> None:
    setup_django()
    from django.conf import settings

    # The check an upload queues is not run here: what is timed is the web request alone.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    # Each refusal is logged as a warning with its cause: here that is the point, not news.
    for name in ("django.request", "django.security", "lachealth.views"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    sys.path.insert(0, str(ROOT))
    from tests.conftest import BRADFORD, make_world, sign_in

    world = make_world()
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    limit_mb = settings.MAX_RETURN_UPLOAD_BYTES // (1024 * 1024)
    print(
        f"[{label}] request limits: {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields, "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f} MB of form data, "
        f"SSDA903 uploads up to {limit_mb} MB"
    )
    nurse = sign_in(Client(), world.users["prov_a_nurse"])
    assessment = reverse("health:assessment_create", args=[world.children["child_a"].pk])

    def plan(rows: int) -> dict[str, str]:
        data = {"kind": "RHA", "actions-TOTAL_FORMS": str(rows)}
        for i in range(rows):
            data |= {f"actions-{i}-need": f"Need {i}", f"actions-{i}-action": f"Action {i}"}
        return data

    for rows in (1_000, 2_000):
        timed(f"assessment with {rows:,} plan rows", lambda r=rows: nurse.post(assessment, plan(r)))
    timed(
        "assessment with the child's voice of 2,000,000 characters",
        lambda: nurse.post(assessment, {"kind": "RHA", "voice_of_child": "v" * 2_000_000}),
    )

    officer = sign_in(Client(), world.users["la_a_data"])
    returns = reverse("interop:returns")
    header = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    row = b"123456,1,01/01/2010,WBRI,A123456789012,,\n"

    def upload(name: str, content: bytes) -> Any:
        return officer.post(
            returns,
            {
                "upload-area": BRADFORD,
                "upload-collection_year": "2025",
                "upload-return_files": [SimpleUploadedFile(name, content)],
            },
        )

    fifty = 50 * 1024 * 1024
    valid = header + row * ((fifty - len(header)) // len(row))
    noise = "".join(random.choices(string.printable, k=1024 * 1024)).encode() * 50
    timed("SSDA903 upload, 50 MB with valid Header columns", lambda: upload("Header.csv", valid))
    timed("SSDA903 upload, 50 MB of random text", lambda: upload("Header.csv", noise))
    under = header + row * ((limit_mb - 1) * 1024 * 1024 // len(row))
    timed(
        f"SSDA903 upload of {len(under) / 1024 / 1024:.0f} MB (under the limit: kept, "
        "check queued)",
        lambda: upload("Header.csv", under),
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
