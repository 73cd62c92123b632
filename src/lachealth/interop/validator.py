"""The one adapter to csc-validator-be-903, the DfE's SSDA903 rules as the sector maintains them.

Nothing else in the project imports the validator or pandas. The package has side effects
this adapter contains: it calls `logging.basicConfig` on import and logs every rule at INFO,
and some rules `print`; never import its `rpc_main`, which writes a log file into the working
directory. Rules that crash inside the package (231 and 233 among them) are reported as
"not run", never as passes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


def validate(
    files: Mapping[str, bytes], *, local_authority: str, collection_year: int
) -> ValidationResult:
    """Run every rule of the collection year (the year the return ends: 2026 for 2025/26)
    over the files. The validator recognises each table by its columns, not its name.

    `local_authority` is the LA's ONS code (E08000032); the validator compares it with the
    area it finds for each placement postcode (in or out of area), in its 2021 codes."""
    from lachealth.people.areas import code_in_2021

    core, report_class, get_year_ruleset = _quiet_import()
    registry = get_year_ruleset(str(collection_year))
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
        findings=findings, not_run=sorted(map(str, run.fails)), tables=tuple(sorted(run.dfs))
    )


def continuously_looked_after(episodes_csv: bytes, *, collection_year: int) -> set[str]:
    """The CHILD ids looked after continuously for 12 months at 31 March, exactly as the
    validator decides it (its `add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER`)."""
    _quiet_import()
    import pandas as pd
    from lac_validator.utils import add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER

    episodes = pd.read_csv(io.BytesIO(episodes_csv), dtype=str)
    with contextlib.redirect_stdout(io.StringIO()):
        marked = add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER(
            episodes, f"01/04/{collection_year - 1}", f"31/03/{collection_year}"
        )
    return set(marked.loc[marked["CONTINUOUSLY_LOOKED_AFTER"] == True, "CHILD"].astype(str))  # noqa: E712


def table_columns() -> dict[str, list[str]]:
    """Each SSDA903 table's columns, as the validator recognises the tables."""
    _quiet_import()
    from lac_validator.config import column_names

    return {table: list(columns) for table, columns in column_names.items()}


def areas_of_postcodes(postcodes: set[str]) -> dict[str, str]:
    """The upper-tier area (today's ONS code) of each postcode the validator's postcode
    directory knows, resolved exactly as the validator places an episode (its PL_LA)."""
    if not postcodes:
        return {}
    _quiet_import()
    from lac_validator.datastore import la_df
    from lac_validator.datastore import postcodes as directory

    from lachealth.people.areas import current_area_code

    directory.load_postcodes(sorted({p[0] for p in postcodes}))
    frame = directory.dataframe
    wanted = frame[frame["pcd_abbr"].isin({p.replace(" ", "") for p in postcodes})]
    upper = dict(zip(la_df["LTLA21CD"], la_df["UTLA21CD"], strict=True))
    found: dict[str, str] = {}
    for abbr, district in zip(wanted["pcd_abbr"], wanted["laua"], strict=True):
        area = current_area_code(upper.get(district, district), district)
        if area:
            found[abbr] = area
    return {p: found[p.replace(" ", "")] for p in postcodes if p.replace(" ", "") in found}
