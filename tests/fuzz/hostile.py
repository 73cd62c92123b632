"""What a hostile or careless user posts, by kind of value: text with control and null
characters, direction marks, markup and spreadsheet formulas; numbers that are not numbers;
day, month and year boxes that make no date; files that are not a return."""

from __future__ import annotations

import string
from typing import Any


class _Absent:
    """A key left out of the post altogether (not even an empty value)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

#: Text a hostile or careless user posts: control and null characters, direction marks,
#: markup, spreadsheet formulas, template syntax, numbers that are not numbers.
HOSTILE_TEXT: tuple[str, ...] = (
    "",
    " ",
    " \t\n\r ",
    "\x00",
    "Ada\x00Lovelace",
    "\x00" * 8,
    "\u202e",
    "\u202egnp.exe\u202c",
    "\u200f\u200e\u200b\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-1",
    "@SUM(A1:A9)",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "'; DROP TABLE care_child; --",
    "𝕏𝕐ℤ 👩‍👧‍👦",
    "Zoë e\u0301 ß ǅ İ",
    "\u2028\u2029\x85",
    "\x07\x1b[31m\x7f",
    "%s%n%x",
    "../../../etc/passwd",
    "None",
    "null",
)

#: Bigger than any field lachealth has, and than what a page would sensibly show back.
LONG_TEXTS: tuple[str, ...] = ("x" * 10_000, "\u202e" * 10_000, "ab\x00" * 3_334)

HOSTILE_NUMBERS: tuple[str, ...] = (
    "-1",
    "0",
    "-0",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "Infinity",
    "9" * 40,
    "١٢",
    "１２",
    "²",
    "1,5",
    "0x1F",
    "  7  ",
    "3.14159265358979323846264338327950288",
    "",
)

FULLWIDTH = str.maketrans(string.digits, "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans(string.digits, "٠١٢٣٤٥٦٧٨٩")

#: Day, month and year boxes that make no date at all.
IMPOSSIBLE_DATES: tuple[tuple[str, str, str], ...] = (
    ("31", "2", "2024"),
    ("29", "2", "2023"),
    ("0", "0", "0000"),
    ("32", "13", "2024"),
    ("1", "1", "20245"),
    ("1", "1", "24"),
    ("-1", "1", "2024"),
    ("1", "-1", "2024"),
    ("1e309", "1", "2024"),
    ("99999999999999999999", "1", "2024"),
    ("1", "99999999999999999999", "2024"),
    ("1", "1", "0000"),
    ("²", "1", "2024"),
    ("1.5", "1", "2024"),
    ("one", "jan", "2024"),
    ("1", "", "2024"),
    ("", "", "2024"),
    ("1", "1", ""),
    ("\x00", "1", "2024"),
    ("<b>", "1", "2024"),
)


FILE_NAMES = (
    "Header.csv",
    "Episodes.csv",
    "return.zip",
    "../../etc/Header.csv",
    "\u202evsc.exe",
    "a" * 300 + ".csv",
    "Header.csv\x00.exe",
    "<script>.csv",
)
FILE_CONTENTS: tuple[bytes, ...] = (
    b"",
    b"\x00" * 64,
    b'CHILD,SEX,DOB\n=HYPERLINK("http://evil.example"),1,01/01/2015\n',
    b"CHILD,SEX,DOB\n1,1,31/02/2015\n",
    "CHILD,SEX,DOB\n\u202e1,1,01/01/2015\n".encode("utf-16"),
    b"PK\x03\x04" + b"\x00" * 40,
    b"\xff\xfe\xfd",
)
