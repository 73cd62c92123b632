"""Every year's return: read in its own year's codes, checked with the nearest rules the DfE
validator has, placements outside England kept, and every problem found in one round."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lachealth.care.models import Child, Episode
from lachealth.handovers.models import Notification
from lachealth.interop import checks, imports, years
from lachealth.interop.export import build_return
from lachealth.interop.models import ImportAttempt

from ..conftest import BRADFORD
from .helpers import check, import_return, rows
from .test_import_refusals import refused


def header(sex_a: str, sex_b: str) -> bytes:
    return (
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        f"Y1,{sex_a},01/06/2010,WBRI,UN4,,\n"
        f"Y2,{sex_b},02/03/2008,WBRI,UN4,0,\n"
    ).encode()


def episodes(year: int, pl_post_b: str = "BD7 1AB") -> bytes:
    """Y1 in care from the year's first June, Y2 all year and moved in its September."""
    start = year - 1
    return (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n"
        f"Y1,01/06/{start},S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n"
        f"Y2,05/05/{start - 1},S,C2,N1,U4,PR1,01/09/{start},X1,CARPL,BD1 1AA,BD7 1AA,SC400032\n"
        f"Y2,01/09/{start},P,C2,N1,U6,PR1,,,,BD1 1AA,{pl_post_b},SC400032\n"
    ).encode()


@pytest.mark.parametrize(
    ("year", "codes", "stored"),
    [
        (2017, ("1", "2"), ("M", "F")),
        (2024, ("1", "2"), ("M", "F")),
        (2025, ("M", "F"), ("M", "F")),
    ],
)
def test_sex_is_read_in_the_years_own_codes_and_kept_in_one_spelling(world, year, codes, stored):
    officer = world.users["la_a_data"]
    import_return(officer, BRADFORD, year, {"h.csv": header(*codes), "e.csv": episodes(year)})
    kept = dict(
        Child.objects.filter(la_child_id__in=["Y1", "Y2"]).values_list("la_child_id", "sex")
    )
    assert (kept["Y1"], kept["Y2"]) == stored
    exported = {
        r["CHILD"]: r["SEX"] for r in rows(build_return(BRADFORD, year).files["Header.csv"])
    }
    assert (exported["Y1"], exported["Y2"]) == codes


def test_a_sex_code_of_another_year_is_refused_naming_the_years_codes(world):
    problem = next(
        p
        for p in refused(world, {"h.csv": header("1", "2"), "e.csv": episodes(2026)})
        if p["column"] == "SEX"
    )
    assert problem["message"] == "“1” is not a SEX code of the 2025/26 return (M, F, U)"
    assert problem["code"] == checks.CODE and problem["row"] == 1
    attempt = check(
        world.users["la_a_data"],
        BRADFORD,
        2024,
        {"h.csv": header("M", "F"), "e.csv": episodes(2024)},
    )
    messages = [p["message"] for p in attempt.attempt.blocking]
    assert "“M” is not a SEX code of the 2023/24 return (1, 2)" in messages
    assert "“F” is not a SEX code of the 2023/24 return (1, 2)" in messages


def test_an_older_return_is_checked_with_the_earliest_rules_and_says_so(world, as_user):
    officer = world.users["la_a_data"]
    checked = check(officer, BRADFORD, 2017, {"h.csv": header("1", "2"), "e.csv": episodes(2017)})
    assert checked.attempt.status == "checked", checked.attempt.blocking
    assert checked.attempt.summary["ruleset"] == 2023
    note = imports.ruleset_note(2017, 2023)
    assert note.startswith("The DfE validator has no rules for 2016/17: this return was checked")
    assert "the earliest it has, those of 2022/23" in note
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False):
        page = as_user("la_a_data").get(reverse("interop:attempt", args=[checked.attempt.pk]))
    assert "The DfE validator has no rules for 2016/17" in page.content.decode()
    assert imports.ruleset_note(2026, 2026) == ""
    assert "the latest it has, those of 2026/27" in imports.ruleset_note(2029, 2027)


def test_the_command_says_which_rules_checked_an_older_return(world, tmp_path):
    (tmp_path / "h.csv").write_bytes(header("1", "2"))
    (tmp_path / "e.csv").write_bytes(episodes(2019))
    out = StringIO()
    args = [str(tmp_path / "h.csv"), str(tmp_path / "e.csv"), "--la", "380", "--year", "2019"]
    call_command(
        "import-903", *args, "--user", "la_a_data", "--dry-run", stdout=out, stderr=StringIO()
    )
    assert "no rules for 2018/19: this return was checked with the earliest" in out.getvalue()
    (tmp_path / "h.csv").write_bytes(header("1", "X"))
    out = StringIO()
    with pytest.raises(CommandError, match="refused: nothing was written"):
        call_command("import-903", *args, "--user", "la_a_data", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("1 error and ")
    assert (
        "ERROR LH12: h.csv row 2 column SEX: “X” is not a SEX code of the 2018/19" in out.getvalue()
    )


@pytest.mark.parametrize(
    ("postcode", "nation"),
    [("CF10 1EP", "Wales"), ("EH1 1YZ", "Scotland"), ("BT1 5GS", "Northern Ireland")],
)
def test_a_child_placed_outside_england_is_imported_as_placed_out_of_area(world, postcode, nation):
    officer = world.users["la_a_data"]
    with time_machine.travel("2025-09-10 09:00 +0000", tick=False):  # a week after the move
        import_return(
            officer, BRADFORD, 2026, {"h.csv": header("M", "F"), "e.csv": episodes(2026, postcode)}
        )
    child = Child.objects.get(la_child_id="Y2")
    moved = Episode.objects.get(child=child, dec__isnull=True)
    assert moved.pl_post == postcode and moved.placement_area.name == nation
    assert child.current_placement_area.name == nation and child.is_placed_out_of_area
    assert child.current_placement_area.nation != "E"
    notice = Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")
    assert notice.recipient_area.name == nation and notice.status == "no_recipient"
    # Imported again, nothing changes.
    again = import_return(
        officer, BRADFORD, 2026, {"h.csv": header("M", "F"), "e.csv": episodes(2026, postcode)}
    )
    assert again.status == "unchanged"


def test_every_problem_of_a_return_is_found_in_one_round(world):
    """An unknown LS in Episodes and a bad SEX in Header, on the same child, both at once,
    with the DfE's rules run as well."""
    bad_episodes = episodes(2026).replace(b"Y1,01/06/2025,S,C2", b"Y1,01/06/2025,S,Q7")
    checked = check(
        world.users["la_a_data"], BRADFORD, 2026, {"h.csv": header("X", "F"), "e.csv": bad_episodes}
    )
    attempt = ImportAttempt.objects.get(pk=checked.attempt.pk)
    assert attempt.status == "refused"
    found = {(p["file"], p["row"], p["column"], p["code"]) for p in attempt.blocking}
    assert found == {("h.csv", 1, "SEX", checks.CODE), ("e.csv", 1, "LS", checks.CODE)}
    dfe = {p["code"] for p in attempt.warnings}
    assert {"101", "144"} <= dfe  # the DfE's own rules on SEX and LS ran in the same round
    assert attempt.summary["ruleset"] == 2026


def test_messages_read_as_english(world, as_user):
    bad = header("M", "F").replace(b"Y1,M,01/06/2010,WBRI", b"Y1,M,01/06/2010,WXYZ")
    problem = next(
        p
        for p in refused(world, {"h.csv": bad, "e.csv": episodes(2026)})
        if p["column"] == "ETHNIC"
    )
    assert problem["message"].startswith("“WXYZ” is not an ETHNIC code of the 2025/26 return")
    bad_rne = episodes(2026).replace(b"Y1,01/06/2025,S,", b"Y1,01/06/2025,Q,")
    problem = next(
        p
        for p in refused(world, {"h.csv": header("M", "F"), "e.csv": bad_rne})
        if p["column"] == "RNE"
    )
    assert "is not an RNE code" in problem["message"]
    attempt = ImportAttempt.objects.filter(status="refused").latest("pk")
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False):
        page = (
            as_user("la_a_data").get(reverse("interop:attempt", args=[attempt.pk])).content.decode()
        )
    assert "1 error and" in page and "1 errors" not in page
    assert "LH12" in page and "Codes are in the code lists of the return" in page


def test_rules_that_could_not_run_are_explained():
    note = imports.not_run_note(
        {"rules not run": ["231"], "what they check": {"231": "Placement provider is wrong."}}
    )
    assert note.startswith("One of the DfE rules could not be run on this return")
    assert "a fault in the validator rather than in your return" in note
    assert note.endswith("Check by hand: 231 (Placement provider is wrong).")
    two = imports.not_run_note({"rules not run": ["231", "233"], "what they check": {}})
    assert two.startswith("2 of the DfE rules") and "Check by hand: 231; 233." in two
    assert imports.not_run_note({"rules not run": []}) == ""


def test_a_validator_that_stops_is_a_warning_not_a_failure(world, monkeypatch):
    from lachealth.interop import validator

    def stops(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("CHILD")

    monkeypatch.setattr(validator, "validate", stops)
    checked = check(
        world.users["la_a_data"],
        BRADFORD,
        2026,
        {"h.csv": header("M", "F"), "e.csv": episodes(2026)},
    )
    assert checked.attempt.status == "checked"
    warning = next(p for p in checked.attempt.warnings if p["code"] == checks.RULES)
    assert "the validator stopped (KeyError)" in warning["message"]


def test_the_form_offers_every_year_back_to_2013_14():
    offered = [y for y, _ in years.choices(date(2026, 12, 1))]
    assert offered[0] == 2026 and offered[-1] == years.FIRST_YEAR == 2014
    assert years.label(2017) == "2016/17" and years.sex_in_return("F", 2024) == "2"


def test_a_later_returns_details_stand_and_a_u_in_an_older_year_is_kept(world):
    """A child a later return calls U is exported as U in an older year's return, which then
    imports with a warning; and an older year's Header does not undo the later details."""
    officer = world.users["la_a_data"]
    import_return(officer, BRADFORD, 2024, {"h.csv": header("1", "2"), "e.csv": episodes(2024)})
    import_return(officer, BRADFORD, 2026, {"h.csv": header("U", "F")})
    assert Child.objects.get(la_child_id="Y1").sex == "U"
    older = build_return(BRADFORD, 2024).files
    assert {r["CHILD"]: r["SEX"] for r in rows(older["Header.csv"])}["Y1"] == "U"
    checked = check(officer, BRADFORD, 2024, dict(older))
    assert checked.attempt.status == "checked", checked.attempt.blocking
    warning = next(p for p in checked.attempt.warnings if p["column"] == "SEX")
    assert "kept as not known" in warning["message"] and warning["code"] == checks.CODE
    # The LA's own 2023/24 file said 1 (male): the 2025/26 return's U stands.
    own = check(officer, BRADFORD, 2024, {"h.csv": header("1", "2"), "e.csv": episodes(2024)})
    later = next(p for p in own.attempt.warnings if p["code"] == checks.LATER_RETURN)
    assert (
        "the 2025/26 return imported already: the later return's details are kept"
        in later["message"]
    )
    imports.apply_import(own.attempt, by=officer, accept_warnings=True)
    assert Child.objects.get(la_child_id="Y1").sex == "U"


def test_a_date_no_return_can_hold_is_refused(world):
    bad = episodes(2026).replace(
        b"Y1,01/06/2025,S,C2,N1,U4,PR1,,", b"Y1,01/06/2025,S,C2,N1,U4,PR1,31/12/9999,"
    )
    problem = next(
        p for p in refused(world, {"h.csv": header("M", "F"), "e.csv": bad}) if p["column"] == "DEC"
    )
    assert (
        problem["message"]
        == "“31/12/9999” is not a date this return can hold: give one from 1900 to 2028"
    )
    assert problem["code"] == checks.DATE
