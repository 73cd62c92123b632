"""No file ends in a server error: every damaged, mis-encoded or mis-shaped upload is refused
with a message naming the file, is kept in the import log, and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
import time_machine

from lachealth.interop.models import ImportAttempt
from lachealth.people.models import AccessLog

from .test_import_refusals import EPISODES, HEADER, refused
from .test_views import upload


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return payload.getvalue()


def _corrupted_zip() -> bytes:
    """A zip whose Episodes entry's compressed bytes were damaged in transit."""
    good = bytearray(_zip({"Header.csv": HEADER, "Episodes.csv": EPISODES * 20}))
    at = good.index(b"Episodes.csv") + len("Episodes.csv") + 40
    good[at : at + 8] = b"\xff" * 8
    return bytes(good)


def _crc_damaged_zip() -> bytes:
    """A zip stored without compression whose data no longer matches its checksum."""
    good = bytearray(_zip({"Header.csv": HEADER}, zipfile.ZIP_STORED))
    at = good.index(b"CHILD,SEX")
    good[at : at + 5] = b"child"
    return bytes(good)


CASES = {
    "truncated zip": ({"return.zip": _zip({"Header.csv": HEADER})[:60]}, "return.zip"),
    "damaged zip entry": ({"return.zip": _corrupted_zip()}, "return.zip"),
    "zip checksum": ({"return.zip": _crc_damaged_zip()}, "return.zip"),
    "empty zip": ({"return.zip": _zip({})}, "return.zip"),
    "zip in a zip": (
        {"return.zip": _zip({"inner.zip": _zip({"Header.csv": HEADER})})},
        "inner.zip",
    ),
    "utf-16": ({"h.csv": HEADER.decode().encode("utf-16"), "e.csv": EPISODES}, "h.csv"),
    "utf-16 without a mark": (
        {"h.csv": HEADER.decode().encode("utf-16-le"), "e.csv": EPISODES},
        "h.csv",
    ),
    "latin-1": (
        {"h.csv": HEADER.replace(b"WBRI", "WBRÉ".encode("latin-1")), "e.csv": EPISODES},
        "h.csv",
    ),
    "nul after the start": (
        {"h.csv": HEADER + b"Z3,M,01/06/2015,WBRI,UN4,,\x00\n" + b"x" * 9000, "e.csv": EPISODES},
        "h.csv",
    ),
    "no column names": ({"h.csv": b"\n".join(HEADER.split(b"\n")[1:]), "e.csv": EPISODES}, "h.csv"),
    "duplicate column names": (
        {"h.csv": HEADER.replace(b"MC_DOB", b"DOB", 1), "e.csv": EPISODES},
        "h.csv",
    ),
    "an unclosed quote": (
        {"h.csv": HEADER + b'Z3,"M,01/06/2015,WBRI,UN4,,\n', "e.csv": EPISODES},
        "h.csv",
    ),
    "a huge cell": (
        {
            "h.csv": HEADER + b'Z3,"' + b"M" * 200_000 + b'",01/06/2015,WBRI,UN4,,\n',
            "e.csv": EPISODES,
        },
        "h.csv",
    ),
    "an xml return": ({"return.xml": b"<Message><Header/></Message>"}, "return.xml"),
    "an empty file": ({"h.csv": b"", "e.csv": EPISODES}, "h.csv"),
}


MESSAGES = {
    "truncated zip": "This is not a zip file that can be opened",
    "damaged zip entry": "“Episodes.csv” in the zip cannot be read: the zip is damaged",
    "zip checksum": "“Header.csv” in the zip cannot be read: the zip is damaged",
    "empty zip": "The zip holds no files",
    "zip in a zip": "This is a zip inside the zip",
    "utf-16": "saved as UTF-16",
    "utf-16 without a mark": "saved as UTF-16",
    "latin-1": "not UTF-8 text (0xC9)",
    "nul after the start": "is named .csv but is not text",
    "no column names": "this file's first row is “Z1, M, 01/06/2015, WBRI…”",
    "duplicate column names": "DOB is named twice",
    "an unclosed quote": "This row has 2 cells but the file has 7 columns",
    "a huge cell": "cannot be read as CSV from line 4: it has a cell longer than 131,072",
    "an xml return": "This is the return as XML",
    "an empty file": "The file is empty",
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_or_misshapen_file_is_refused_naming_it(world, case):
    files, named = CASES[case]
    problems = refused(world, files)
    assert any(p["file"] == named and MESSAGES[case] in p["message"] for p in problems), problems
    assert all(p["message"] for p in problems)
    assert all("Traceback" not in p["message"] for p in problems)


def test_a_damaged_zip_uploaded_on_the_page_is_refused_and_logged(world, as_user):
    officer = as_user("la_a_data")
    with time_machine.travel("2025-11-23 09:00 +0000", tick=False):
        response = upload(officer, {"return.zip": _corrupted_zip()})
        attempt = ImportAttempt.objects.get()
        assert response.status_code == 302 and attempt.status == "refused"
        page = officer.get(response.url).content.decode()
    assert "“Episodes.csv” in the zip cannot be read: the zip is damaged" in page
    assert AccessLog.objects.filter(action="import", detail__contains="refused").exists()
