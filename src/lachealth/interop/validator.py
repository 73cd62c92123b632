"""The one adapter to csc-validator-be-903, the DfE's SSDA903 rules as the sector maintains them.

Nothing else in the project imports the validator or pandas. The package has side effects
this adapter contains: it calls `logging.basicConfig` on import and logs every rule at INFO,
and some rules `print`; never import its `rpc_main`, which writes a log file into the working
directory. Rules that crash inside the package (231 and 233 among them) are reported as
"not run", never as passes.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import logging
import pkgutil
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import years


@dataclass(frozen=True)
class Finding:
    """One rule failing on one row: where (table, row, columns, child) and what."""

    table: str
    row: int  # 1-based data row of the file (the header is row 0)
    child: str
    rule: str
    message: str
    columns: tuple[str, ...]


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    tables: tuple[str, ...] = ()
    ruleset: int = 0  # the collection year whose rules were run (see `ruleset_for`)
    rule_messages: dict[str, str] = field(default_factory=dict)  # of every rule of the ruleset

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        return dict(sorted(counts.items()))


def _quiet_import() -> Any:
    root = logging.getLogger()
    had_handlers = bool(root.handlers)
    if not had_handlers:  # keep the package's basicConfig from configuring our logging
        root.addHandler(logging.NullHandler())
    import lac_validator.lac_validator as core
    from lac_validator.report import Report
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    # Its rules log every step, and a traceback for each rule that crashes; we report those
    # rules as not run instead.
    logging.getLogger("lac_validator").setLevel(logging.CRITICAL)
    return core, Report, get_year_ruleset


@functools.cache
def ruleset_years() -> tuple[int, ...]:
    """The collection years the validator has rules for (2023 for 2022/23, …), in order."""
    import lac_validator.rules as rules

    found = (
        re.fullmatch(r"lac(\d{4})_(\d{2})", m.name) for m in pkgutil.iter_modules(rules.__path__)
    )
    return tuple(sorted(int(m.group(1)) + 1 for m in found if m))


def ruleset_for(collection_year: int) -> int:
    """The year whose rules check a return: its own, or for a year the validator has no rules
    for, the nearest it has (its earliest for older returns, its latest for newer ones)."""
    years = ruleset_years()
    return min(max(collection_year, years[0]), years[-1])


def validate(
    files: Mapping[str, bytes], *, local_authority: str, collection_year: int
) -> ValidationResult:
    """Run every rule of the collection year (the year the return ends: 2026 for 2025/26)
    over the files. The validator recognises each table by its columns, not its name. A
    year it has no rules for is checked with the nearest year's rules (`ruleset_for`),
    still as a return of its own year; the result says which rules ran.

    `local_authority` is the LA's ONS code (E08000032); the validator compares it with the
    area it finds for each placement postcode (in or out of area), in its 2021 codes."""
    from lachealth.people.areas import code_in_2021

    core, report_class, get_year_ruleset = _quiet_import()
    _narrow_directory(_postcodes_in(files))
    ruleset = ruleset_for(collection_year)
    registry = get_year_ruleset(str(ruleset))
    uploads = [
        {"name": name, "file_content": content, "description": "This year"}
        for name, content in files.items()
    ]
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # pandas warns of its own future inside the package's report; nothing for us to do.
        warnings.simplefilter("ignore", FutureWarning)
        run = core.LacValidator(
            metadata={
                "collectionYear": str(collection_year),
                "localAuthority": code_in_2021(local_authority),
            },
            files=uploads,
            registry=registry,
        )
        report = report_class(run.ds_results, registry)
    messages = {
        code: (str(rule.message), tuple(rule.affected_fields or ()))
        for code, rule in registry.items()
    }
    findings: list[Finding] = []
    table = report.report
    error_columns = [c for c in table.columns if str(c).startswith("ERR_")]
    for column in error_columns:
        code = column[4:]
        failing = table[table[column] == True]  # noqa: E712  (pandas element-wise comparison)
        message, fields = messages.get(code, ("", ()))
        for _, row in failing.iterrows():
            findings.append(
                Finding(
                    table=str(row["Table"]),
                    row=int(row["RowID"]) + 1,
                    child=str(row["CHILD"]),
                    rule=code,
                    message=message,
                    columns=fields,
                )
            )
    return ValidationResult(
        findings=findings,
        not_run=sorted(map(str, run.fails)),
        tables=tuple(sorted(run.dfs)),
        ruleset=ruleset,
        rule_messages={code: message for code, (message, _) in messages.items()},
    )


def continuously_looked_after(episodes_csv: bytes, *, collection_year: int) -> set[str]:
    """The CHILD ids looked after continuously for 12 months at 31 March, exactly as the
    validator decides it (its `add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER`)."""
    return continuously_looked_after_between(episodes_csv, *years.span(collection_year))


def continuously_looked_after_between(episodes_csv: bytes, start: date, end: date) -> set[str]:
    """The same rule over any 12 months (`insight` counts rolling years with it)."""
    _quiet_import()
    import pandas as pd
    from lac_validator.utils import add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER

    episodes = pd.read_csv(io.BytesIO(episodes_csv), dtype=str)
    with contextlib.redirect_stdout(io.StringIO()):
        marked = add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER(
            episodes, f"{start:%d/%m/%Y}", f"{end:%d/%m/%Y}"
        )
    return set(marked.loc[marked["CONTINUOUSLY_LOOKED_AFTER"] == True, "CHILD"].astype(str))  # noqa: E712


def table_columns() -> dict[str, list[str]]:
    """Each SSDA903 table's columns, as the validator recognises the tables."""
    _quiet_import()
    from lac_validator.config import column_names

    return {table: list(columns) for table, columns in column_names.items()}


def _district_areas(districts: Any) -> dict[str, str]:
    """Today's upper-tier area of each 2021 district code the postcode directory uses."""
    from lac_validator.datastore import la_df

    from lachealth.people.areas import current_area_code

    upper = dict(zip(la_df["LTLA21CD"], la_df["UTLA21CD"], strict=True))
    return {d: current_area_code(upper.get(d, d), d) for d in set(districts)}


def postcodes_by_area(area_codes: set[str], letters: set[str]) -> dict[str, list[str]]:
    """Every postcode of the validator's directory in each of `area_codes` (today's
    upper-tier codes), among postcode areas starting with `letters`, in sorted order."""
    frame = _directory_rows(letters)[["pcd", "laua"]]
    area = frame["laua"].map(_district_areas(frame["laua"].unique()))
    frame = frame[area.isin(area_codes)].assign(area=area)
    found = {code: sorted(group["pcd"]) for code, group in frame.groupby("area")}
    return {code: found.get(code, []) for code in sorted(area_codes)}


def areas_of_postcodes(postcodes: set[str]) -> dict[str, str]:
    """The upper-tier area (today's ONS code) of each postcode the validator's postcode
    directory knows, resolved exactly as the validator places an episode (its PL_LA)."""
    wanted = _directory_rows({p[0] for p in postcodes}, {_abbr(p) for p in postcodes})
    areas = _district_areas(wanted["laua"])
    found = {
        abbr: areas[district]
        for abbr, district in zip(wanted["pcd_abbr"], wanted["laua"], strict=True)
        if areas[district]
    }
    return {p: found[_abbr(p)] for p in postcodes if _abbr(p) in found}


# The validator keeps one postcode directory per process, adds every letter a return needs
# to it and merges each return's episodes with all of it: after a few LAs' returns a run
# merged millions of rows and took three times as long. So the adapter reads each letter's
# postcodes once, and before each run gives the validator only the rows the return's
# postcodes can match, which gives the same merge.
_LETTERS: dict[str, Any] = {}


def _abbr(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


def _directory_rows(letters: set[str], abbrs: set[str] | None = None) -> Any:
    """The directory's rows for postcodes starting with `letters` (only `abbrs`, if given),
    with the validator's columns, `pcd_abbr` included."""
    _quiet_import()
    import pandas as pd
    from lac_validator.datastore import postcodes as directory

    frames = []
    for letter in sorted({x.upper() for x in letters if x}):
        if letter not in _LETTERS:
            try:
                rows = directory._read_msgpack(letter)
            except (ValueError, FileNotFoundError):  # no postcodes start with it (Q, V, X)
                rows = directory.dataframe.iloc[:0]
            _LETTERS[letter] = rows.assign(pcd_abbr=rows["pcd"].str.replace(" ", ""))
        rows = _LETTERS[letter]
        frames.append(rows if abbrs is None else rows[rows["pcd_abbr"].isin(abbrs)])
    if not frames:
        return directory.dataframe.iloc[:0]
    return pd.concat(frames, ignore_index=True)


def _postcodes_in(files: Mapping[str, bytes]) -> set[str]:
    """HOME_POST and PL_POST of every file that has them (the Episodes tables)."""
    found: set[str] = set()
    for content in files.values():
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        rows = csv.reader(io.StringIO(text))
        columns = next(rows, [])
        wanted = [i for i, c in enumerate(columns) if c.strip() in ("HOME_POST", "PL_POST")]
        for row in rows if wanted else ():
            found.update(row[i] for i in wanted if i < len(row) and row[i])
    return found


def _narrow_directory(postcodes: set[str]) -> None:
    from lac_validator.datastore import postcodes as directory

    directory._df = _directory_rows({p[0] for p in postcodes}, {_abbr(p) for p in postcodes})
    directory._read = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # nothing more to load
