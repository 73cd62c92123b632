"""The return's rows as the record's values: dates parsed, codes checked, children joined up.

A row lachealth cannot store faithfully blocks the import: a date not in dd/mm/YYYY, a code
not in the lists of the return's own year (SEX, ETHNIC, RNE, LS, CIN, PLACE, PLACE_PROVIDER,
REC, REASON_PLACE_CHANGE, SDQ_REASON; `years` says what differs by year), a CHILD twice in
Header, an episode whose child has no Header row, and episodes that overlap or leave gaps.
Every row is checked, a child's other rows too when one of them is wrong, so one round of
corrections puts every such problem right. Everything else the DfE's rules say is the
validator's business, shown to the data officer as warnings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from lachealth.care import codes
from lachealth.care import episodes as rules
from lachealth.care.models import normalise_postcode, validate_nhs_number, validate_upn

from . import checks, years
from .files import NHS_NUMBER_COLUMN, Problem, Table

DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
#: The earliest year a date of the return may have (a date of birth of a care leaver's
#: mother, say); the latest is two years after the year the return ends.
EARLIEST_DATE_YEAR = 1900
#: The outcome tables lachealth keeps as the LA reported them, with the codes each allows.
FLAGS = ("0", "1")
SDQ_REASONS = ("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5")
#: Tables lachealth validates but keeps nothing from: the LA's own business.
NOT_KEPT = ("PrevPerm", "AD1", "PlacedAdoption", "SWEpisodes")
#: The care-record tables kept as events of the child: Missing, Reviews and DoLo are dated
#: (by the column named), UASC is one row a child.
EVENT_TABLES = {"Missing": "MIS_START", "Reviews": "REVIEW", "DoLo": "DOLO_START", "UASC": ""}


@dataclass(frozen=True)
class HeaderRecord:
    row: int
    child: str
    sex: str
    date_of_birth: date
    ethnicity: str
    upn: str
    mother: bool | None
    mother_child_dob: date | None
    nhs_number: str


@dataclass(frozen=True)
class EpisodeRecord:
    row: int
    child: str
    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str
    dec: date | None
    rec: str
    reason_place_change: str
    home_post: str
    pl_post: str
    urn: str

    def facts(self) -> rules.EpisodeFacts:
        return rules.EpisodeFacts(
            self.decom, self.rne, self.ls, self.place, self.dec, self.rec or None
        )


@dataclass(frozen=True)
class OutcomeRecord:
    """An OC2 or OC3 row: the LA's reported outcomes, kept as the return spells them."""

    row: int
    table: str
    child: str
    values: dict[str, str]


@dataclass(frozen=True)
class EventRecord:
    """A row of Missing, Reviews, UASC or DoLo, as the model fields it sets. `key` is the
    date that tells one of a child's rows from another (none for UASC, one row a child)."""

    row: int
    table: str
    child: str
    key: date | None
    values: dict[str, Any]


@dataclass
class Records:
    headers: dict[str, HeaderRecord] = field(default_factory=dict)
    episodes: dict[str, list[EpisodeRecord]] = field(default_factory=dict)
    outcomes: dict[str, dict[str, OutcomeRecord]] = field(default_factory=dict)  # table -> child
    events: dict[str, list[EventRecord]] = field(default_factory=dict)  # table -> rows
    warnings: list[Problem] = field(default_factory=list)  # what is kept, said to the officer
    problems: list[Problem] = field(default_factory=list)
    file_of: dict[str, str] = field(default_factory=dict)  # table -> file name


@functools.cache
def _codes(choices: type[models.TextChoices]) -> tuple[str, ...]:
    return tuple(choices.values)


#: Column names read aloud starting with a vowel sound: "an LS code", "an RNE code".
_SAID_WITH_A_VOWEL = frozenset({"LS", "RNE", "SDQ_REASON", "MC_DOB", "HOME_POST", "URN"})


def _article(column: str) -> str:
    return "an" if column[:1] in "AEIOU" or column in _SAID_WITH_A_VOWEL else "a"


class _Row:
    """One row being read: collects its problems with their file, row and column."""

    def __init__(
        self,
        table: Table,
        number: int,
        row: dict[str, str],
        out: list[Problem],
        year: int,
        warnings: list[Problem] | None = None,
    ):
        self.table, self.number, self.row, self.out, self.year = table, number, row, out, year
        self.warnings = out if warnings is None else warnings
        self.child = row.get("CHILD", "")

    def problem(self, column: str, message: str, code: str) -> None:
        self.out.append(
            Problem(self.table.file, self.number, column, message, code=code, child=self.child)
        )

    def date(self, column: str, *, required: bool = True) -> date | None:
        value = self.row.get(column, "")
        if not value:
            if required:
                self.problem(column, f"{column} is empty: give a date as dd/mm/YYYY", checks.DATE)
            return None
        match = DATE.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                found = date(year, month, day)
            except ValueError:
                pass
            else:
                if EARLIEST_DATE_YEAR <= year <= self.year + 2:
                    return found
                self.problem(
                    column,
                    f"“{value}” is not a date this return can hold: give one from "
                    f"{EARLIEST_DATE_YEAR} to {self.year + 2}",
                    checks.DATE,
                )
                return None
        self.problem(
            column, f"“{value}” is not a date as dd/mm/YYYY (like 01/04/2025)", checks.DATE
        )
        return None

    def code(self, column: str, choices: type[models.TextChoices], *, required: bool = True) -> str:
        return self.one_of(column, _codes(choices), required=required)

    def one_of(self, column: str, allowed: tuple[str, ...], *, required: bool = True) -> str:
        value = self.row.get(column, "")
        if not value and not required:
            return ""
        if value not in allowed:
            shown = ", ".join(allowed) if len(allowed) <= 12 else f"{', '.join(allowed[:12])}…"
            what = f"“{value}” is not" if value else "An empty cell is not"
            self.problem(
                column,
                f"{what} {_article(column)} {column} code of the {years.label(self.year)} "
                f"return ({shown})",
                checks.CODE,
            )
        return value

    def sex(self) -> str:
        """SEX as the year spells it (1 and 2 up to 2023/24), kept as M, F or U. A U in an
        earlier year (lachealth's own export of a child a later return calls U) is kept, with
        a warning."""
        codes_of_year = years.sex_codes(self.year)
        if self.row.get("SEX") == "U" and "U" not in codes_of_year:
            self.warnings.append(
                Problem(
                    self.table.file,
                    self.number,
                    "SEX",
                    f"“U” is not a SEX code of the {years.label(self.year)} return "
                    f"({', '.join(codes_of_year)}): kept as not known, as returns since "
                    f"{years.label(years.SEX_LETTERS_FROM)} say it",
                    blocking=False,
                    code=checks.CODE,
                    child=self.child,
                )
            )
            return "U"
        return codes_of_year.get(self.one_of("SEX", tuple(codes_of_year)), "")

    def checked(self, column: str, check) -> str:  # type: ignore[no-untyped-def]
        value = self.row.get(column, "")
        if value:
            try:
                check(value)
            except ValidationError as error:
                self.problem(column, f"“{value}”: {error.messages[0]}", checks.IDENTIFIER)
        return value

    def postcode(self, column: str) -> str:
        value = self.row.get(column, "")
        if not value:
            return ""
        try:
            return normalise_postcode(value)
        except ValidationError:
            self.problem(
                column, f"“{value}” is not a full UK postcode (like LS1 4AP)", checks.IDENTIFIER
            )
            return value


def read_records(
    tables: dict[str, Table], collection_year: int, *, some_unread: bool = False
) -> Records:
    """Header, Episodes, OC2 and OC3 as records, read in the codes of `collection_year`, with
    every problem that blocks storing them. With `some_unread` (a file of the upload could not
    be read as a table, and may be Header), tables that need Header are not read without it."""
    records = Records(file_of={name: t.file for name, t in tables.items()})
    needs_header = [t for t in ("Episodes", "OC2") if t in tables]
    if needs_header and "Header" not in tables and some_unread:
        tables = {name: t for name, t in tables.items() if name not in needs_header}
    elif needs_header and "Header" not in tables:
        records.problems.append(
            Problem(
                tables[needs_header[0]].file,
                None,
                "",
                f"The return has {' and '.join(needs_header)} but no Header table: upload "
                "Header too, which says who each CHILD is",
                code=checks.CHILD_ID,
            )
        )
        return records
    if "Header" in tables:
        _read_header(tables["Header"], records, collection_year)
    if "Episodes" in tables:
        _read_episodes(tables["Episodes"], records, collection_year)
    for name in ("OC2", "OC3"):
        if name in tables:
            _read_outcomes(tables[name], records, collection_year)
    for name in EVENT_TABLES:
        if name in tables:
            _read_events(tables[name], records, collection_year)
    return records


def _read_header(table: Table, records: Records, year: int) -> None:
    first_row: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=1):
        r = _Row(table, number, row, records.problems, year, records.warnings)
        if not r.child:
            r.problem("CHILD", "CHILD is empty: every row needs the child's ID", checks.CHILD_ID)
            continue
        if len(r.child) > 10:
            r.problem(
                "CHILD", f"“{r.child}” is longer than the return's 10 characters", checks.CHILD_ID
            )
        if r.child in first_row:
            r.problem(
                "CHILD", f"CHILD {r.child} is already on row {first_row[r.child]}", checks.CHILD_ID
            )
            continue
        first_row[r.child] = number
        before = len(records.problems)
        mother = r.one_of("MOTHER", FLAGS, required=False)
        record = HeaderRecord(
            row=number,
            child=r.child,
            sex=r.sex(),
            date_of_birth=r.date("DOB") or date.min,
            ethnicity=r.code("ETHNIC", codes.Ethnicity),
            upn=r.checked("UPN", validate_upn),
            mother=None if not mother else mother == "1",
            mother_child_dob=r.date("MC_DOB", required=False),
            nhs_number=r.checked(NHS_NUMBER_COLUMN, validate_nhs_number),
        )
        if len(records.problems) == before:
            records.headers[r.child] = record


def _read_episodes(table: Table, records: Records, year: int) -> None:
    # A child whose Header row is wrong is reported there, not again for each episode; its
    # episodes' own cells are still checked, so that one round of corrections is enough.
    header_file = records.file_of.get("Header")
    wrong_in_header = {p.child for p in records.problems if p.file == header_file}
    for number, row in enumerate(table.rows, start=1):
        r = _Row(table, number, row, records.problems, year)
        if not r.child:
            r.problem("CHILD", "CHILD is empty: every row needs the child's ID", checks.CHILD_ID)
            continue
        known = r.child in records.headers
        if not known and r.child not in wrong_in_header:
            r.problem("CHILD", f"CHILD {r.child} has no row in Header", checks.CHILD_ID)
        before = len(records.problems)
        episode = EpisodeRecord(
            row=number,
            child=r.child,
            decom=r.date("DECOM") or date.min,
            rne=r.code("RNE", codes.ReasonForNewEpisode),
            ls=r.code("LS", codes.LegalStatus),
            cin=r.code("CIN", codes.CategoryOfNeed),
            place=r.code("PLACE", codes.Placement),
            place_provider=r.code("PLACE_PROVIDER", codes.PlacementProvider, required=False),
            dec=r.date("DEC", required=False),
            rec=r.code("REC", codes.ReasonEpisodeCeased, required=False),
            reason_place_change=r.code(
                "REASON_PLACE_CHANGE", codes.ReasonPlaceChange, required=False
            ),
            home_post=r.postcode("HOME_POST"),
            pl_post=r.postcode("PL_POST"),
            urn=row.get("URN", ""),
        )
        if len(episode.urn) > 8:
            r.problem(
                "URN",
                f"“{episode.urn}” is longer than an Ofsted URN (8 characters)",
                checks.IDENTIFIER,
            )
        if known and len(records.problems) == before:
            records.episodes.setdefault(r.child, []).append(episode)
    for child, episodes in records.episodes.items():
        _check_sequence(table, child, episodes, records.problems)


def _check_sequence(
    table: Table, child: str, episodes: list[EpisodeRecord], out: list[Problem]
) -> None:
    """Overlaps, gaps and broken endings within one child's episodes, on the rows at fault.
    The first episode of a file may continue a period of care that started before it."""
    episodes.sort(key=lambda e: e.decom)
    by_start: dict[date, EpisodeRecord] = {}
    for e in episodes:
        if e.decom in by_start:
            out.append(
                Problem(
                    table.file,
                    e.row,
                    "DECOM",
                    f"CHILD {child} has two episodes starting {e.decom:%d/%m/%Y} (rows "
                    f"{by_start[e.decom].row} and {e.row})",
                    code=checks.SEQUENCE,
                    child=child,
                )
            )
            return
        by_start[e.decom] = e
    for problem in rules.sequence_problems(
        [e.facts() for e in episodes], continues_earlier_period=episodes[0].rne != "S"
    ):
        out.append(
            Problem(
                table.file,
                episodes[0].row,
                "DECOM, DEC",
                f"CHILD {child}: {problem}",
                code=checks.SEQUENCE,
                child=child,
            )
        )


def _read_outcomes(table: Table, records: Records, year: int) -> None:
    kept: dict[str, OutcomeRecord] = {}
    reported = {p.child for p in records.problems}  # children already said to be wrong
    for number, row in enumerate(table.rows, start=1):
        r = _Row(table, number, row, records.problems, year)
        if r.child in kept:
            r.problem(
                "CHILD", f"CHILD {r.child} is already on row {kept[r.child].row}", checks.CHILD_ID
            )
            continue
        if table.name == "OC2" and r.child not in records.headers:
            if r.child not in reported:
                r.problem(
                    "CHILD", f"CHILD {r.child or '(empty)'} has no row in Header", checks.CHILD_ID
                )
                reported.add(r.child)
            continue
        before = len(records.problems)
        r.date("DOB")
        for column, value in row.items():
            if column in ("CHILD", "DOB"):
                continue
            if column == "SDQ_SCORE":
                if value and not (value.isdigit() and 0 <= int(value) <= 40):
                    r.problem(
                        column,
                        f"“{value}” is not an SDQ score (a whole number 0 to 40)",
                        checks.VALUE,
                    )
            elif column == "SDQ_REASON":
                r.one_of(column, SDQ_REASONS, required=False)
            elif table.name == "OC2":
                r.one_of(column, FLAGS, required=False)
            elif len(value) > 4:
                r.problem(column, f"“{value}” is longer than an OC3 code", checks.VALUE)
        if len(records.problems) == before:
            values = {c: v for c, v in row.items() if c not in ("CHILD", "DOB")}
            kept[r.child] = OutcomeRecord(number, table.name, r.child, values)
    records.outcomes[table.name] = kept


def _read_events(table: Table, records: Records, year: int) -> None:
    """Missing, Reviews, DoLo and UASC rows: dates and codes checked, one row per child and
    date. A child neither in Header nor in lachealth is the plan's to report."""
    kept: list[EventRecord] = []
    first_row: dict[tuple[str, date | None], int] = {}
    for number, row in enumerate(table.rows, start=1):
        r = _Row(table, number, row, records.problems, year)
        if not r.child:
            r.problem("CHILD", "CHILD is empty: every row needs the child's ID", checks.CHILD_ID)
            continue
        before = len(records.problems)
        r.date("DOB")
        values = _event_values(table.name, r)
        if values is None:
            continue  # a Reviews row with no review, as the return allows
        key = values.get("start", values.get("held_on"))
        if (r.child, key) in first_row:
            what = f"with the same {EVENT_TABLES[table.name]}" if key else ""
            r.problem(
                "CHILD",
                f"CHILD {r.child} is already on row {first_row[(r.child, key)]} {what}".strip(),
                checks.CHILD_ID,
            )
            continue
        if len(records.problems) == before:
            first_row[(r.child, key)] = number
            kept.append(EventRecord(number, table.name, r.child, key, values))
    records.events[table.name] = kept


def _event_values(name: str, r: _Row) -> dict[str, Any] | None:
    if name == "Missing":
        return _span(r, "MIS_START", "MIS_END") | {"kind": r.code("MISSING", codes.MissingKind)}
    if name == "DoLo":
        return _span(r, "DOLO_START", "DOLO_END")
    if name == "Reviews":
        if not r.row.get("REVIEW") and not r.row.get("REVIEW_CODE"):
            return None
        return {
            "held_on": r.date("REVIEW"),
            "participation": r.code("REVIEW_CODE", codes.ReviewParticipation),
        }
    if r.row.get("SEX") != "U":  # UASC repeats Header's SEX (a U there is said in Header)
        r.one_of("SEX", tuple(years.sex_codes(r.year)))
    return {"ceased_on": r.date("DUC", required=False)}


def _span(r: _Row, start_column: str, end_column: str) -> dict[str, Any]:
    start, end = r.date(start_column), r.date(end_column, required=False)
    if start and end and end < start:
        r.problem(
            end_column,
            f"{end_column} ({end:%d/%m/%Y}) is before {start_column} ({start:%d/%m/%Y})",
            checks.SEQUENCE,
        )
    return {"start": start, "end": end}
