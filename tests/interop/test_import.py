"""Importing a return: matched by CHILD, idempotent, incremental, warnings accepted, all or
nothing, and only by a data officer of the LA named in the return."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from lachealth.care.models import Child, Episode
from lachealth.interop import checks, imports
from lachealth.interop.models import ImportAttempt, ReportedOutcome
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD
from .helpers import check, edited, exported, import_return, rows, snapshot, to_csv


def test_export_then_import_into_an_empty_record_gives_the_same_files(world):
    before = exported(BRADFORD, 2025)
    Child.objects.all().delete()
    attempt = import_return(world.users["la_a_data"], BRADFORD, 2025, before)
    assert attempt.status == "imported"
    assert attempt.summary["Header"] == {"added": 2, "changed": 0, "unchanged": 0}
    assert exported(BRADFORD, 2025) == before
    child = Child.objects.get(la_child_id="A1")
    assert str(child) == "Child A1 (name not recorded)"  # the return carries no names
    assert child.looked_after and child.current_placement_area_id == BRADFORD  # BD1 1AA
    first = child.history.order_by("history_id").first()  # written so from the start
    assert first.looked_after and first.current_placement_area_id == BRADFORD


def test_importing_the_same_return_twice_changes_nothing(world):
    files = exported(BRADFORD, 2025)
    officer = world.users["la_a_data"]
    import_return(officer, BRADFORD, 2025, files)  # keeps the reported OC2
    history = (Child.history.count(), Episode.history.count())
    again = import_return(officer, BRADFORD, 2025, files)
    assert again.status == "unchanged"
    assert again.summary["Episodes"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 2}
    assert (Child.history.count(), Episode.history.count()) == history


def test_next_months_extract_changes_only_what_changed(world):
    officer = world.users["la_a_data"]
    files = exported(BRADFORD, 2026)
    episodes = rows(files["Episodes.csv"])
    # A1 moves on 1 March 2026: the open episode ends X1 and a new one starts.
    a1 = next(e for e in episodes if e["CHILD"] == "A1")
    a1.update(DEC="01/03/2026", REC="X1", REASON_PLACE_CHANGE="CARPL")
    moved = dict(a1, DECOM="01/03/2026", RNE="P", PLACE="U6", DEC="", REC="", PL_POST="HX1 1AA")
    moved["REASON_PLACE_CHANGE"] = ""
    episodes.insert(1, moved)
    files["Episodes.csv"] = to_csv(episodes)
    checked = check(officer, BRADFORD, 2026, files)
    assert checked.attempt.summary["Episodes"] == {
        "added": 1,
        "changed": 1,
        "removed": 0,
        "unchanged": 1,
    }
    assert Episode.objects.filter(child__la_child_id="A1").count() == 1  # nothing written yet
    imports.apply_import(checked.attempt, by=officer, accept_warnings=True)
    child = Child.objects.get(la_child_id="A1")
    latest = child.episodes.order_by("decom").last()
    assert (latest.decom, latest.place, latest.placement_area_id) == (
        date(2026, 3, 1),
        "U6",
        "E08000033",  # HX1 is Calderdale: the child is now placed out of area
    )
    assert child.current_placement_area_id == "E08000033"
    assert child.episodes.get(decom=date(2024, 1, 10)).rec == "X1"
    history = latest.history.first()
    assert history.history_user == officer and "SSDA903 import" in history.history_change_reason


def test_an_episode_missing_from_the_return_is_removed_and_said(world):
    officer = world.users["la_a_data"]
    child = world.children["child_a"]
    Episode.objects.filter(child=child).update(dec=date(2025, 6, 1), rec="X1")
    Episode.objects.create(
        child=child,
        decom=date(2025, 6, 1),
        rne="P",
        ls="C2",
        cin="N1",
        place="U6",
        place_provider="PR1",
        placement_area_id=BRADFORD,
    )
    files = exported(BRADFORD, 2026)
    episodes = [e for e in rows(files["Episodes.csv"]) if e["DECOM"] != "01/06/2025"]
    a1 = next(e for e in episodes if e["CHILD"] == "A1")
    a1.update(DEC="", REC="", REASON_PLACE_CHANGE="")
    files["Episodes.csv"] = to_csv(episodes)
    attempt = import_return(officer, BRADFORD, 2026, files)
    assert attempt.summary["Episodes"]["removed"] == 1
    assert list(child.episodes.values_list("decom", "dec")) == [(date(2024, 1, 10), None)]
    removal = Episode.history.filter(history_type="-").get()
    assert removal.decom == date(2025, 6, 1) and removal.history_user == officer


def test_warnings_must_be_accepted_and_who_accepted_them_is_kept(world):
    officer = world.users["la_a_data"]
    checked = check(officer, BRADFORD, 2025, exported(BRADFORD, 2025))
    warnings = checked.attempt.warnings
    assert {w["code"] for w in warnings} >= {"393", "218"}  # MOTHER blank, URN missing
    first = next(w for w in warnings if w["code"] == "393")
    assert (first["file"], first["row"], first["column"], first["child"]) == (
        "Header.csv",
        1,
        "MOTHER",
        "A1",
    )
    with pytest.raises(imports.ImportNotAllowed, match="accept them to import"):
        imports.apply_import(checked.attempt, by=officer, accept_warnings=False)
    assert not ReportedOutcome.objects.exists()
    done = imports.apply_import(checked.attempt, by=officer, accept_warnings=True)
    assert done.accepted_by == officer and "393" in done.accepted_warnings


def test_a_child_typed_in_by_hand_is_the_same_record_and_nhs_numbers_cross_check(world):
    officer = world.users["la_a_data"]
    child = world.children["child_a"]
    child.nhs_number = "9990000018"
    child.save()
    files = exported(BRADFORD, 2025)
    header = rows(files["Header.csv"])
    for row in header:
        row["NHS_NUMBER"] = {"A1": "9990000026", "A2": "9990000034"}[row["CHILD"]]
    files["Header.csv"] = to_csv(header)
    checked = check(officer, BRADFORD, 2025, files)
    mismatch = [p for p in checked.attempt.warnings if p["code"] == checks.NHS_NUMBER]
    assert len(mismatch) == 1 and mismatch[0]["row"] == 1
    assert "not the recorded 9990000018" in mismatch[0]["message"]
    imports.apply_import(checked.attempt, by=officer, accept_warnings=True)
    assert Child.objects.filter(la_child_id="A1").count() == 1  # matched, not duplicated
    child.refresh_from_db()
    assert child.nhs_number == "9990000018"  # the record keeps its number
    assert Child.objects.get(la_child_id="A2").nhs_number == "9990000034"  # filled in
    # A2's number filled in is its one change; A1 keeps its own and is unchanged
    assert checked.attempt.summary["Header"] == {"added": 0, "changed": 1, "unchanged": 1}


def test_new_children_with_nhs_numbers_are_added_not_also_changed(world):
    files = exported(BRADFORD, 2025)
    header = rows(files["Header.csv"])
    for row in header:
        row["NHS_NUMBER"] = {"A1": "9990000026", "A2": "9990000034"}[row["CHILD"]]
    files["Header.csv"] = to_csv(header)
    Child.objects.all().delete()
    attempt = import_return(world.users["la_a_data"], BRADFORD, 2025, files)
    assert attempt.summary["Header"] == {"added": 2, "changed": 0, "unchanged": 0}
    assert attempt.message.startswith("Imported. Header: 2 added; Episodes")
    assert Child.objects.get(la_child_id="A1").nhs_number == "9990000026"


def test_the_record_changing_after_the_check_stops_the_import(world):
    officer = world.users["la_a_data"]
    files = exported(BRADFORD, 2025)
    files["Header.csv"] = edited(files["Header.csv"], "A1", ETHNIC="WIRI")
    checked = check(officer, BRADFORD, 2025, files)
    Child.objects.filter(la_child_id="A1").update(ethnicity="WIRI")  # someone types it in
    with pytest.raises(imports.ImportNotAllowed, match="changed since this return was checked"):
        imports.apply_import(checked.attempt, by=officer, accept_warnings=True)
    checked.attempt.refresh_from_db()
    assert checked.attempt.summary["Header"]["changed"] == 0  # what would change now


def test_a_failure_while_writing_leaves_the_record_as_it_was(world, monkeypatch):
    officer = world.users["la_a_data"]
    Child.objects.all().delete()
    files = exported(BRADFORD, 2025)  # empty
    files = {
        "Header.csv": b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nZ1,M,01/06/2015,WBRI,UN4,,\n",
        "Episodes.csv": files["Episodes.csv"]
        + b"Z1,10/01/2024,S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n",
    }
    checked = check(officer, BRADFORD, 2025, files)
    before = snapshot()

    def broken(child_pks):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_sync_children", broken)
    with pytest.raises(RuntimeError):
        imports.apply_import(checked.attempt, by=officer, accept_warnings=True)
    assert snapshot() == before
    checked.attempt.refresh_from_db()
    assert checked.attempt.status == "failed" and "nothing was written" in checked.attempt.message


def test_only_a_data_officer_of_the_named_la_may_import(world):
    files = exported(BRADFORD, 2025)
    for name in ("la_b_data", "la_a_sw", "prov_a_nurse", "commissioner", "sysadmin"):
        with pytest.raises(PermissionDenied):
            check(world.users[name], BRADFORD, 2025, files)
    assert not ImportAttempt.objects.exists()


def test_every_attempt_is_audited_with_its_file_hashes(world):
    import hashlib

    files = exported(BRADFORD, 2025)
    import_return(world.users["la_a_data"], BRADFORD, 2025, files)
    digest = hashlib.sha256(files["Episodes.csv"]).hexdigest()
    rows = AccessLog.objects.filter(action="import").order_by("pk")
    assert [r.detail.split(": ")[1].split(";")[0] for r in rows] == ["checked", "imported"]
    assert all(r.user == world.users["la_a_data"] and digest in r.detail for r in rows)
    attempt = ImportAttempt.objects.get()
    assert {f["sha256"] for f in attempt.files} >= {digest}


def test_the_command_checks_shows_and_imports(world, tmp_path):
    for name, content in exported(BRADFORD, 2025).items():
        (tmp_path / name).write_bytes(content)
    paths = [str(p) for p in sorted(tmp_path.iterdir())]
    args = [*paths, "--la", "380", "--year", "2025", "--user", "la_a_data"]
    out = StringIO()
    call_command("import-903", *args, "--dry-run", stdout=out, stderr=StringIO())
    assert "warning 393: Header.csv row 1 column MOTHER" in out.getvalue()
    assert "Dry run: nothing was written" in out.getvalue()
    assert not ReportedOutcome.objects.exists()
    with pytest.raises(CommandError, match="accept them to import"):
        call_command("import-903", *args, stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import-903", *args, "--accept-warnings", stdout=out, stderr=StringIO())
    assert "OC2: 2 added" in out.getvalue()
    assert ReportedOutcome.objects.count() == 2
    with pytest.raises(CommandError, match="Only a data officer of Bradford"):
        call_command("import-903", *paths, "--la", "380", "--year", "2025", "--user", "la_b_data")


def test_an_extract_of_several_years_imports_once_and_again_changes_nothing(world):
    officer = world.users["la_a_data"]
    Child.objects.all().delete()
    files = {
        "Header.csv": b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nZ1,M,01/06/2012,WBRI,UN4,,\n",
        "Episodes.csv": (
            b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
            b"HOME_POST,PL_POST,URN\n"
            # from 2019, before the year, to after it: the case system's whole history
            b"Z1,10/01/2019,S,C2,N1,U4,PR1,01/06/2024,X1,CARPL,BD1 1AA,BD7 1AA,SC400032\n"
            b"Z1,01/06/2024,P,C2,N1,U6,PR1,01/05/2025,X1,CARPL,BD1 1AA,BD7 1AB,SC400032\n"
            b"Z1,01/05/2025,P,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n"
        ),
    }
    first = import_return(officer, BRADFORD, 2025, files)
    assert first.summary["Episodes"]["added"] == 3
    again = import_return(officer, BRADFORD, 2025, files)
    assert again.status == "unchanged"
    assert again.summary["Episodes"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 3}
