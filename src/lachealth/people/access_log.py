"""What one access-log row shows its reader, page and CSV alike: a child's identity and what
was typed to find one only to a reader whose own roles let them see that child.

Pure: the caller says whether the reader sees the row's child (`selectors.shown_access_log`
works it out with the access policy, one query per page or chunk).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .models import AccessAction

if TYPE_CHECKING:
    from .models import AccessLog

#: What a search row's detail says to a reader who may not read the words typed.
SEARCH_HIDDEN = "search (words hidden)"

#: A path's query string inside free text (a refusal's detail ends with the page asked for):
#: from the "?" after a path to the next space.
_QUERY_IN_TEXT = re.compile(r"(/[^\s?]*)\?\S*")

#: The CSV's columns, in the order `csv_cells` gives them.
CSV_HEADER = (
    "when",
    "user",
    "organisation",
    "action",
    "child",
    "child record",
    "detail",
    "path",
    "ip",
)


@dataclass(frozen=True)
class ShownRow:
    """One row as its reader may see it. `child` is the child's readable reference (which
    carries the LA child ID), empty unless the reader sees the child; `record` is the
    record's internal reference, which names no one."""

    at: datetime
    username: str
    organisation: str
    action: str
    action_label: str
    record: int | None
    child: str
    detail: str
    path: str
    ip_address: str


def without_query(path: str) -> str:
    """The path without its query string: search words travel there (`?q=Smith`)."""
    return path.split("?", 1)[0]


def hidden_detail(action: str, detail: str) -> str:
    """The detail with what was typed taken out: a search's words entirely (the care list's
    row quotes them; others count what was found, which is no loss), and any page's query
    string (a refusal's detail names the page asked for, query and all)."""
    if action == AccessAction.SEARCH:
        return SEARCH_HIDDEN
    return _QUERY_IN_TEXT.sub(r"\1", detail)


#: Who acted, for a young person's own account the reader may not see: its username is the
#: young person's e-mail address, which may carry their name.
OWN_ACCOUNT = "a young person's own account"


def shown_row(row: AccessLog, sees_child: bool, own_account: bool = False) -> ShownRow:
    """The row as a reader sees it: whole when `sees_child` (their roles let them see the
    row's child), otherwise without the child's readable reference, search words or query
    strings, and, when it is a young person's `own_account` acting, without its username.
    A row that names no child is never whole: what was typed may name anyone."""
    whole = sees_child and row.child_id is not None
    return ShownRow(
        at=row.at,
        username=OWN_ACCOUNT if own_account and not whole else row.username,
        organisation=str(row.organisation) if row.organisation_id else "",
        action=row.action,
        action_label=row.get_action_display(),
        record=row.child_id,
        child=row.child_ref if whole else "",
        detail=row.detail if whole else hidden_detail(row.action, row.detail),
        path=row.path if whole else without_query(row.path),
        ip_address=row.ip_address or "",
    )


def csv_cells(shown: ShownRow) -> list[Any]:
    """The row's cells under `CSV_HEADER`."""
    return [
        shown.at.isoformat(),
        shown.username,
        shown.organisation,
        shown.action,
        shown.child,
        shown.record if shown.record is not None else "",
        shown.detail,
        shown.path,
        shown.ip_address,
    ]
