"""The Missing, Reviews, UASC and DoLo tables are kept, not only validated: imported, shown on
the child's page, exported back as they came, and imported again without change."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from lachealth.care.models import (
    AsylumSeekingStatus,
    CareReview,
    DeprivationOfLiberty,
    MissingEpisode,
)
from lachealth.interop import checks
from lachealth.interop.export import build_return

from ..conftest import BRADFORD
from .helpers import check, import_return, rows
from .test_import_refusals import refused
from .test_years import episodes, header

MISSING = (
    b"CHILD,DOB,MISSING,MIS_START,MIS_END\n"
    b"Y1,01/06/2010,M,03/07/2026,04/07/2026\n"
    b"Y1,01/06/2010,A,10/08/2026,\n"
    b"Y2,02/03/2008,M,01/12/2026,02/12/2026\n"
)
REVIEWS = (
    b"CHILD,DOB,REVIEW,REVIEW_CODE\n"
    b"Y1,01/06/2010,01/07/2026,PN1\n"
    b"Y2,02/03/2008,15/05/2026,PN7\n"
    b"Y2,02/03/2008,,\n"
)
UASC = b"CHILD,SEX,DOB,DUC\nY2,F,02/03/2008,01/02/2027\n"
DOLO = b"CHILD,DOB,DOLO_START,DOLO_END\nY1,01/06/2010,20/08/2026,\n"


def files(**extra: bytes) -> dict[str, bytes]:
    return {"Header.csv": header("M", "F"), "Episodes.csv": episodes(2027)} | {
        f"{name}.csv": content for name, content in extra.items()
    }


def test_the_tables_are_kept_shown_exported_and_imported_again_unchanged(world, as_user):
    officer = world.users["la_a_data"]
    sent = files(Missing=MISSING, Reviews=REVIEWS, UASC=UASC, DoLo=DOLO)
    done = import_return(officer, BRADFORD, 2027, sent)
    assert "Missing: 3 added" in done.message and "DoLo: 1 added" in done.message
    y1 = MissingEpisode.objects.filter(child__la_child_id="Y1").order_by("start")
    assert [(m.kind, m.start, m.end) for m in y1] == [
        ("M", date(2026, 7, 3), date(2026, 7, 4)),
        ("A", date(2026, 8, 10), None),
    ]
    assert CareReview.objects.count() == 2  # the row without a review keeps nothing
    assert AsylumSeekingStatus.objects.get().ceased_on == date(2027, 2, 1)
    assert DeprivationOfLiberty.objects.get().end is None
    back = build_return(BRADFORD, 2027).files
    for name, content in (("Missing", MISSING), ("UASC", UASC), ("DoLo", DOLO)):
        assert rows(back[f"{name}.csv"]) == rows(content), name
    assert rows(back["Reviews.csv"]) == rows(REVIEWS)[:2]
    # OC2 is built from the health record, which the first upload did not carry.
    again = import_return(
        officer, BRADFORD, 2027, {n: c for n, c in back.items() if n != "OC2.csv"}
    )
    assert again.status == "unchanged", again.message
    child = MissingEpisode.objects.filter(child__la_child_id="Y1").first().child
    with time_machine.travel("2026-12-10 09:00 +0000", tick=False):
        page = (
            as_user("la_a_sw").get(reverse("care:child_detail", args=[child.pk])).content.decode()
        )
    assert "2 times missing or away without authorisation recorded, 2 in the last 12 months" in page
    assert "Away from placement without authorisation" in page and "Not recorded as back" in page
    assert "Attended and spoke for themselves (PN1)" in page
    assert "Deprivation of liberty order" in page and "From 20 August 2026 (in force)" in page


def test_a_corrected_table_changes_and_removes_rows_of_the_year_with_history(world):
    officer = world.users["la_a_data"]
    import_return(officer, BRADFORD, 2027, files(Missing=MISSING))
    corrected = MISSING.replace(b"A,10/08/2026,", b"A,10/08/2026,12/08/2026").replace(
        b"Y2,02/03/2008,M,01/12/2026,02/12/2026\n", b""
    )
    done = import_return(officer, BRADFORD, 2027, files(Missing=corrected))
    assert "Missing: 1 changed, 1 removed" in done.message
    assert not MissingEpisode.objects.filter(child__la_child_id="Y2").exists()
    away = MissingEpisode.objects.get(kind="A")
    assert away.end == date(2026, 8, 12)
    assert away.history.first().history_change_reason == f"SSDA903 import {done.pk}"
    removed = MissingEpisode.history.filter(history_type="-").get()
    assert removed.history_user == officer


def test_an_earlier_year_leaves_the_later_years_rows_alone(world):
    officer = world.users["la_a_data"]
    import_return(officer, BRADFORD, 2027, files(Missing=MISSING))
    earlier = b"CHILD,DOB,MISSING,MIS_START,MIS_END\nY1,01/06/2010,M,03/02/2026,04/02/2026\n"
    done = import_return(
        officer,
        BRADFORD,
        2026,
        {"Header.csv": header("M", "F"), "Missing.csv": earlier},
    )
    assert "Missing: 1 added" in done.message and "removed" not in done.message
    assert MissingEpisode.objects.count() == 4


@pytest.mark.parametrize(
    ("table", "content", "column", "message"),
    [
        ("Missing", MISSING.replace(b",A,", b",X,"), "MISSING", "“X” is not a MISSING code"),
        (
            "Reviews",
            REVIEWS.replace(b"PN7", b"PN9"),
            "REVIEW_CODE",
            "“PN9” is not a REVIEW_CODE code",
        ),
        ("UASC", UASC.replace(b"01/02/2027", b"2027-02-01"), "DUC", "“2027-02-01” is not a date"),
        (
            "DoLo",
            DOLO.replace(b"20/08/2026,", b"20/08/2026,19/08/2026"),
            "DOLO_END",
            "DOLO_END (19/08/2026) is before DOLO_START (20/08/2026)",
        ),
        (
            "Missing",
            MISSING + b"Y1,01/06/2010,M,03/07/2026,05/07/2026\n",
            "CHILD",
            "CHILD Y1 is already on row 1 with the same MIS_START",
        ),
    ],
)
def test_a_bad_row_of_the_tables_is_refused_where_it_is(world, table, content, column, message):
    problem = next(p for p in refused(world, files(**{table: content})) if p["column"] == column)
    assert message in problem["message"] and problem["file"] == f"{table}.csv"
    assert problem["code"] in (checks.CODE, checks.DATE, checks.SEQUENCE, checks.CHILD_ID)


def test_a_row_for_a_child_lachealth_does_not_know_is_a_warning_and_not_kept(world):
    stranger = MISSING + b"Q9,01/01/2012,M,01/09/2026,02/09/2026\n"
    checked = check(world.users["la_a_data"], BRADFORD, 2027, files(Missing=stranger))
    warning = next(p for p in checked.attempt.warnings if p["code"] == checks.UNKNOWN_CHILD)
    assert warning["row"] == 4 and "not kept" in warning["message"]
    assert checked.attempt.summary["Missing"]["added"] == 3


def test_a_later_year_removes_only_its_own_years_rows(world):
    """An order from the year before still in force is in the next year's return; an order
    of the year before that ended is not, and stays."""
    officer = world.users["la_a_data"]
    orders = DOLO + b"Y1,01/06/2010,01/06/2026,01/09/2026\n"
    import_return(officer, BRADFORD, 2027, files(DoLo=orders))
    assert DeprivationOfLiberty.objects.count() == 2
    next_year = build_return(BRADFORD, 2028).files
    assert rows(next_year["DoLo.csv"]) == rows(DOLO)  # the ended order is not in 2027/28's
    done = import_return(
        officer, BRADFORD, 2028, {n: c for n, c in next_year.items() if n != "OC2.csv"}
    )
    assert "removed" not in done.message
    assert DeprivationOfLiberty.objects.count() == 2


def test_an_earlier_years_uasc_row_does_not_undo_a_later_ones_end(world):
    officer = world.users["la_a_data"]
    earlier = b"CHILD,SEX,DOB,DUC\nY2,F,02/03/2008,\n"
    import_return(officer, BRADFORD, 2026, {"Header.csv": header("M", "F"), "UASC.csv": earlier})
    import_return(officer, BRADFORD, 2027, files(UASC=UASC))
    assert AsylumSeekingStatus.objects.get().ceased_on == date(2027, 2, 1)
    again = import_return(
        officer, BRADFORD, 2026, {"Header.csv": header("M", "F"), "UASC.csv": earlier}
    )
    assert again.status == "unchanged"
    assert AsylumSeekingStatus.objects.get().ceased_on == date(2027, 2, 1)


def test_dolo_before_2026_27_is_checked_not_kept(world):
    checked = check(
        world.users["la_a_data"], BRADFORD, 2026, {"Header.csv": header("M", "F"), "DoLo.csv": DOLO}
    )
    assert checked.attempt.summary["not kept"] == ["DoLo"] and "DoLo" not in checked.attempt.summary
