"""Bad returns are refused with the file, row and column at fault, write nothing to the record,
and stay in the import log (who, when, file hashes, outcome)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from lachealth.interop.models import ImportAttempt

from ..conftest import BRADFORD
from .helpers import check, edited, exported, rows, snapshot, to_csv

HEADER = (
    b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    b"Z1,M,01/06/2015,WBRI,UN4,,\n"
    b"Z2,F,02/03/2012,WBRI,UN4,0,\n"
)
EPISODES = (
    b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    b"Z1,10/01/2025,S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n"
    b"Z2,05/05/2024,S,C2,N1,U4,PR1,01/09/2025,X1,CARPL,BD1 1AA,BD7 1AA,SC400032\n"
    b"Z2,01/09/2025,P,C2,N1,U6,PR1,,,,BD1 1AA,BD7 1AB,SC400032\n"
)


def refused(world, files: dict[str, bytes]) -> list[dict]:  # type: ignore[no-untyped-def]
    """Upload `files` as Bradford's data officer; assert nothing was written; the problems."""
    before = snapshot()
    attempt = check(world.users["la_a_data"], BRADFORD, 2026, files).attempt
    assert attempt.status == "refused"
    assert snapshot() == before
    kept = ImportAttempt.objects.get(pk=attempt.pk)
    assert kept.uploaded_by == world.users["la_a_data"] and kept.finished_at is not None
    assert {f["name"] for f in kept.files} and all(len(f["sha256"]) == 64 for f in kept.files)
    return [p for p in kept.problems if p["blocking"]]


def one(problems: list[dict]) -> dict:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_sound_return_of_new_children_is_accepted(world):
    attempt = check(world.users["la_a_data"], BRADFORD, 2026, {"h.csv": HEADER, "e.csv": EPISODES})
    assert attempt.attempt.status == "checked", attempt.attempt.blocking
    assert attempt.attempt.summary["Episodes"]["added"] == 3


def test_a_file_that_is_not_csv(world):
    problems = refused(world, {"Header.csv": b"%PDF-1.7\x00\x01binary", "e.csv": EPISODES})
    assert "is named .csv but is not text" in problems[0]["message"]
    assert problems[0]["file"] == "Header.csv"
    problems = refused(world, {"return.xlsx": b"PK\x03\x04...", "e.csv": EPISODES})
    assert any(p["file"] == "return.xlsx" and "not a CSV file" in p["message"] for p in problems)


def test_missing_and_extra_columns(world):
    lacking = HEADER.replace(b",MC_DOB", b"").replace(b",,\n", b",\n").replace(b",0,\n", b",0\n")
    problem = one(refused(world, {"h.csv": lacking, "e.csv": EPISODES}))
    assert (problem["file"], problem["row"], problem["column"]) == ("h.csv", 0, "MC_DOB")
    assert "looks like the Header table, but it lacks MC_DOB" in problem["message"]
    extra = EPISODES.replace(b",URN\n", b",URN,NOTES\n", 1).replace(b"SC400032\n", b"SC400032,x\n")
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": extra}))
    assert (
        problem["column"] == "NOTES" and "columns the table does not: NOTES" in problem["message"]
    )


def test_a_wrong_date_format(world):
    bad = EPISODES.replace(b"Z1,10/01/2025", b"Z1,2025-01-10")
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": bad}))
    assert (problem["file"], problem["row"], problem["column"]) == ("e.csv", 1, "DECOM")
    assert "“2025-01-10” is not a date as dd/mm/YYYY" in problem["message"]


@pytest.mark.parametrize(
    ("column", "good", "bad"),
    [
        ("LS", b",C2,N1,U4,", b",ZZ,N1,U4,"),
        ("PLACE", b",N1,U4,", b",N1,Q9,"),
        ("RNE", b",S,C2,", b",X,C2,"),
        ("REC", b",X1,CARPL,", b",E99,CARPL,"),
    ],
)
def test_an_unknown_code(world, column, good, bad):
    row = 2 if column == "REC" else 1  # the data row the bad code is on
    lines = EPISODES.split(b"\n")
    lines[row] = lines[row].replace(good, bad, 1)
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": b"\n".join(lines)}))
    assert (problem["row"], problem["column"]) == (row, column)
    assert "code of the 2025/26 return" in problem["message"] and column in problem["message"]


def test_a_duplicate_child_in_header(world):
    problem = one(
        refused(world, {"h.csv": HEADER + b"Z1,M,01/06/2015,WBRI,UN4,,\n", "e.csv": EPISODES})
    )
    assert (problem["row"], problem["column"]) == (3, "CHILD")
    assert problem["message"] == "CHILD Z1 is already on row 1"


def test_episodes_that_overlap(world):
    bad = EPISODES.replace(b"Z2,01/09/2025,P", b"Z2,01/08/2025,P")
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": bad}))
    assert problem["file"] == "e.csv" and problem["child"] == "Z2"
    assert "overlap between the episode from 5 May 2024 to 1 September 2025" in problem["message"]


def test_an_episode_whose_child_has_no_header_row(world):
    bad = EPISODES + b"Z9,10/01/2025,S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n"
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": bad}))
    assert (problem["row"], problem["column"]) == (4, "CHILD")
    assert problem["message"] == "CHILD Z9 has no row in Header"
    problem = one(refused(world, {"e.csv": EPISODES}))
    assert "no Header table" in problem["message"]
    nameless = EPISODES + b",10/01/2025,S,C2,N1,U4,PR1,,,,BD1 1AA,BD7 1AA,SC400032\n"
    problem = one(refused(world, {"h.csv": HEADER, "e.csv": nameless}))
    assert (problem["row"], problem["column"]) == (4, "CHILD")
    assert problem["message"] == "CHILD is empty: every row needs the child's ID"


def test_an_upload_of_200_megabytes(world):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Header.csv", HEADER)
        archive.writestr("Episodes.csv", EPISODES + b"\n" * (200 * 1024 * 1024))
    problem = one(refused(world, {"return.zip": payload.getvalue()}))
    assert problem["file"] == "return.zip"
    assert "The return is 200 MB; the largest lachealth takes is 20 MB" in problem["message"]


def test_a_zip_with_a_path_that_leaves_it(world):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("Header.csv", HEADER)
        archive.writestr("../../x", EPISODES)
    problem = one(refused(world, {"return.zip": payload.getvalue()}))
    assert "“../../x”, a path that leads outside the zip" in problem["message"]
    kept = ImportAttempt.objects.get()
    assert kept.files[0]["sha256"] == hashlib.sha256(payload.getvalue()).hexdigest()


def test_a_cell_holding_a_formula(world):
    bad = HEADER.replace(
        b"Z1,M,01/06/2015,WBRI", b'Z1,M,01/06/2015,"=HYPERLINK(""http://x"",""y"")"'
    )
    problem = one(refused(world, {"h.csv": bad, "e.csv": EPISODES}))
    assert (problem["row"], problem["column"]) == (1, "ETHNIC")
    assert "starts with “=”, which spreadsheets run as a formula" in problem["message"]


def test_bytes_that_are_not_utf8(world):
    bad = HEADER.replace(b"Z2,F,02/03/2012,WBRI", b"Z2,F,02/03/2012,W\xe9RI")
    problem = one(refused(world, {"h.csv": bad, "e.csv": EPISODES}))
    assert (problem["file"], problem["row"], problem["column"]) == ("h.csv", 2, "ETHNIC")
    assert "not UTF-8 text (0xE9)" in problem["message"]


def test_an_existing_childs_return_that_breaks_their_history_is_refused(world):
    files = exported(BRADFORD, 2026)
    # A1 has been in care since 10 January 2024; the file says a new period started on 1 June
    # 2025 while the first is still open.
    episodes = rows(files["Episodes.csv"])
    episodes.append(dict(episodes[0], DECOM="01/06/2025"))
    files["Episodes.csv"] = to_csv(episodes)
    problems = refused(world, files)
    assert any("is open but a later episode exists" in p["message"] for p in problems)
    files["Header.csv"] = edited(files["Header.csv"], "A1", SEX="X")
    assert any(p["column"] == "SEX" for p in refused(world, files))
