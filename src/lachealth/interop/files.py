"""Reading an uploaded SSDA903 return: files or one zip in, named CSV tables out.

This is where an upload stops being bytes. It refuses, with the file, row and column at
fault, everything that would make a table unreadable: a file that is not CSV, bytes that are
not UTF-8, a damaged zip, a zip entry that climbs out of its folder (`../../x`), a total over
the size limit, a header row that is not one of the return's tables (missing or extra
columns), two files of the same table, a row with the wrong number of cells, and a cell that
starts like a spreadsheet formula (`=HYPERLINK(…)`). Tables are recognised by their columns,
as the DfE validator recognises them, never by their file names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings

from lachealth.exports import FORMULA_START

from . import checks, validator

#: A column some case systems add to Header: the child's NHS number, used only to
#: cross-check that a CHILD id still names the same child. It is not sent to the validator.
NHS_NUMBER_COLUMN = "NHS_NUMBER"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the return, where it is and what to do. `row` is the data row
    (the first row under the column names is 1; 0 means the column names themselves)."""

    file: str
    row: int | None
    column: str
    message: str
    blocking: bool = True
    code: str = ""  # the validator's rule code, for its findings
    child: str = ""

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append("column names" if self.row == 0 else f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


class ReturnRefused(Exception):
    """The upload cannot be read at all; `problems` say why and where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.where}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ReceivedFile:
    """One file as received (a zip's entries are files of their own), with its hash."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Table:
    """One table of the return: its name, the file it came from, its rows as dicts."""

    name: str
    file: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    content: bytes = b""  # the file as the validator receives it


def receive(uploads: Iterable[tuple[str, bytes]]) -> list[ReceivedFile]:
    """The CSV files of an upload: each file as is, each zip opened. Raises ReturnRefused."""
    files: list[ReceivedFile] = []
    problems: list[Problem] = []
    total = 0
    for name, content in uploads:
        base = PurePosixPath(name.replace("\\", "/")).name or name
        if base.lower().endswith(".zip"):
            try:
                inner = _unzip(base, content)
            except ReturnRefused as refused:
                problems.extend(refused.problems)
                continue
            files.extend(inner)
            total += sum(len(f.content) for f in inner)
        else:
            files.append(ReceivedFile(base, content))
            total += len(content)
    if total > max_return_bytes():
        problems.append(Problem("the upload", None, "", too_big(total), code=checks.SIZE))
    if not files and not problems:
        problems.append(
            Problem(
                "the upload", None, "", "Choose the return's CSV files to upload", code=checks.FILE
            )
        )
    if problems:
        raise ReturnRefused(problems)
    return files


def with_hashes(files: Iterable[tuple[str, str]]) -> str:
    """How the audit log names files: each name with its SHA-256."""
    return ", ".join(f"{name} sha256:{digest}" for name, digest in files)


def max_return_bytes() -> int:
    """The largest return lachealth takes, all files together, as uploaded and once unzipped
    (`LACHEALTH_MAX_RETURN_UPLOAD_MB`, 20 MB unless set). A 2,500-child LA's ten-year extract
    is under 5 MB."""
    return int(settings.MAX_RETURN_UPLOAD_BYTES)


def size_limit() -> str:
    """The limit as the upload page says it."""
    return f"Up to {max_return_bytes() // 1024 // 1024} MB in all"


def too_big(size: int, what: str = "return") -> str:
    return (
        f"The {what} is {size / 1024 / 1024:.0f} MB; the largest lachealth takes is "
        f"{max_return_bytes() // 1024 // 1024} MB. Upload one local authority's return at a time."
    )


#: What the zip module raises on damaged bytes besides BadZipFile: a truncated or altered
#: directory sends it seeking before the start (ValueError), decoding a name that is not
#: UTF-8 (UnicodeDecodeError), reading a version or method it has no code for
#: (NotImplementedError), an empty name (IndexError), or into a damaged stream.
ZIP_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    IndexError,
)


def _unzip(name: str, content: bytes) -> list[ReceivedFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (*ZIP_DAMAGE, NotImplementedError):
        raise ReturnRefused(
            [
                Problem(
                    name,
                    None,
                    "",
                    "This is not a zip file that can be opened: it may be damaged, or not "
                    "have been copied or downloaded whole. Zip the CSV files again and upload "
                    "the new zip.",
                    code=checks.FILE,
                )
            ]
        ) from None
    with archive:
        for entry in entries:
            path = PurePosixPath(entry.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in entry.filename:
                raise ReturnRefused(
                    [
                        Problem(
                            name,
                            None,
                            "",
                            f"The zip holds a file named “{entry.filename}”, a path that leads "
                            "outside the zip: lachealth opens no such zip. Zip the CSV files "
                            "themselves.",
                            code=checks.FILE,
                        )
                    ]
                )
        declared = sum(e.file_size for e in entries)
        if declared > max_return_bytes():
            raise ReturnRefused([Problem(name, None, "", too_big(declared), code=checks.SIZE)])
        wanted = [e for e in entries if not PurePosixPath(e.filename).name.startswith(".")]
        if not wanted:
            raise ReturnRefused(
                [
                    Problem(
                        name,
                        None,
                        "",
                        "The zip holds no files: zip the return's CSV files",
                        code=checks.FILE,
                    )
                ]
            )
        return [
            ReceivedFile(PurePosixPath(e.filename).name, _read_entry(name, archive, e))
            for e in wanted
        ]


def _read_entry(name: str, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """An entry's bytes, or a refusal naming the zip and the entry if they cannot be read."""
    try:
        return archive.read(entry)
    except RuntimeError:  # the zip module's word for a password-protected entry
        reason = "it is protected by a password; zip the files without one"
    except NotImplementedError:
        reason = "it is compressed in a way lachealth cannot open; zip it as a standard zip"
    except ZIP_DAMAGE:
        reason = "the zip is damaged (it may not have been copied or downloaded whole)"
    raise ReturnRefused(
        [
            Problem(
                name,
                None,
                "",
                f"The file “{entry.filename}” in the zip cannot be read: {reason}. Zip the "
                "CSV files again and upload the new zip.",
                code=checks.FILE,
            )
        ]
    )


def read_tables(files: list[ReceivedFile]) -> tuple[dict[str, Table], list[Problem]]:
    """Each file as the return's table its columns name. Problems found are all blocking."""
    known = validator.table_columns()
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for received in files:
        table, found = _read_one(received, known)
        problems.extend(found)
        if table is None:
            continue
        if table.name in tables:
            problems.append(
                Problem(
                    received.name,
                    0,
                    "",
                    f"This is a second {table.name} table (the first is "
                    f"{tables[table.name].file}): upload each table once",
                    code=checks.TABLE_TWICE,
                )
            )
            continue
        tables[table.name] = table
    return tables, problems


def _read_one(
    received: ReceivedFile, known: dict[str, list[str]]
) -> tuple[Table | None, list[Problem]]:
    name, content = received.name, received.content
    if name.lower().endswith(".xml"):
        return None, [
            Problem(
                name,
                None,
                "",
                "This is the return as XML: lachealth reads its CSV files. Export the return's "
                "tables as CSV from your case system and upload those, or one zip of them",
                code=checks.FILE,
            )
        ]
    if name.lower().endswith(".zip"):
        return None, [
            Problem(
                name,
                None,
                "",
                "This is a zip inside the zip: zip the CSV files themselves",
                code=checks.FILE,
            )
        ]
    if not name.lower().endswith(".csv"):
        return None, [
            Problem(
                name,
                None,
                "",
                "This is not a CSV file: upload the return's CSV files, or one zip of them",
                code=checks.FILE,
            )
        ]
    if _utf16(content):
        return None, [
            Problem(
                name,
                None,
                "",
                "This file is saved as UTF-16 (“Unicode text”), not as CSV UTF-8: save it "
                "again as “CSV UTF-8 (comma delimited)” and upload that",
                code=checks.FILE,
            )
        ]
    if b"\x00" in content or content[:4] in (b"PK\x03\x04", b"%PDF"):
        return None, [
            Problem(
                name,
                None,
                "",
                "This file is named .csv but is not text: save the table "
                "as CSV (comma separated values) and upload that",
                code=checks.FILE,
            )
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, content, error.start)]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        return None, [_unreadable(name, reader.line_num, error)]
    if not lines or not any(cell.strip() for cell in lines[0]):
        return None, [
            Problem(
                name,
                0,
                "",
                "The file is empty: its first row must name columns",
                code=checks.COLUMNS,
            )
        ]
    columns = [c.strip() for c in lines[0]]
    table_name, problems = _recognise(name, columns, known)
    if table_name is None:
        return None, problems
    table = Table(table_name, name, columns)
    for number, cells in enumerate(lines[1:], start=1):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(cells) != len(columns):
            problems.append(
                Problem(
                    name,
                    number,
                    "",
                    f"This row has {len(cells)} cells but the file has {len(columns)} columns",
                    code=checks.ROW_SHAPE,
                )
            )
            continue
        row: dict[str, str] = {}
        child = cells[columns.index("CHILD")].strip() if "CHILD" in columns else ""
        for column, cell in zip(columns, cells, strict=True):
            value = cell.strip()
            if value.startswith(FORMULA_START) or cell.startswith(FORMULA_START):
                problems.append(
                    Problem(
                        name,
                        number,
                        column,
                        f"The cell starts with “{cell[:1]!s}”, which spreadsheets run as a "
                        "formula; no SSDA903 item starts that way",
                        child=child,
                        code=checks.FORMULA,
                    )
                )
            row[column] = value
        table.rows.append(row)
    table.content = _for_validator(table) if NHS_NUMBER_COLUMN in columns else content
    return table, problems


def _utf16(content: bytes) -> bool:
    """Whether the bytes look like UTF-16 text: its byte order mark, or every other byte
    zero in a run of plain letters."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    start = content[:64]
    return len(start) >= 8 and (
        start[1::2].count(0) > len(start) // 3 or start[::2].count(0) > len(start) // 3
    )


def _unreadable(name: str, line: int, error: csv.Error) -> Problem:
    """A CSV the csv module cannot split into cells, with the line it stopped at."""
    if "field larger than field limit" in str(error):
        what = (
            f'a cell longer than {csv.field_size_limit():,} characters: a quote (") that '
            "is opened and never closed, most likely"
        )
    else:
        what = f"something that is not CSV ({error})"
    return Problem(
        name,
        max(line - 1, 0),
        "",
        f"The file cannot be read as CSV from line {line}: it has {what}. Open it in a "
        "spreadsheet, save it as CSV UTF-8 and upload it again",
        code=checks.FILE,
    )


def _not_utf8(name: str, content: bytes, position: int) -> Problem:
    """Where the first byte that is not UTF-8 sits: its row and, if the header reads, column."""
    line_start = content.rfind(b"\n", 0, position) + 1
    row = content.count(b"\n", 0, position)
    column = ""
    header = content.split(b"\n", 1)[0]
    try:
        names = next(csv.reader([header.decode("utf-8-sig")]))
        cell = content[line_start:position].count(b",")
        column = names[cell].strip() if cell < len(names) else ""
    except (UnicodeDecodeError, StopIteration):
        pass
    return Problem(
        name,
        row,
        column,
        f"The file has bytes that are not UTF-8 text (0x{content[position]:02X}): save it as "
        "“CSV UTF-8” and upload it again",
        code=checks.FILE,
    )


def _recognise(
    name: str, columns: list[str], known: dict[str, list[str]]
) -> tuple[str | None, list[Problem]]:
    given = set(columns)
    if len(given & {c for names in known.values() for c in names}) < 2:
        shown = ", ".join(c for c in columns[:4] if c)
        return None, [
            Problem(
                name,
                0,
                "",
                "The first row must name the columns of an SSDA903 table (Header, Episodes, "
                "UASC, Reviews, OC2, OC3, Missing, PrevPerm, AD1, PlacedAdoption, SWEpisodes, "
                f"DoLo), but this file's first row is “{shown}…”",
                code=checks.COLUMNS,
            )
        ]
    if "" in given:
        blank = columns.index("") + 1
        return None, [
            Problem(
                name, 0, "", f"Column {blank} has no name: name every column", code=checks.COLUMNS
            )
        ]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        named = " and ".join(duplicated)
        twice = "is" if len(duplicated) == 1 else "are each"
        return None, [
            Problem(
                name, 0, ", ".join(duplicated), f"{named} {twice} named twice", code=checks.COLUMNS
            )
        ]
    for table, expected in known.items():
        extension = {NHS_NUMBER_COLUMN} if table == "Header" else set()
        if given == set(expected) or (extension and given == set(expected) | extension):
            return table, []
    # Not one of the tables: say which it is closest to and what differs.
    table = max(known, key=lambda t: (len(given & set(known[t])), -len(known[t])))
    expected = known[table]
    missing = [c for c in expected if c not in given]
    extra = [c for c in columns if c not in expected]
    parts = []
    if missing:
        parts.append(f"it lacks {', '.join(missing)}")
    if extra:
        parts.append(f"it has columns the table does not: {', '.join(extra)}")
    return None, [
        Problem(
            name,
            0,
            ", ".join(missing + extra),
            f"This looks like the {table} table, but {' and '.join(parts)}",
            code=checks.COLUMNS,
        )
    ]


def _for_validator(table: Table) -> bytes:
    """The table without our extension column, as the validator expects the DfE's columns."""
    out = io.StringIO()
    columns = [c for c in table.columns if c != NHS_NUMBER_COLUMN]
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.rows)
    return out.getvalue().encode()
