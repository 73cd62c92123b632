"""No request can tie up a worker: a post over a request limit in settings (fields, bytes,
files) is refused before any form is built, with an NHS.UK page that names the limit (413),
logged, in a live run and in the demo (DEBUG), whether the CSRF check or the view reads the
form first; a field over its own limit is refused naming the field. The audit's cases: an
assessment posted with 1,000 health plan rows, and the child's voice of 2,000,000 characters.
"""

from __future__ import annotations

import logging

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from lachealth.care.models import TeamMember
from lachealth.health.models import HealthAssessment, HealthPlanAction

from .conftest import sign_in
from .health.test_views import assess

#: A refusal is a short page, whatever was sent: it renders none of what was posted.
SHORT_PAGE = 20_000

FIELDS_REFUSED = (
    "This form sent more than 1,000 fields; the most a page takes is 1,000. Nothing was saved."
)


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2024-02-01 10:00:00 +0000", tick=False):
        yield


def assessment_url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("health:assessment_create", args=[world.children["child_a"].pk])


def plan_rows(count: int) -> dict[str, str]:
    rows = {"actions-TOTAL_FORMS": str(count)}
    for i in range(count):
        rows |= {
            f"actions-{i}-need": f"Need {i}",
            f"actions-{i}-action": f"Action {i}",
            f"actions-{i}-owner_kind": "health",
            f"actions-{i}-due_on_0": "1",
            f"actions-{i}-due_on_1": "3",
            f"actions-{i}-due_on_2": "2024",
        }
    return rows


def nothing_written() -> bool:
    return not (HealthAssessment.objects.exists() or HealthPlanAction.objects.exists())


def refused_for_the_limit(response, message: str) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    assert response.status_code == 413
    assert len(response.content) < SHORT_PAGE
    assert "The form was too large to save" in page and message in page
    assert "nhsuk-header" in page  # the service's own page, not Django's
    return page


def test_an_assessment_posted_with_1000_plan_rows_is_refused_naming_the_limit(
    world, as_user, caplog
):
    with caplog.at_level(logging.WARNING, logger="lachealth.views"):
        response = assess(as_user("prov_a_nurse"), world, **plan_rows(1_000))
    page = refused_for_the_limit(response, FIELDS_REFUSED)
    assert "Need 999" not in page
    assert nothing_written()
    assert "TooManyFieldsSent" in caplog.text and assessment_url(world) in caplog.text


def test_an_assessment_with_31_rows_is_refused_by_the_form_saying_its_limit(world, as_user):
    """Under the request's limit, the plan's own: 30 actions."""
    page = assess(as_user("prov_a_nurse"), world, **plan_rows(31)).content.decode()
    assert "An assessment can record up to 30 health plan actions" in page
    assert nothing_written()


def test_the_childs_voice_of_2000000_characters_is_refused_naming_the_field(world, as_user):
    response = assess(as_user("prov_a_nurse"), world, voice_of_child="x" * 2_000_000)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The child&#39;s voice must be 5,000 characters or fewer" in page
    assert nothing_written()


def test_the_page_says_the_limits_where_they_matter(world, as_user):
    page = as_user("prov_a_nurse").get(assessment_url(world)).content.decode()
    assert page.count("Up to 5,000 characters") == 2  # the child's voice, the health needs
    hint = page.index("An assessment can record up to 30 actions.")
    assert hint < page.index("Add another action") < hint + 400
    assert "An assessment can add up to 30 entries to the summary." in page


def test_any_form_sent_with_more_fields_than_the_limit_gets_the_page(world, as_user):
    child = world.children["child_a"]
    url = reverse("care:team_add", args=[child.pk]) + "?role=carer"
    junk = {f"extra_{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    response = as_user("la_a_sw").post(url, {"name": "Jo Fox"} | junk)
    refused_for_the_limit(response, FIELDS_REFUSED)
    assert not TeamMember.objects.exists()


def test_a_body_over_the_memory_limit_gets_the_page_naming_the_limit(world, as_user):
    response = assess(as_user("prov_a_nurse"), world, health_needs="x" * 3 * 1024 * 1024)
    refused_for_the_limit(
        response,
        "This form sent 3 MB; the most a page takes is 2.5 MB of text. Nothing was saved.",
    )
    assert nothing_written()


def test_more_files_than_the_limit_get_the_page(world, as_user):
    most = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    files = [SimpleUploadedFile(f"f{n}.csv", b"a") for n in range(most + 1)]
    response = as_user("prov_a_nurse").post(assessment_url(world), {"files": files})
    refused_for_the_limit(
        response,
        f"This form sent more than {most} files; the most a page takes is {most}. "
        "Nothing was saved.",
    )
    assert nothing_written()


def test_files_are_not_counted_in_the_text_limit():
    """An upload larger than DATA_UPLOAD_MAX_MEMORY_SIZE reaches its page (the SSDA903 returns
    page has its own limit and says it), spooled to disk past FILE_UPLOAD_MAX_MEMORY_SIZE."""
    big = SimpleUploadedFile("Episodes.csv", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    request = RequestFactory().post("/", {"upload-area": "E08000032", "upload-return_files": big})
    assert int(request.META["CONTENT_LENGTH"]) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert request.POST["upload-area"] == "E08000032"
    received = request.FILES["upload-return_files"]
    assert received.size == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert isinstance(received, TemporaryUploadedFile)  # on disk, not in the worker's memory


def test_the_csrf_check_reading_the_form_first_gets_the_same_page(world):
    """In a live run the CSRF check is the first to read a post: what it raises reaches
    `handler400`, which knows it."""
    client = sign_in(Client(enforce_csrf_checks=True), world.users["prov_a_nurse"])
    client.get(assessment_url(world))  # the CSRF cookie, checked before the form is read
    response = client.post(assessment_url(world), plan_rows(1_000))
    refused_for_the_limit(response, FIELDS_REFUSED)
    assert nothing_written()


@pytest.mark.parametrize("csrf_first", [False, True])
def test_the_demo_debug_run_shows_the_same_page(world, csrf_first):
    client = sign_in(Client(enforce_csrf_checks=csrf_first), world.users["prov_a_nurse"])
    client.get(assessment_url(world))
    with override_settings(DEBUG=True, DEBUG_PAGES=False):
        response = client.post(assessment_url(world), plan_rows(1_000))
    refused_for_the_limit(response, FIELDS_REFUSED)
    assert nothing_written()


def test_a_bad_request_of_another_kind_keeps_its_own_page(world, as_user):
    response = as_user("prov_a_nurse").post(assessment_url(world), {}, HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, that request could not be understood" in page
    assert "The form was too large to save" not in page
