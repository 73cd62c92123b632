"""The board report: its first page states the period, the data cut-off and the suppression
rule; the commentary names significant changes in the measure's own direction; the command
and the button write a PDF, refuse bad areas and periods by name, and the download is audited."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from lachealth.insight.measures import BY_KEY
from lachealth.insight.periods import year_to_march
from lachealth.insight.report import commentary, report_html
from lachealth.insight.selectors import (
    SUPPRESSION_RULE,
    Audience,
    Choice,
    Dashboard,
    Result,
    Row,
    Shown,
)
from lachealth.insight.stats import Position
from lachealth.people.models import AccessAction, AccessLog

from ..conftest import BRADFORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def _row(n: int, d: int, position: Position | None = None) -> Row:
    return Row("", "", Shown(n, str(n)), Shown(d, str(d)), n / d, None, None, position)


def _board(measure_key: str, before: Row, now: Row) -> Dashboard:
    result = Result(BY_KEY[measure_key], [], now, now, 0.5)
    result.trend = [("2024-25", before), ("2025-26", now)]
    audience = Audience(True, frozenset({BRADFORD}), None, False)
    return Dashboard(audience, Choice(year_to_march(2026)), "Bradford", [result])


def test_commentary_names_a_significant_improvement_in_the_measures_direction():
    notes = commentary(_board("iha_on_time", _row(40, 100), _row(70, 100)))
    assert notes.improved == [
        "Initial health assessments within 20 working days: 40.0% in 2024-25 to 70.0%."
    ]
    assert notes.worsened == []
    # For a measure where lower is better, the same rise is a worsening
    notes = commentary(_board("three_placements", _row(10, 100), _row(30, 100)))
    assert notes.worsened and not notes.improved


def test_commentary_leaves_noise_and_suppressed_figures_alone():
    assert commentary(_board("dental_check", _row(80, 100), _row(83, 100))).steady == 1
    hidden = Row("", "", Shown(None, "c"), Shown(20, "20"), None, None, None)
    notes = commentary(_board("dental_check", hidden, _row(18, 20)))
    assert (notes.improved, notes.worsened, notes.steady) == ([], [], 0)


def test_commentary_names_an_outlier():
    notes = commentary(_board("iha_on_time", _row(40, 100), _row(41, 100, Position.BELOW_998)))
    assert notes.outliers == [
        "Initial health assessments within 20 working days: 41.0%, below the 99.8% limit "
        "(worse than expected) against every area on lachealth."
    ]


def test_the_first_page_states_period_cut_off_and_suppression(world):  # type: ignore[no-untyped-def]
    html = report_html(BRADFORD, "Bradford", year_to_march(2026), as_of=date(2026, 11, 23))
    first = html.split('<section class="measure">')[0]
    assert "Health of children in care: Bradford" in first
    assert "2025-26, the year to 31 March" in first
    assert "figures count events up to 31 March 2026" in first
    assert "as they stood on 23 November 2026" in first
    assert SUPPRESSION_RULE in first
    for name in ("Ashby", "Outram", "Bexley"):
        assert name not in html


def test_the_command_writes_a_pdf(world, tmp_path):  # type: ignore[no-untyped-def]
    output = tmp_path / "report.pdf"
    out = StringIO()
    call_command(
        "report",
        "--area",
        BRADFORD,
        "--period",
        "2025-26",
        "--output",
        str(output),
        stdout=out,
        stderr=StringIO(),
    )
    assert output.read_bytes().startswith(b"%PDF")
    assert "Wrote" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "E99999999", "--period", "2025-26"], '--area: "E99999999" is not the ONS code'),
        (["--area", BRADFORD, "--period", "2026-27"], "--period: The year 2026-27 has not ended"),
        (["--area", BRADFORD, "--period", "last year"], "write it like 2025-26"),
    ],
)
def test_the_command_refuses_bad_options_by_name(areas, args, message):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, stdout=StringIO(), stderr=StringIO())


def test_the_button_downloads_the_pdf_and_is_audited(as_user, world):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    response = client.get(reverse("insight:report") + f"?period=2025-26&area={BRADFORD}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    row = AccessLog.objects.get(user=world.users["commissioner"], action=AccessAction.EXPORT)
    assert "board report" in row.detail


def test_the_button_needs_an_area_of_the_users_own(as_user):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    response = client.get(reverse("insight:report") + "?period=2025-26")
    assert response.status_code == 400
    assert "Choose the area the board report is for" in response.content.decode()
    assert client.get(reverse("insight:report") + "?area=E09000001").status_code == 400
    assert as_user("sysadmin").get(reverse("insight:report")).status_code == 403


def _projection_section(html: str) -> str:
    return html.split("<h2>Projections: children looked after and their health work</h2>")[1]


def test_the_projections_page_says_why_a_small_area_is_not_projected(world):  # type: ignore[no-untyped-def]
    html = report_html(BRADFORD, "Bradford", year_to_march(2026), as_of=date(2026, 11, 23))
    section = _projection_section(html)
    # Published: the reason without the count (the page's staff see it).
    assert "Bradford is not projected: fewer than 20 children were looked after" in section
    assert "child was looked after" not in section


def test_the_projections_page_is_suppressed_as_it_is_published(world):  # type: ignore[no-untyped-def]
    from lachealth.people.models import Area

    from .population import looked_after_population

    looked_after_population(Area.objects.get(code=BRADFORD), date(2026, 11, 23))
    html = report_html(BRADFORD, "Bradford", year_to_march(2026), as_of=date(2026, 11, 23))
    section = _projection_section(html)
    assert 'class="app-chart app-chart--fan"' in section and "data:image/png" in section
    assert "Children looked after at each month end" in section
    assert "Expected health work by quarter" in section
    cells = re.findall(r"<td>([^<]*)</td>", section)
    numbers = [c.replace(",", "") for c in cells if c not in ("c", "")]
    assert numbers and all(int(n) % 5 == 0 for n in numbers)
    assert "rounded to the nearest 5" in section
