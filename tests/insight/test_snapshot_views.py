"""An aggregates-only audience (commissioners, the board report) reads the latest measures
snapshot until the next one, and says when it was taken; staff keep counting live."""

from __future__ import annotations

import csv
import io
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from lachealth.care.models import Child
from lachealth.insight.models import MeasureSnapshot
from lachealth.insight.periods import year_to_march
from lachealth.insight.report import report_html
from lachealth.insight.services import take_snapshot

from ..conftest import BRADFORD, LEEDS
from ..factories import area

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def _placed_out(client, area_name: str) -> list[str]:  # type: ignore[no-untyped-def]
    url = reverse("insight:download", args=["areas", "csv"])
    rows = csv.reader(io.StringIO(client.get(url + "?measure=placed_out_of_area").content.decode()))
    return next((r[3:5] for r in rows if r[2] == area_name), [])


def test_commissioners_read_the_snapshot_and_staff_count_live(as_user, world, today):  # type: ignore[no-untyped-def]
    commissioner, social_worker = as_user("commissioner"), as_user("la_a_sw")
    page = commissioner.get("/measures/").content.decode()
    assert "the nightly count of the measures has not run yet" in page
    assert _placed_out(commissioner, "Bradford") == ["c", "c"]  # counted live
    call_command("refresh-measures", stdout=StringIO(), stderr=StringIO())
    # Bradford's children move to Leeds after the count: the records change, the snapshot not
    Child.objects.filter(responsible_area=BRADFORD).update(responsible_area=area(LEEDS))
    page = commissioner.get("/measures/").content.decode()
    assert "Figures as lachealth's records stood on 23 November 2026 at 10:00" in page
    assert _placed_out(commissioner, "Bradford") == ["c", "c"]
    summary = reverse("insight:download", args=["summary", "csv"])
    rows = list(csv.reader(io.StringIO(social_worker.get(summary).content.decode())))
    placed = next(r for r in rows if r[0] == "Placed out of area")
    assert placed[3:5] == ["0", "0"]  # the social worker's Bradford caseload is now empty


def test_the_command_says_when_and_how_long(world, today):  # type: ignore[no-untyped-def]
    out, err = StringIO(), StringIO()
    call_command("refresh-measures", stdout=out, stderr=err)
    assert "Measures as at 23 November 2026 10:00 counted in" in out.getvalue()
    assert "Counting the measures" in err.getvalue()  # the progress bar
    assert MeasureSnapshot.objects.get().as_of == AS_OF


def test_the_board_report_states_the_snapshot_it_counts(world, today):  # type: ignore[no-untyped-def]
    taken = take_snapshot(as_of=AS_OF)
    html = report_html(BRADFORD, "Bradford", year_to_march(2026), as_of=AS_OF, taken=taken)
    assert "as they stood at 10:00 on 23 November 2026 (the nightly count" in html
