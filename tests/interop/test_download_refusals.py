"""A download asked for with a year or area that is no choice is refused beside the field
on the returns page (found by the form fuzzer, tests/fuzz: it was a bare 403 page naming no
field); another LA's area stays an access refusal (403)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, LEEDS


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2025-11-23 09:00 +0000", tick=False):
        yield


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"export-area": BRADFORD, "export-collection_year": "1999"}, "collection_year", "Choose"),
        ({"export-area": BRADFORD, "export-collection_year": "1e309"}, "collection_year", "Choose"),
        ({"export-area": "<script>", "export-collection_year": "2025"}, "area", "Choose"),
        ({"export-area": "E08\x00", "export-collection_year": "2025"}, "area", "hidden characters"),
    ],
)
def test_a_download_choice_that_is_no_choice_is_named_beside_its_field(
    world, as_user, query, field, message
):
    response = as_user("la_a_data").get(reverse("interop:download"), query)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#id_export-{field}"' in page and message in page
    assert response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(action="export").exists()


def test_another_las_area_is_still_refused_access(world, as_user):
    response = as_user("la_a_data").get(
        reverse("interop:download"), {"export-area": LEEDS, "export-collection_year": "2025"}
    )
    assert response.status_code == 403
