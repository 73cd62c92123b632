"""An uploaded return is checked in the background: the upload is kept and answered at once,
the attempt's page follows the check (and refreshes itself) until it ends refused, checked
or failed, and an upload over the limit is refused before it is read."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from markupsafe import escape

from lachealth.interop import imports, tasks
from lachealth.interop.models import ImportAttempt, ImportFile
from lachealth.people.management.commands import serve
from lachealth.people.models import AccessLog, Area

from ..conftest import BRADFORD
from .helpers import check, exported, snapshot
from .test_import_refusals import EPISODES, HEADER
from .test_views import upload

#: The page of a check that runs: its status region, which its script fetches again every 5 s.
REFRESHES = '<div id="check-status" role="status" data-refresh-seconds="5">'
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2025-11-23 09:00 +0000", tick=False):
        yield


def comparable(problems: list[dict]) -> list[tuple]:
    return sorted(
        (p["file"], p["row"] or 0, p["column"], p["code"], p["message"]) for p in problems
    )


def test_the_upload_is_kept_and_answered_before_it_is_checked(world, as_user):
    """With a queue no worker runs, the upload is still answered: the attempt is kept being
    checked, with its files, and the check waits in the queue."""
    officer = as_user("la_a_data")
    files = exported(BRADFORD, 2025)
    with override_settings(TASKS=QUEUED_ONLY):
        response = upload(officer, files)
        queued = task_backends["default"].results
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("interop:attempt", args=[attempt.pk])
    assert attempt.status == "checking" and attempt.problems == []
    assert attempt.progress == "Step 1 of 4: reading the files"
    assert sorted(f.name for f in attempt.stored.all()) == sorted(files)
    assert [(r.task.name, list(r.args)) for r in queued] == [
        ("check_uploaded_return", [attempt.pk])
    ]
    assert not AccessLog.objects.filter(action="import").exists()  # audited once checked

    page = officer.get(response.url).content.decode()
    assert "Checking your return…" in page and REFRESHES in page
    assert "Step 1 of 4: reading the files" in page and "will update every 5 seconds" in page

    # The worker runs the queued job: the attempt ends checked, as a check in-process ends.
    assert tasks.check_uploaded_return.call(attempt.pk) == "checked"
    attempt.refresh_from_db()
    page = officer.get(response.url).content.decode()
    assert attempt.status == "checked" and "What will change" in page
    assert "checking.js" not in page and "Checking your return" not in page


def test_the_check_finds_what_the_check_in_process_finds(world, as_user):
    officer = as_user("la_a_data")
    files = exported(BRADFORD, 2025)
    response = upload(officer, files)  # the tests' backend runs the job as it is enqueued
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "checked"
    in_process = check(world.users["la_a_data"], BRADFORD, 2025, files).attempt
    assert comparable(attempt.problems) == comparable(in_process.problems)
    assert attempt.problems and attempt.summary == in_process.summary
    assert attempt.files == in_process.files
    # Kept as read, to import: the files, not the upload's zip or its progress.
    assert sorted(f.name for f in attempt.stored.all()) == sorted(f["name"] for f in attempt.files)
    audited = AccessLog.objects.filter(action="import", detail__contains=f"import {attempt.pk} ")
    assert [a.detail.split(": ")[1].split(";")[0] for a in audited] == ["checked"]
    done = officer.post(
        reverse("interop:attempt_confirm", args=[attempt.pk]), {"accept_warnings": "on"}
    )
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "imported" and not ImportFile.objects.filter(attempt=attempt).exists()


def test_a_refused_return_ends_refused_with_the_same_problems(world, as_user):
    officer = as_user("la_a_data")
    bad = {
        "h.csv": HEADER,
        "e.csv": EPISODES + b"Z9,10/01/2025,S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n",
    }
    before = snapshot()
    response = upload(officer, bad)
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "refused"
    in_process = check(world.users["la_a_data"], BRADFORD, 2025, bad).attempt
    assert in_process.status == "refused"
    assert comparable(attempt.problems) == comparable(in_process.problems)
    assert "CHILD Z9 has no row in Header" in officer.get(response.url).content.decode()
    assert snapshot() == before and not ImportFile.objects.exists()


def _checking(world, **fields) -> ImportAttempt:  # type: ignore[no-untyped-def]
    attempt = imports.receive_return(
        by=world.users["la_a_data"],
        area=Area.objects.get(code=BRADFORD),
        collection_year=2025,
        uploads=[("Header.csv", HEADER), ("Episodes.csv", EPISODES)],
    )
    ImportAttempt.objects.filter(pk=attempt.pk).update(**fields)
    attempt.refresh_from_db()
    return attempt


def test_an_attempt_being_checked_shows_its_progress_and_refreshes(world, as_user):
    said = tasks.progress_said("rows", 12000)
    assert said == "Step 3 of 4: running the DfE's rules (12,000 rows)"
    attempt = _checking(world, progress=said)
    page = as_user("la_a_data").get(reverse("interop:attempt", args=[attempt.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Checking your return…" in text and str(escape(said)) in text
    assert REFRESHES in text and ">Refresh this page</a>" in text
    assert "/static/interop/checking.js" in text
    assert '<progress id="check-progress" max="4" value="3"' in text
    assert "Header.csv" in text and "Not read yet" in text
    assert "Import the return" not in text  # nothing to confirm yet
    log = as_user("la_a_data").get(reverse("interop:returns")).content.decode()
    assert "Being checked" in log


def test_each_step_of_the_check_is_written_to_the_attempt(world, monkeypatch):
    attempt = _checking(world)
    seen: list[str] = []
    written = tasks._WrittenToAttempt

    class Watching(written):  # type: ignore[misc,valid-type]
        def __call__(self, what: str, count: int) -> None:
            super().__call__(what, count)
            seen.append(ImportAttempt.objects.get(pk=attempt.pk).progress)

    monkeypatch.setattr(tasks, "_WrittenToAttempt", Watching)
    tasks.check_uploaded_return.call(attempt.pk)
    assert [s.split(":")[0] for s in dict.fromkeys(seen)] == [
        "Step 2 of 4",
        "Step 3 of 4",
        "Step 4 of 4",
    ]
    assert "(2 files)" in seen[0]


def test_an_attempt_checking_for_over_half_an_hour_shows_as_stopped(world, as_user):
    attempt = _checking(world, uploaded_at=timezone.now() - timedelta(minutes=31))
    officer = as_user("la_a_data")
    text = officer.get(reverse("interop:attempt", args=[attempt.pk])).content.decode()
    assert "The check stopped" in text and "Upload the return again" in text
    assert "checking.js" not in text and "Checking your return" not in text
    assert "Stopped" in officer.get(reverse("interop:returns")).content.decode()
    # A job that starts this late keeps to what the page said.
    tasks.check_uploaded_return.call(attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status == "failed" and "did not start within 30 minutes" in attempt.message
    assert not ImportFile.objects.exists()


def test_a_job_that_raises_leaves_the_attempt_failed_with_a_message(world, as_user, monkeypatch):
    def stops(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError

    monkeypatch.setattr(imports, "plan_import", stops)
    officer = as_user("la_a_data")
    before = snapshot()
    response = upload(officer, exported(BRADFORD, 2025))
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "failed"
    assert attempt.finished_at is not None
    assert attempt.message == (
        "Failed, nothing was written: lachealth stopped reading Header.csv, Episodes.csv, "
        "OC2.csv (MemoryError). Tell the service desk the time of the upload."
    )
    page = officer.get(response.url).content.decode()
    assert attempt.message in page and "checking.js" not in page
    assert snapshot() == before and not ImportFile.objects.exists()
    assert AccessLog.objects.filter(action="import", detail__contains="failed").exists()


def test_a_check_that_cannot_be_queued_leaves_the_attempt_failed(world, as_user, monkeypatch):
    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError

    monkeypatch.setattr(tasks, "check_uploaded_return", SimpleNamespace(enqueue=down))
    response = upload(as_user("la_a_data"), exported(BRADFORD, 2025))
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "failed"
    assert "(ConnectionError)" in attempt.message and not ImportFile.objects.exists()


def test_the_page_says_the_limit_and_an_upload_over_it_is_refused_unread(world, as_user):
    officer = as_user("la_a_data")
    assert "Up to 20 MB in all." in officer.get(reverse("interop:returns")).content.decode()
    before = snapshot()
    with override_settings(MAX_RETURN_UPLOAD_BYTES=2 * 1024 * 1024):
        assert "Up to 2 MB in all." in officer.get(reverse("interop:returns")).content.decode()
        response = officer.post(
            reverse("interop:returns"),
            {
                "upload-area": BRADFORD,
                "upload-collection_year": "2025",
                "upload-return_files": [SimpleUploadedFile("Header.csv", b"x" * 4 * 1024 * 1024)],
            },
        )
    assert response.status_code == 413
    assert b"The upload is 4 MB; the largest lachealth takes is 2 MB." in response.content
    assert not ImportAttempt.objects.exists() and not ImportFile.objects.exists()
    assert not AccessLog.objects.filter(action="import").exists() and snapshot() == before


def test_an_upload_over_the_limit_is_refused_before_its_csrf_token_is_read(world):
    """The token is in the body: checking it first would read all of it. The size comes
    first; a post of the right size without its token is still refused."""
    from django.test import Client

    from ..conftest import sign_in

    officer = sign_in(Client(enforce_csrf_checks=True), world.users["la_a_data"])
    fields = {"upload-area": BRADFORD, "upload-collection_year": "2025"}
    with override_settings(MAX_RETURN_UPLOAD_BYTES=1024 * 1024):
        big = [SimpleUploadedFile("Header.csv", b"x" * 3 * 1024 * 1024)]
        response = officer.post(reverse("interop:returns"), {**fields, "upload-return_files": big})
        assert response.status_code == 413
        assert b"the largest lachealth takes is 1 MB" in response.content
        small = [SimpleUploadedFile("Header.csv", b"CHILD,SEX\n")]
        response = officer.post(
            reverse("interop:returns"), {**fields, "upload-return_files": small}
        )
        assert response.status_code == 403
    assert not ImportAttempt.objects.exists()


def test_the_limit_is_set_in_the_environment():
    settings_of = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.MAX_RETURN_UPLOAD_BYTES)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lachealth.settings", "LACHEALTH_TESTING": "1"}
    for given, limit in (({}, 20), ({"LACHEALTH_MAX_RETURN_UPLOAD_MB": "7"}, 7)):
        env.pop("LACHEALTH_MAX_RETURN_UPLOAD_MB", None)
        out = subprocess.run(
            [sys.executable, "-c", settings_of],
            env={**env, **given},
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(out.stdout.strip()) == limit * 1024 * 1024


def test_another_las_data_officer_cannot_see_an_attempt_being_checked(world, as_user, client):
    attempt = _checking(world, progress=tasks.progress_said("files", 2))
    other = as_user("la_b_data")
    for name in ("interop:attempt", "interop:attempt_problems"):
        assert other.get(reverse(name, args=[attempt.pk])).status_code == 404
    for name in ("interop:attempt_confirm", "interop:attempt_cancel"):
        assert other.post(reverse(name, args=[attempt.pk])).status_code == 404
    assert as_user("la_a_sw").get(reverse("interop:attempt", args=[attempt.pk])).status_code in (
        403,
        404,
    )
    attempt.refresh_from_db()
    assert attempt.status == "checking"


def test_the_import_command_still_checks_in_process(world, tmp_path, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    def not_queued(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the command must not queue the check")

    monkeypatch.setattr(tasks, "start_check", not_queued)
    for name, content in exported(BRADFORD, 2025).items():
        (tmp_path / name).write_bytes(content)
    paths = [str(p) for p in sorted(tmp_path.iterdir())]
    err = StringIO()
    call_command(
        "import-903",
        *paths,
        "--la",
        "380",
        "--year",
        "2025",
        "--user",
        "la_a_data",
        "--dry-run",
        stdout=StringIO(),
        stderr=err,
    )
    assert ImportAttempt.objects.get().status == "checked" and "Checking" in err.getvalue()


def test_serve_runs_the_worker_beside_the_web_server_and_stops_both():
    assert serve.worker_command()[-3:] == ["lachealth.cli", "db_worker", "--no-reload"]
    said: list[str] = []
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    quits = [sys.executable, "-c", "raise SystemExit(3)"]
    code = serve.run_together({"background worker": sleeper, "web server": quits}, said.append)
    assert code == 3 and said == ["The web server stopped (exit code 3): stopping lachealth"]
