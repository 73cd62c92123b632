"""The SSDA903 returns pages: upload, read, filter, download, accept and import; LA data officers
of the LA only, and another LA's import is not found."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lachealth.care.models import Child
from lachealth.interop.models import ImportAttempt, ReportedOutcome
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD
from .helpers import exported


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2025-11-23 09:00 +0000", tick=False):
        yield


def upload(client, files: dict[str, bytes], year: int = 2025):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("interop:returns"),
        {
            "upload-area": BRADFORD,
            "upload-collection_year": str(year),
            "upload-return_files": [SimpleUploadedFile(n, c) for n, c in files.items()],
        },
    )


def test_only_la_data_officers_reach_the_returns_page(world, as_user, client):
    page = as_user("la_a_data").get(reverse("interop:returns"))
    assert page.status_code == 200
    assert b"SSDA903 returns" in page.content and b"2024/25 (1 April 2024" in page.content
    for name in ("la_a_sw", "prov_a_nurse", "commissioner", "sysadmin"):
        assert as_user(name).get(reverse("interop:returns")).status_code == 403
    assert client.get(reverse("interop:returns")).status_code == 302  # to sign in


def test_upload_read_accept_and_import(world, as_user):
    officer = as_user("la_a_data")
    response = upload(officer, exported(BRADFORD, 2025))
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "interop:attempt", args=[attempt.pk]
    )
    page = officer.get(response.url)
    text = page.content.decode()
    assert (
        "What will change" in text and "Header.csv" in text and attempt.files[0]["sha256"] in text
    )
    assert "Child is looked after but mother field is not completed." in text  # rule 393
    filtered = officer.get(response.url, {"kind": "warning", "code": "218"}).content.decode()
    assert "URN" in filtered and "mother field" not in filtered
    confirm = reverse("interop:attempt_confirm", args=[attempt.pk])
    refused = officer.post(confirm, {})
    assert refused.status_code == 400 and b"accept them to import" in refused.content
    assert not ReportedOutcome.objects.exists()
    done = officer.post(confirm, {"accept_warnings": "on"})
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "imported" and attempt.accepted_by == world.users["la_a_data"]
    assert ReportedOutcome.objects.count() == 2
    audited = AccessLog.objects.filter(action="import", detail__contains="sha256:")
    assert [a.detail.split(": ")[1].split(";")[0] for a in audited.order_by("pk")] == [
        "checked",
        "imported",
    ]


def test_the_problems_download_is_filtered_audited_and_neutralises_formulas(world, as_user):
    officer = as_user("la_a_data")
    files = exported(BRADFORD, 2025)
    files["Header.csv"] += b"=1+2,M,01/06/2015,WBRI,UN4,,\n"
    upload(officer, files)
    attempt = ImportAttempt.objects.get()
    assert attempt.status == "refused"
    response = officer.get(
        reverse("interop:attempt_problems", args=[attempt.pk]), {"kind": "error"}
    )
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == 1
    assert table[0]["child"] == "'=1+2" and table[0]["column"] == "CHILD"
    assert table[0]["file"] == "Header.csv" and table[0]["row"] == "3"
    assert AccessLog.objects.filter(action="export", detail__contains="problems").exists()


def test_another_las_import_is_not_found(world, as_user):
    upload(as_user("la_a_data"), exported(BRADFORD, 2025))
    attempt = ImportAttempt.objects.get()
    other = as_user("la_b_data")
    for name in ("interop:attempt", "interop:attempt_problems"):
        assert other.get(reverse(name, args=[attempt.pk])).status_code == 404
    for name in ("interop:attempt_confirm", "interop:attempt_cancel"):
        assert (
            other.post(reverse(name, args=[attempt.pk]), {"accept_warnings": "on"}).status_code
            == 404
        )
    attempt.refresh_from_db()
    assert attempt.status == "checked"
    # Naming Bradford in the upload form is refused too: it is not one of Leeds's choices.
    response = upload(other, exported(BRADFORD, 2025))
    assert (
        response.status_code == 200
        and b"Choose a local authority from the list" in response.content
    )
    assert ImportAttempt.objects.count() == 1


def test_an_upload_over_the_limit_is_refused_before_it_is_read(world, as_user):
    response = as_user("la_a_data").post(
        reverse("interop:returns"),
        {"upload-area": BRADFORD, "upload-collection_year": "2025"},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert b"The upload is 200 MB; the largest lachealth takes is 20 MB" in response.content
    assert not ImportAttempt.objects.exists()


def test_cancelling_a_checked_import_writes_nothing(world, as_user):
    officer = as_user("la_a_data")
    upload(officer, exported(BRADFORD, 2025))
    attempt = ImportAttempt.objects.get()
    response = officer.post(reverse("interop:attempt_cancel", args=[attempt.pk]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "cancelled" and not attempt.stored.exists()
    assert not ReportedOutcome.objects.exists()
    again = officer.post(
        reverse("interop:attempt_confirm", args=[attempt.pk]), {"accept_warnings": "on"}
    )
    assert again.status_code == 400 and b"upload the return again" in again.content


def test_the_download_is_a_zip_of_the_return_and_is_audited(world, as_user):
    officer = as_user("la_a_data")
    url = reverse("interop:download")
    response = officer.get(url, {"export-area": BRADFORD, "export-collection_year": "2025"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "ssda903-380-2024-25.zip" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["Episodes.csv", "Header.csv", "OC2.csv"]
    assert AccessLog.objects.get(action="export").detail.count("sha256:") == 3
    assert (
        as_user("la_b_data")
        .get(url, {"export-area": BRADFORD, "export-collection_year": "2025"})
        .status_code
        == 403
    )
    assert as_user("la_a_sw").get(url).status_code == 403


def test_an_imported_child_without_a_name_is_listed_by_their_id(world, as_user):
    Child.objects.all().delete()
    officer = as_user("la_a_data")
    upload(
        officer,
        {"Header.csv": b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nQ7,M,01/06/2015,WBRI,UN4,,\n"},
    )
    attempt = ImportAttempt.objects.get()
    officer.post(reverse("interop:attempt_confirm", args=[attempt.pk]), {"accept_warnings": "on"})
    listing = as_user("la_a_sw").get(reverse("care:child_list"), {"status": "all"})
    assert b"Child Q7 (name not recorded)" in listing.content
