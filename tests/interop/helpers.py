"""Building, editing and importing small SSDA903 returns in tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from lachealth.care.models import (
    AsylumSeekingStatus,
    CareReview,
    Child,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
)
from lachealth.interop import imports
from lachealth.interop.export import build_return
from lachealth.interop.models import ImportAttempt, ReportedOutcome
from lachealth.people.models import Area


def rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def to_csv(table: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns or list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue().encode()


def exported(area_code: str, year: int) -> dict[str, bytes]:
    return dict(build_return(area_code, year).files)


def edited(content: bytes, child: str, **changes: str) -> bytes:
    """The CSV with `changes` made to the first row of CHILD `child`."""
    table = rows(content)
    row = next(r for r in table if r["CHILD"] == child)
    row.update(changes)
    return to_csv(table)


def check(user: Any, area_code: str, year: int, files: dict[str, bytes]) -> imports.Checked:
    return imports.check_return(
        by=user,
        area=Area.objects.get(code=area_code),
        collection_year=year,
        uploads=list(files.items()),
    )


def import_return(user: Any, area_code: str, year: int, files: dict[str, bytes]) -> ImportAttempt:
    checked = check(user, area_code, year, files)
    assert checked.attempt.status == "checked", checked.attempt.problems
    return imports.apply_import(checked.attempt, by=user, accept_warnings=True)


def snapshot() -> tuple:
    """Everything an import may write, to show that a refused one wrote none of it."""
    return (
        list(Child.objects.order_by("pk").values()),
        list(Episode.objects.order_by("pk").values()),
        list(ReportedOutcome.objects.order_by("pk").values()),
        Child.history.count(),
        Episode.history.count(),
        *(
            (list(model.objects.order_by("pk").values()), model.history.count())
            for model in (MissingEpisode, CareReview, AsylumSeekingStatus, DeprivationOfLiberty)
        ),
    )
