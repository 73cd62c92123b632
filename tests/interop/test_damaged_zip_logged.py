"""A damaged zip is kept in the import log like any refused upload, whatever the damage: the
zip module stops on some damage with errors other than BadZipFile (a name that is not UTF-8, a
version it has no code for, a directory that points before the file's start), which ended in
a server error with no attempt kept. And an upload lachealth stops on for a reason nobody
foresaw is kept as failed before the error is shown."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
import time_machine

from lachealth.interop import imports
from lachealth.interop.files import ReturnRefused, receive
from lachealth.interop.models import ImportAttempt, ImportFile
from lachealth.people.models import AccessLog

from .helpers import snapshot
from .test_import_refusals import HEADER
from .test_views import upload


def _zip(entries: dict[str, bytes]) -> bytes:
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return payload.getvalue()


def _name_not_utf8() -> bytes:
    """An entry marked as named in UTF-8 whose name is not (UnicodeDecodeError)."""
    return _zip({"Hé.csv": HEADER}).replace("Hé".encode(), b"H\xff\xfe")


def _unknown_version() -> bytes:
    """An entry that asks for a zip version no program has (NotImplementedError)."""
    damaged = bytearray(_zip({"Header.csv": HEADER}))
    directory = damaged.index(b"PK\x01\x02")
    damaged[directory + 6 : directory + 8] = struct.pack("<H", 99)
    return bytes(damaged)


def _directory_moved() -> bytes:
    """A zip whose end record puts its directory past its end, so the entries' places come
    out before the file's start (ValueError: negative seek)."""
    damaged = bytearray(_zip({"Header.csv": HEADER}))
    end = damaged.index(b"PK\x05\x06")
    (offset,) = struct.unpack("<I", damaged[end + 16 : end + 20])
    damaged[end + 16 : end + 20] = struct.pack("<I", offset + 100_000)
    return bytes(damaged)


DAMAGED = {
    "a name that is not UTF-8": (_name_not_utf8(), "This is not a zip file that can be opened"),
    "an unknown zip version": (_unknown_version(), "This is not a zip file that can be opened"),
    "a directory past the end": (
        _directory_moved(),
        "“Header.csv” in the zip cannot be read: the zip is damaged",
    ),
    "bytes that are not a zip": (b"CHILD,SEX\nZ1,M\n", "This is not a zip file that can be opened"),
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2025-11-23 09:00 +0000", tick=False):
        yield


@pytest.mark.parametrize("case", list(DAMAGED))
def test_each_kind_of_damage_is_a_refusal_naming_the_zip(case):
    content, message = DAMAGED[case]
    with pytest.raises(ReturnRefused) as refused:
        receive([("return.zip", content)])
    (problem,) = refused.value.problems
    assert problem.file == "return.zip" and message in problem.message


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_zip_is_refused_on_the_page_and_kept_in_the_import_log(world, as_user, case):
    content, message = DAMAGED[case]
    officer = as_user("la_a_data")
    before = snapshot()
    response = upload(officer, {"return.zip": content})
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "refused"
    assert attempt.uploaded_by == world.users["la_a_data"] and attempt.finished_at is not None
    assert [f["name"] for f in attempt.files] == ["return.zip"]
    assert [(p["file"], message in p["message"]) for p in attempt.problems] == [
        ("return.zip", True)
    ]
    page = officer.get(response.url).content.decode()
    assert "return.zip" in page and message in page
    logged = AccessLog.objects.get(action="import")
    assert f"SSDA903 import {attempt.pk} " in logged.detail and "refused" in logged.detail
    assert snapshot() == before and not ImportFile.objects.exists()


def test_an_upload_lachealth_stops_on_is_kept_as_failed_and_the_error_shown(
    world, as_user, monkeypatch
):
    def stops(files):  # type: ignore[no-untyped-def]
        raise RuntimeError("a fault in lachealth's reading")

    monkeypatch.setattr(imports, "read_tables", stops)
    officer = as_user("la_a_data")
    before = snapshot()
    # The check runs in the background: the upload is answered, and the attempt's page says.
    response = upload(officer, {"return.zip": _zip({"Header.csv": HEADER})})
    attempt = ImportAttempt.objects.get()
    assert response.status_code == 302 and attempt.status == "failed"
    assert attempt.finished_at is not None
    assert attempt.message.startswith(
        "Failed, nothing was written: lachealth stopped reading return.zip (RuntimeError)"
    )
    assert attempt.message in officer.get(response.url).content.decode()
    assert "a fault" not in attempt.message  # the error's text may quote the return
    logged = AccessLog.objects.get(action="import")
    assert f"SSDA903 import {attempt.pk} " in logged.detail and "failed" in logged.detail
    assert snapshot() == before and not ImportFile.objects.exists()
