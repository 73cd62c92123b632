"""The access log's hash chain: how a row is sealed, and the first place a stored chain breaks.

Each row is sealed with HMAC-SHA256 over a canonical form of every column it stores but its
id (which the database gives it only as it is inserted): its position in the chain, the time
in UTC to the microsecond, user, username, organisation, action, child, detail, path and
address, and the seal of the row before it. The key is `AUDIT_LOG_KEY` (settings), not kept
in the database: someone who can write to the database but has no key cannot seal a row they
altered or forged, nor seal the chain again past a row they removed. A plain hash would let
them. Removing rows from the end leaves a shorter chain that is intact; a copy of the last
seal kept elsewhere (`lachealth verify-audit` prints it) shows that.

Pure: no ORM, no settings, no clock. Changing `canonical` breaks every seal already written.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

#: What the first row's `previous_hash` holds: there is no row before it.
GENESIS = "0" * 64


@dataclass(frozen=True)
class Sealed:
    """What a row's seal covers, read from a stored row or one about to be inserted."""

    position: int
    previous_hash: str
    at: datetime
    user_id: int | None
    username: str
    organisation_id: int | None
    action: str
    child_id: int | None
    child_ref: str
    detail: str
    path: str
    ip_address: str | None


SEALED_FIELDS = tuple(f.name for f in fields(Sealed))


def sealed_fields(row: Any) -> Sealed:
    """The sealed columns of an access-log row (the model's, or a migration's historical
    model's: anything with those attributes)."""
    return Sealed(**{name: getattr(row, name) for name in SEALED_FIELDS})


def _utc(at: datetime) -> str:
    """ISO 8601 in UTC, always with microseconds (a naive time is taken to be UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def _address(ip: str | None) -> str | None:
    """An address as its bytes in hexadecimal: one spelling whichever way the database writes
    it back (PostgreSQL's inet writes IPv6 its own way) or Python prints it (3.13 changed how
    it prints IPv4-mapped addresses). Anything else, which SQLite would store, is marked as such."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip).packed.hex()
    except ValueError:
        return f"not an address: {ip}"


def canonical(row: Sealed) -> bytes:
    """The bytes a row's seal is made from: a JSON object with sorted keys, ASCII only."""
    values = {name: getattr(row, name) for name in SEALED_FIELDS}
    values["at"] = _utc(row.at)
    values["ip_address"] = _address(row.ip_address)
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal(key: bytes, row: Sealed) -> str:
    """The row's seal: HMAC-SHA256 of its canonical form, 64 hexadecimal digits."""
    return hmac.new(key, canonical(row), hashlib.sha256).hexdigest()


def next_link(last: tuple[int, str] | None) -> tuple[int, str]:
    """The position and `previous_hash` of the row that follows `last` (its position and
    seal), or of the first row when there is none."""
    return (last[0] + 1, last[1]) if last is not None else (1, GENESIS)


@dataclass(frozen=True)
class Stored:
    """One stored row as the chain is checked: its id, what is sealed, its stored seal."""

    id: int
    sealed: Sealed
    row_hash: str


@dataclass(frozen=True)
class Break:
    """Where the chain first breaks, in words an administrator can act on."""

    row_id: int
    at: datetime
    problem: str


@dataclass(frozen=True)
class Verdict:
    """What a check of the chain found: how many rows from the start are intact, the last of
    them, and the first row that breaks the chain, if one does."""

    intact: int
    last: Stored | None
    broken: Break | None


def check(
    rows: Iterable[Stored], key: bytes, find: Callable[[int], int | None] = lambda position: None
) -> Verdict:
    """Walk the rows in id order and stop at the first that does not follow from those before
    it: altered since it was written, written without a seal, out of its place (the chain
    re-ordered), rows missing before it, or not linked to the row before it. `find` gives the
    id of the row that holds a position of the chain, if any, to tell a row moved from one
    removed."""
    intact, last = 0, None
    for stored in rows:
        problem = _problem(stored, key, last, find)
        if problem:
            return Verdict(intact, last, Break(stored.id, stored.sealed.at, problem))
        intact, last = intact + 1, stored
    return Verdict(intact, last, None)


def _problem(
    stored: Stored, key: bytes, last: Stored | None, find: Callable[[int], int | None]
) -> str:
    row = stored.sealed
    position, previous_hash = next_link(
        (last.sealed.position, last.row_hash) if last is not None else None
    )
    if not stored.row_hash:
        return "it has no seal: it was written outside lachealth"
    if seal(key, row) != stored.row_hash:
        return "it was altered after it was written (its seal does not match its contents)"
    if row.position > position:
        elsewhere = find(position)
        if elsewhere is not None:
            return (
                f"the chain was re-ordered: it holds position {row.position} of the chain, "
                f"and position {position}, which belongs here, is row {elsewhere}"
            )
        if row.position == position + 1:
            return f"the row before it is missing (position {position} of the chain was removed)"
        return (
            f"{row.position - position} rows before it are missing (positions {position} to "
            f"{row.position - 1} of the chain were removed)"
        )
    if row.position < position:
        return (
            f"the chain was re-ordered: it holds position {row.position} of the chain, which a "
            f"row before it holds too, where position {position} belongs"
        )
    if row.previous_hash != previous_hash:
        return "it is not linked to the row before it (one of the two was replaced)"
    return ""
