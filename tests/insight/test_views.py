"""The measures pages per role: commissioners see suppressed aggregates and never a child or a
list of children; staff who see children get their caseload's measures and, through the
access policy, only the children they may see behind a figure. Downloads are audited."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lachealth.health.models import HealthAssessment
from lachealth.insight.measures import BY_KEY, Tally
from lachealth.insight.selectors import Shown, baseline_shown
from lachealth.people.models import AccessAction, AccessLog, OrganisationKind, Role

from ..conftest import BRADFORD, LEEDS, sign_in
from ..factories import MembershipFactory, OrganisationFactory, UserFactory, area, child_in_care

pytestmark = pytest.mark.django_db

DASHBOARD = "/measures/"
NAMES = ("Ashby", "Outram", "Bexley")  # (the fourth, Calder, is in "Calderdale")


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


def children_url(measure: str, which: str, area: str) -> str:
    return reverse("insight:children", args=[measure]) + f"?period=rolling&which={which}&in={area}"


def test_anonymous_users_are_sent_to_sign_in(client, world):  # type: ignore[no-untyped-def]
    for url in (DASHBOARD, children_url("placed_out_of_area", "gap", BRADFORD)):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize("name", ["sysadmin", "norole"])
def test_roles_without_measures_are_refused(as_user, name):  # type: ignore[no-untyped-def]
    assert as_user(name).get(DASHBOARD).status_code == 403


def test_the_measures_pages_answer_get_only(as_user):  # type: ignore[no-untyped-def]
    """They change nothing: a POST is refused before any figure is counted or drawn (the
    access matrix found each POST counting, or drawing a board report, all over again)."""
    client = as_user("commissioner")
    for url in (
        DASHBOARD,
        reverse("insight:report") + f"?area={BRADFORD}",
        reverse("insight:download", args=["summary", "csv"]),
        children_url("placed_out_of_area", "gap", BRADFORD),
    ):
        assert client.post(url).status_code == 405, url
    assert client.head(DASHBOARD).status_code == 200


def test_commissioner_sees_every_measure_suppressed_and_no_child(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(DASHBOARD + "?period=rolling")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Initial health assessments within 20 working days", "Placed out of area"):
        assert name in page
    assert 'class="app-suppressed"' in page  # the world's counts are all small
    assert "/children/" not in page
    assert not any(name in page for name in NAMES)


@pytest.mark.parametrize(
    "url",
    [
        children_url("placed_out_of_area", "counted", BRADFORD),
        children_url("placed_out_of_area", "gap", BRADFORD),
        children_url("three_placements", "gap", LEEDS),
    ],
)
def test_commissioner_cannot_reach_the_children_behind_a_figure(as_user, url):  # type: ignore[no-untyped-def]
    assert as_user("commissioner").get(url).status_code == 403


def test_commissioner_cannot_reach_child_level_pages(as_user, world):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    child = world.children["child_a"]
    for url in (
        reverse("care:child_list"),
        reverse("care:child_detail", args=[child.pk]),
        reverse("health:worklist"),
        reverse("health:actions"),
        reverse("handovers:notification_list"),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_are_suppressed_like_the_page_and_audited(as_user, world, fmt):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    url = reverse("insight:download", args=["areas", fmt])
    response = client.get(url + "?period=rolling&measure=placed_out_of_area")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [
            [str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)
        ]
    assert rows[0][:5] == ["Measure", "Period", "Area", "Numerator", "Denominator"]
    bradford = next(r for r in rows if r[2] == "Bradford")
    assert bradford[3] == "c" and bradford[4] == "c"  # 1 of 2 children: both hidden
    assert not any(name in cell for row in rows for cell in row for name in NAMES)
    logged = AccessLog.objects.filter(user=world.users["commissioner"], action=AccessAction.EXPORT)
    assert logged.count() == 1 and "placed_out_of_area" in logged.get().detail


def test_every_table_downloads(as_user):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    for table in ("summary", "areas", "trend"):
        url = reverse("insight:download", args=[table, "csv"]) + "?measure=iha_on_time"
        assert client.get(url).status_code == 200, table
    assert client.get(reverse("insight:download", args=["areas", "csv"])).status_code == 404
    assert client.get(reverse("insight:download", args=["nonsense", "csv"])).status_code == 404


def test_a_bad_filter_is_refused_naming_the_field(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(DASHBOARD + "?period=2030-31&sex=X")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a period from the list" in page and "Choose a sex from the list" in page


def test_commissioner_cannot_pick_an_area_outside_the_footprint(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(DASHBOARD + "?area=E09000001")
    assert response.status_code == 400
    assert "Choose one of your areas from the list" in response.content.decode()


def test_staff_see_their_caseload_unsuppressed_with_links_to_the_children(as_user):  # type: ignore[no-untyped-def]
    response = as_user("la_a_sw").get(DASHBOARD + "?period=rolling")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="app-suppressed"' not in page
    assert children_url("placed_out_of_area", "counted", BRADFORD).split("?")[0] in page


def test_drill_down_lists_only_the_children_the_user_may_see(as_user, world):  # type: ignore[no-untyped-def]
    sw = as_user("la_a_sw")
    counted = sw.get(children_url("placed_out_of_area", "counted", BRADFORD)).content.decode()
    gap = sw.get(children_url("placed_out_of_area", "gap", BRADFORD)).content.decode()
    assert "Outram" in counted and "Ashby" not in counted
    assert "Ashby" in gap and "Outram" not in gap
    # Leeds's children exist, but not for a Bradford social worker, whatever the URL says
    leeds = sw.get(children_url("placed_out_of_area", "gap", LEEDS)).content.decode()
    assert "Bexley" not in leeds and "No children you can see" in leeds
    # Calderdale's nurse sees the Bradford child placed in Calderdale, not the one at home
    nurse = as_user("prov_c_nurse")
    assert (
        "Outram"
        in nurse.get(children_url("placed_out_of_area", "counted", BRADFORD)).content.decode()
    )
    assert (
        "Ashby"
        not in nurse.get(children_url("placed_out_of_area", "gap", BRADFORD)).content.decode()
    )


def test_drill_down_is_logged(as_user, world):  # type: ignore[no-untyped-def]
    as_user("la_a_sw").get(children_url("placed_out_of_area", "gap", BRADFORD))
    row = AccessLog.objects.get(user=world.users["la_a_sw"], action=AccessAction.SEARCH)
    assert "placed_out_of_area gap in E08000032" in row.detail and "1 children" in row.detail


def test_drill_down_refuses_unknown_measures_and_missing_areas(as_user):  # type: ignore[no-untyped-def]
    sw = as_user("la_a_sw")
    assert sw.get(reverse("insight:children", args=["nonsense"])).status_code == 404
    url = reverse("insight:children", args=["placed_out_of_area"]) + "?which=gap"
    assert sw.get(url).status_code == 404


def test_one_area_in_the_summary_is_suppressed_as_in_its_table(as_user):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    url = reverse("insight:download", args=["summary", "csv"])
    rows = list(
        csv.reader(
            io.StringIO(client.get(url + f"?period=rolling&area={BRADFORD}").content.decode())
        )
    )
    placed = next(r for r in rows if r[0] == "Placed out of area")
    assert placed[2] == "Bradford" and placed[3:5] == ["c", "c"]


def test_a_health_teams_summary_counts_every_child_it_can_see(as_user):  # type: ignore[no-untyped-def]
    """Calderdale's nurse sees Calderdale's child and Bradford's child placed in Calderdale:
    the summary counts both, not only the children of Calderdale's own LA."""
    url = reverse("insight:download", args=["summary", "csv"]) + "?period=rolling"
    rows = list(csv.reader(io.StringIO(as_user("prov_c_nurse").get(url).content.decode())))
    placed = next(r for r in rows if r[0] == "Placed out of area")
    assert placed[3:5] == ["1", "2"]


def test_a_bad_breakdown_is_refused_in_plain_words(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(DASHBOARD + "?age_band=90-99&ethnicity=x")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose an age band from the list" in page
    assert "Choose an ethnic group from the list" in page


def test_commissioners_break_figures_down_by_one_characteristic_at_a_time(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(DASHBOARD + "?sex=F&placement=foster")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Commissioners break figures down by one characteristic at a time" in page
    assert "or All for sex" in page
    url = reverse("insight:download", args=["summary", "csv"]) + "?sex=F&location=out"
    assert as_user("commissioner").get(url).status_code == 400
    assert as_user("commissioner").get(DASHBOARD + "?placement=foster").status_code == 200
    # Staff see the children anyway: they may cross any breakdowns.
    assert as_user("la_a_sw").get(DASHBOARD + "?sex=F&placement=foster").status_code == 200


def test_a_footprint_broken_down_is_shown_whole_not_area_by_area(as_user, world):  # type: ignore[no-untyped-def]
    commissioner = as_user("commissioner")  # of Bradford, Leeds and Calderdale
    response = commissioner.get(DASHBOARD + f"?area={BRADFORD}&sex=F")
    assert response.status_code == 400
    assert "figures are for your whole footprint, not one area" in response.content.decode()
    url = reverse("insight:download", args=["areas", "csv"])
    rows = list(
        csv.reader(
            io.StringIO(commissioner.get(f"{url}?measure=health_assessment&sex=F").content.decode())
        )
    )
    assert [r[2] for r in rows[1:]] == ["Total"]  # the footprint's figures, no area's
    page = commissioner.get(DASHBOARD + "?sex=F").content.decode()
    assert "broken down, figures are for the areas together, not area by area" in page
    whole = list(
        csv.reader(
            io.StringIO(commissioner.get(f"{url}?measure=health_assessment").content.decode())
        )
    )
    assert {"Bradford", "Leeds", "Total"} <= {r[2] for r in whole[1:]}


def test_the_average_is_not_shown_on_fewer_than_10_or_from_a_hidden_count():
    measure = BY_KEY["health_assessment"]
    hidden, six, sixty, thirty = Shown(None, "c"), Shown(6, "6"), Shown(60, "60"), Shown(30, "30")
    # 3 of 6 would give the hidden 3 back as 50.0%.
    assert baseline_shown(measure, Tally(3, 6), (hidden, six), True) is None
    assert baseline_shown(measure, Tally(7, 7), (Shown(7, "7"), Shown(7, "7")), True) is None
    assert baseline_shown(measure, Tally(30, 60), (hidden, sixty), True) is None
    assert baseline_shown(measure, Tally(30, 60), (thirty, sixty), True) == 0.5
    assert baseline_shown(measure, Tally(3, 6), (Shown(3, "3"), six), False) == 0.5


def _area_rows(client, query: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    url = reverse("insight:download", args=["areas", "csv"])
    text = client.get(f"{url}?measure=health_assessment&period=2025-26{query}").content.decode()
    return {row[2]: row[3:5] for row in csv.reader(io.StringIO(text))}


def test_the_reported_subtraction_of_downloads_no_longer_gives_a_hidden_count(areas):  # type: ignore[no-untyped-def]
    """Annual health assessments, one area, 2025-26: the area's total less the published
    counts of the other placement types gave the 3 children placed with parents."""
    bradford = area(BRADFORD)
    provider = OrganisationFactory(kind=OrganisationKind.HEALTH_PROVIDER, areas=[bradford])
    nurse = UserFactory()
    for n, place in enumerate(["U1"] * 30 + ["K1"] * 7 + ["P1"] * 3):
        child = child_in_care(bradford, la_child_id=f"S{n:03d}")  # in care since January 2024
        child.episodes.update(place=place)
        HealthAssessment.objects.create(
            child=child,
            kind="RHA",
            completed_on=date(2025, 6, 1) + timedelta(days=n),
            provider=provider,
            practitioner=nurse,
            professional="nurse",
            due_on=date(2025, 6, 1) + timedelta(days=n),
            immunisations="yes",
        )
    icb = OrganisationFactory(kind=OrganisationKind.ICB, areas=[bradford])
    commissioner = MembershipFactory(organisation=icb, role=Role.COMMISSIONER).user
    client = sign_in(Client(), commissioner)
    total = _area_rows(client, "")["Bradford"]
    by_type = {
        key: _area_rows(client, f"&placement={key}").get("Bradford", ["0", "0"])
        for key in ("foster", "residential", "parents")
    }
    assert total == ["40", "40"]  # nobody else in Bradford: the total of the types
    assert by_type["parents"] == ["c", "c"]
    shown = [int(n) for key, (n, _) in by_type.items() if key != "parents" and n != "c"]
    assert len(shown) < 2  # another type is hidden too: 40 less the others is not 3
    # the average of one area of 40 is shown; of its 3 placed with parents it is not
    page = client.get("/measures/?period=2025-26&placement=parents").content.decode()
    assert "100.0%" not in page
