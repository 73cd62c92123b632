"""The SSDA903 export: Header, Episodes and OC2 built from the record, for one LA and year."""

from __future__ import annotations

import csv
import io
from datetime import date
from io import StringIO

from django.core.management import call_command

from lachealth.care import services as care_services
from lachealth.health.models import HealthAssessment, SdqResult
from lachealth.interop.export import build_return
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD


def rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_export_builds_the_three_files_for_the_year(world):
    child = world.children["child_a"]  # in care since 10 January 2024, born 1 June 2015
    care_services.record_leaving_care(
        by=world.users["la_a_sw"],
        child=world.children["child_a_out"],
        on=date(2025, 6, 1),
        rec="E4A",
        as_of=date(2025, 7, 1),
    )
    HealthAssessment.objects.create(
        child=child,
        kind="RHA",
        completed_on=date(2024, 9, 2),
        provider=world.orgs["prov_a"],
        practitioner=world.users["prov_a_nurse"],
        professional="nurse",
        due_on=date(2024, 9, 2),
        immunisations="yes",
        dental_check_on=date(2024, 8, 1),
    )
    SdqResult.objects.create(
        child=child,
        completed_on=date(2024, 9, 1),
        informant="carer",
        items=[1] * 25,
        total_difficulties=20,
        band="high",
        recorded_by=world.users["prov_a_admin"],
    )
    result = build_return(BRADFORD, 2025)  # the year 1 April 2024 to 31 March 2025

    world.children["child_a_out"].__class__.objects.filter(la_child_id="A1").update(mother=False)
    result = build_return(BRADFORD, 2025)
    header = {r["CHILD"]: r for r in rows(result.files["Header.csv"])}
    assert header["A1"]["MOTHER"] == "0"  # a girl (the factory's sex is F), not a mother
    assert header["A2"]["MOTHER"] == ""  # not recorded
    assert set(header) == {"A1", "A2"}  # Bradford's children only
    assert header["A1"]["DOB"] == child.date_of_birth.strftime("%d/%m/%Y")
    episodes = rows(result.files["Episodes.csv"])
    out = next(e for e in episodes if e["CHILD"] == "A2")
    assert out["DEC"] == "" and out["REC"] == ""  # left after 31 March: still open at year end
    assert out["DECOM"] == "10/01/2024" and out["RNE"] == "S"
    oc2 = {r["CHILD"]: r for r in rows(result.files["OC2.csv"])}
    assert set(oc2) == {"A1", "A2"}  # looked after continuously for 12 months at 31 March
    a1 = oc2["A1"]
    assert (a1["HEALTH_ASSESSMENT"], a1["IMMUNISATIONS"], a1["TEETH_CHECK"]) == ("1", "1", "1")
    assert a1["SDQ_SCORE"] == "20" and a1["SDQ_REASON"] == ""
    assert a1["CONVICTED"] == "" and a1["HEALTH_CHECK"] == ""  # aged 9: neither applies
    a2 = oc2["A2"]
    assert a2["HEALTH_ASSESSMENT"] == "0" and a2["SDQ_REASON"] == "SDQ4"


def test_export_command_writes_the_files_and_is_audited(world, tmp_path):
    out = StringIO()
    call_command(
        "export-903",
        "--la",
        "380",
        "--year",
        "2025",
        "--user",
        "la_a_data",
        "--out",
        str(tmp_path),
        stdout=out,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Episodes.csv", "Header.csv", "OC2.csv"]
    assert "Bradford 2024/25: 2 children" in out.getvalue()
    assert AccessLog.objects.filter(action="export", detail__contains="SSDA903").exists()


def test_urns_are_exported_only_where_the_return_expects_them(world):
    from lachealth.care.models import Episode

    Episode.objects.filter(child__la_child_id="A1").update(place="U4", urn="SC400032")
    Episode.objects.filter(child__la_child_id="A2").update(place="P1", urn="SC400032")
    episodes = {r["CHILD"]: r for r in rows(build_return(BRADFORD, 2025).files["Episodes.csv"])}
    assert episodes["A1"]["URN"] == "SC400032"  # foster placement: the fostering service's URN
    assert episodes["A2"]["URN"] == ""  # placed with parents: no URN (rule 218)


def test_short_break_episodes_carry_no_location(world):
    from lachealth.care.models import Episode

    Episode.objects.filter(child__la_child_id="A1").update(ls="V3", home_post="BD1 2AB")
    episodes = {r["CHILD"]: r for r in rows(build_return(BRADFORD, 2025).files["Episodes.csv"])}
    assert (episodes["A1"]["HOME_POST"], episodes["A1"]["PL_POST"], episodes["A1"]["URN"]) == (
        "",
        "",
        "",
    )  # rules 214 and 398
    assert episodes["A2"]["PL_POST"] == "BD1 1AA"


def test_substance_misuse_interventions_are_exported_from_the_latest_assessment(world):
    child = world.children["child_a"]
    for day, received, offered in (
        (date(2024, 5, 1), True, None),
        (date(2024, 11, 1), False, True),
    ):
        HealthAssessment.objects.create(
            child=child,
            kind="RHA",
            completed_on=day,
            provider=world.orgs["prov_a"],
            practitioner=world.users["prov_a_nurse"],
            professional="nurse",
            due_on=day,
            immunisations="yes",
            substance_misuse=True,
            intervention_received=received,
            intervention_offered=offered,
        )
    oc2 = {r["CHILD"]: r for r in rows(build_return(BRADFORD, 2025).files["OC2.csv"])}
    a1 = oc2["A1"]
    assert (a1["SUBSTANCE_MISUSE"], a1["INTERVENTION_RECEIVED"], a1["INTERVENTION_OFFERED"]) == (
        "1",
        "0",
        "1",
    )
    assert oc2["A2"]["INTERVENTION_RECEIVED"] == "" and oc2["A2"]["SUBSTANCE_MISUSE"] == "0"
