"""A GP practice typed on entry to care without its name is refused beside the practice's
name field (found by the form fuzzer, tests/fuzz: the message was shown linked to no field)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lachealth.care.models import Child

from ..fuzz.checks import read_page
from .test_views import ENTRY


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def test_a_practice_code_without_a_name_is_refused_beside_the_name(world, as_user):
    response = as_user("la_a_sw").post(
        reverse("care:child_create"), ENTRY | {"gp_practice_code": "B86001"}
    )
    assert response.status_code == 200
    assert read_page(response.content.decode()).summary == [
        ("#id_gp_practice_name", "Enter the name of the GP practice")
    ]
    assert not Child.objects.filter(la_child_id=ENTRY["la_child_id"]).exists()
