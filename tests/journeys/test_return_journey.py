"""The data officer's SSDA903 journey in Chromium: upload next month's extract, read what
will change and the DfE's warnings, try to import without accepting them, accept and import."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from lachealth.care.models import Child
from lachealth.interop.export import build_return
from lachealth.interop.forms import collection_years
from lachealth.interop.imports import receive_return
from lachealth.interop.models import ImportAttempt
from lachealth.interop.tasks import check_uploaded_return, progress_said
from lachealth.people.models import Area

from ..factories import TOTPDeviceFactory
from ..interop.helpers import rows, to_csv
from .conftest import check_accessibility
from .test_journeys import sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_data_officer_checks_accepts_warnings_and_imports_a_return(live_server, page: Page, world):
    officer = world.users["la_a_data"]
    TOTPDeviceFactory(user=officer)
    year = collection_years(timezone.localdate())[0][0]
    files = build_return("E08000032", year).files
    # Next month's extract: a child who came into care since, placed in Bradford.
    header, episodes = rows(files["Header.csv"]), rows(files["Episodes.csv"])
    header.append({**header[0], "CHILD": "A9", "DOB": "02/02/2015", "UPN": "UN2"})
    episodes.append(
        {**episodes[0], "CHILD": "A9", "DECOM": f"03/03/{year}", "DEC": "", "REC": "", "RNE": "S"}
    )
    upload = [
        {"name": "Header.csv", "mimeType": "text/csv", "buffer": to_csv(header)},
        {"name": "Episodes.csv", "mimeType": "text/csv", "buffer": to_csv(episodes)},
    ]
    sign_in(page, live_server.url, officer)

    page.get_by_role("link", name="SSDA903 returns").first.click()
    expect(page.get_by_role("heading", name="SSDA903 returns")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("The return's files").set_input_files(upload)
    page.get_by_role("button", name="Check the return").click()

    expect(page.get_by_role("heading", name="Import of the SSDA903 return")).to_be_visible()
    changes = page.locator("#changes")
    # added, changed, removed (children are never removed by a return), unchanged
    expect(changes.get_by_role("row", name="Children (Header) 1 0 – 2")).to_be_visible()
    expect(changes.get_by_role("row", name="Episodes 1 0 0 2")).to_be_visible()
    attempt = ImportAttempt.objects.get()
    assert attempt.warnings and not attempt.blocking
    expect(page.get_by_text(f"0 errors and {len(attempt.warnings)} warnings")).to_be_visible()
    check_accessibility(page)
    assert not Child.objects.filter(la_child_id="A9").exists()  # nothing saved yet

    page.get_by_role("button", name="Import the return").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="read them and accept them to import")).to_be_visible()
    assert not Child.objects.filter(la_child_id="A9").exists()

    page.get_by_label("I have read the warnings and accept them").check()
    page.get_by_role("button", name="Import the return").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Imported. Header: 1 added; Episodes: 1 added"
    )
    check_accessibility(page)
    imported = Child.objects.get(la_child_id="A9", responsible_area_id="E08000032")
    assert imported.looked_after
    attempt.refresh_from_db()
    assert attempt.status == "imported" and attempt.accepted_by == officer


def test_data_officer_watches_a_return_being_checked(live_server, page: Page, world):
    """The page of a return being checked says where the check is and reloads itself: when
    the worker has finished, the data officer sees what was found without doing anything."""
    officer = world.users["la_a_data"]
    TOTPDeviceFactory(user=officer)
    year = collection_years(timezone.localdate())[0][0]
    attempt = receive_return(
        by=officer,
        area=Area.objects.get(code="E08000032"),
        collection_year=year,
        uploads=list(build_return("E08000032", year).files.items()),
    )
    ImportAttempt.objects.filter(pk=attempt.pk).update(progress=progress_said("rows", 12000))
    sign_in(page, live_server.url, officer)

    page.goto(live_server.url + reverse("interop:attempt", args=[attempt.pk]))
    expect(page.get_by_role("heading", name="Checking your return…")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "Step 3 of 4: running the DfE's rules (12,000 rows)"
    )
    expect(page.get_by_text("This page will update every 5 seconds")).to_be_visible()
    check_accessibility(page)
    # The page fetches itself again and shows the step the check has reached, in place.
    ImportAttempt.objects.filter(pk=attempt.pk).update(progress=progress_said("plan", 0))
    expect(page.get_by_role("status")).to_contain_text("Step 4 of 4: working out what would")

    check_uploaded_return.call(attempt.pk)  # as the worker would
    expect(page.get_by_role("heading", name="Problems found")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Import the return")).to_be_visible()
    assert "Checking your return" not in page.content()
