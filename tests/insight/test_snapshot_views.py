"""An aggregates-only audience (commissioners, the board report) reads the latest measures
snapshot until the next one, and says when it was taken; staff keep counting live."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lachealth.care.models import Child
from lachealth.insight.models import MeasureSnapshot, PublishedFigure
from lachealth.insight.periods import year_to_march
from lachealth.insight.report import report_html
from lachealth.insight.services import take_snapshot
from lachealth.insight.snapshot import latest_snapshot
from lachealth.people.models import OrganisationKind, Role

from ..conftest import BRADFORD, LEEDS, sign_in
from ..factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def _areas_csv(client, measure: str = "placed_out_of_area", query: str = "") -> list[list[str]]:  # type: ignore[no-untyped-def]
    url = reverse("insight:download", args=["areas", "csv"]) + f"?measure={measure}{query}"
    return list(csv.reader(io.StringIO(client.get(url).content.decode())))


def _row(rows: list[list[str]], area_name: str) -> list[str]:
    return next((r[3:5] for r in rows if r[2] == area_name), [])


def test_commissioners_read_the_snapshot_and_staff_count_live(as_user, world, today):  # type: ignore[no-untyped-def]
    commissioner, social_worker = as_user("commissioner"), as_user("la_a_sw")
    page = commissioner.get("/measures/").content.decode()
    assert "Figures counted from lachealth's records as they stand now" in page
    live = _areas_csv(commissioner)
    assert _row(live, "Bradford") == ["c", "c"]
    call_command("refresh-measures", stdout=StringIO(), stderr=StringIO())
    # Bradford's children move to Leeds after the count: the records change, the snapshot not
    Child.objects.filter(responsible_area=BRADFORD).update(responsible_area=area(LEEDS))
    page = commissioner.get("/measures/").content.decode()
    assert "Figures as lachealth's records stood on 23 November 2026 at 10:00" in page
    assert "The nightly count has not run since" not in page
    from_snapshot = _areas_csv(commissioner)
    assert [r[:-1] for r in from_snapshot] == [r[:-1] for r in live]  # all but "Counted at"
    assert {r[-1] for r in from_snapshot[1:]} == {"2026-11-23 10:00"}
    summary = reverse("insight:download", args=["summary", "csv"])
    rows = list(csv.reader(io.StringIO(social_worker.get(summary).content.decode())))
    placed = next(r for r in rows if r[0] == "Placed out of area")
    assert placed[3:5] == ["0", "0"]  # the social worker's Bradford caseload is now empty


def test_a_snapshot_of_an_earlier_day_offers_that_days_periods(as_user, world, today):  # type: ignore[no-untyped-def]
    take_snapshot(as_of=date(2026, 11, 20))
    commissioner = as_user("commissioner")
    page = commissioner.get("/measures/?period=rolling").content.decode()
    assert "12 months to 19 November 2026" in page  # the snapshot's, not today's (22 November)
    assert "12 months to 22 November 2026" not in page
    staff = as_user("la_a_sw").get("/measures/?period=rolling").content.decode()
    assert "12 months to 22 November 2026" in staff  # counted live, to yesterday


def test_a_commissioner_added_since_the_count_waits_for_tonights_for_their_footprint(
    as_user, world, today
):  # type: ignore[no-untyped-def]
    take_snapshot(as_of=AS_OF)
    icb = OrganisationFactory(name="New ICB", kind=OrganisationKind.ICB)
    icb.areas.set([area(BRADFORD), area(LEEDS)])
    newcomer = MembershipFactory(organisation=icb, role=Role.COMMISSIONER).user
    client = sign_in(Client(), newcomer)
    page = client.get("/measures/").content.decode()
    assert "Figures as lachealth's records stood on 23 November 2026" in page  # not live
    assert "own figures are counted in tonight" in page
    rows = _areas_csv(client, "health_assessment")
    assert _row(rows, "Total") == ["c", "c"]  # the footprint, not yet published
    assert _row(rows, "Bradford") == _row(
        _areas_csv(as_user("commissioner"), "health_assessment"), "Bradford"
    )
    # the next count publishes it
    take_snapshot(as_of=AS_OF)
    assert "counted in tonight" not in client.get("/measures/").content.decode()


def test_a_count_that_has_stopped_running_is_called_out(as_user, world):  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-20 02:00:00 +0000", tick=False):
        take_snapshot(as_of=date(2026, 11, 20))
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        page = as_user("commissioner").get("/measures/").content.decode()
    assert "The nightly count has not run since 20 November 2026 at 02:00" in page


def test_an_unfinished_count_is_never_read_and_the_one_before_is_kept(world, today):  # type: ignore[no-untyped-def]
    first = take_snapshot(as_of=AS_OF)
    second = take_snapshot(as_of=AS_OF)
    now = timezone.now()
    interrupted = MeasureSnapshot.objects.create(as_of=AS_OF, taken_at=now - timedelta(days=1))
    running = MeasureSnapshot.objects.create(as_of=AS_OF, taken_at=now)  # another count, going
    assert latest_snapshot() == second
    third = take_snapshot(as_of=AS_OF)  # clears the oldest and the interrupted count
    assert set(MeasureSnapshot.objects.all()) == {second, third, running}
    assert latest_snapshot() == third
    assert not MeasureSnapshot.objects.filter(pk__in=[first.pk, interrupted.pk]).exists()
    assert not PublishedFigure.objects.filter(snapshot_id=first.pk).exists()


def test_the_command_says_when_and_how_long(world, today):  # type: ignore[no-untyped-def]
    out, err = StringIO(), StringIO()
    call_command("refresh-measures", stdout=out, stderr=err)
    assert "Measures as at 23 November 2026 10:00 counted in" in out.getvalue()
    assert "Counting the measures" in err.getvalue()  # the progress bar
    taken = MeasureSnapshot.objects.get()
    assert taken.as_of == AS_OF and taken.complete


def test_the_board_report_counts_from_the_snapshot_and_says_so(world, today):  # type: ignore[no-untyped-def]
    taken = take_snapshot(as_of=AS_OF)
    Child.objects.filter(responsible_area=BRADFORD).update(responsible_area=area(LEEDS))
    period = year_to_march(2026)
    from_snapshot = report_html(BRADFORD, "Bradford", period, as_of=AS_OF, taken=taken)
    live = report_html(BRADFORD, "Bradford", period, as_of=AS_OF)
    assert "as they stood at 10:00 on 23 November 2026 (the nightly count" in from_snapshot
    assert "as they stood on 23 November 2026." in live
    # Bradford's children are counted in Bradford's rows only in the snapshot
    assert from_snapshot.count("<td>c</td>") > live.count("<td>c</td>")


def test_the_report_button_and_command_use_the_snapshot(
    as_user, world, today, tmp_path, monkeypatch
):  # type: ignore[no-untyped-def]
    from lachealth.insight import report, views
    from lachealth.insight.management.commands import report as command

    taken = take_snapshot(as_of=AS_OF)
    given = []

    def board_report(*args, **kwargs):  # type: ignore[no-untyped-def]
        given.append(kwargs["taken"])
        return report.board_report(*args, **kwargs)

    monkeypatch.setattr(views, "board_report", board_report)
    monkeypatch.setattr(command, "board_report", board_report)
    url = reverse("insight:report") + f"?period=2025-26&area={BRADFORD}"
    response = as_user("la_a_sw").get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    output = tmp_path / "report.pdf"
    call_command(
        "report",
        *("--area", BRADFORD, "--period", "rolling", "--output", str(output)),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert output.read_bytes().startswith(b"%PDF")
    assert given == [taken, taken]
