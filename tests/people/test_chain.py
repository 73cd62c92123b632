"""The access log's hash chain as pure rules: one canonical form per row, and the first break
found whatever was altered, removed or moved."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lachealth.people import chain

KEY = b"test key"
AT = datetime(2026, 3, 29, 0, 30, 0, 120, tzinfo=UTC)

texts = st.text(max_size=40)
ids = st.none() | st.integers(min_value=1, max_value=2**63 - 1)
sealed_rows = st.builds(
    chain.Sealed,
    position=st.integers(min_value=1, max_value=2**63 - 1),
    previous_hash=st.text("0123456789abcdef", min_size=64, max_size=64),
    at=st.datetimes(timezones=st.just(UTC) | st.just(ZoneInfo("Europe/London"))),
    user_id=ids,
    username=texts,
    organisation_id=ids,
    action=texts,
    child_id=ids,
    child_ref=texts,
    detail=texts,
    path=texts,
    ip_address=st.none() | st.ip_addresses().map(str),
)


def row(**changes: object) -> chain.Sealed:
    fields = dict(
        position=1,
        previous_hash=chain.GENESIS,
        at=AT,
        user_id=7,
        username="bradford.nurse",
        organisation_id=3,
        action="view",
        child_id=42,
        child_ref="E08000032/A1",
        detail="",
        path="/children/42/",
        ip_address="203.0.113.7",
    )
    return chain.Sealed(**{**fields, **changes})  # type: ignore[arg-type]


@settings(max_examples=300)
@given(sealed_rows)
def test_the_canonical_form_gives_every_field_back(sealed):
    read = json.loads(chain.canonical(sealed))
    assert set(read) == set(chain.SEALED_FIELDS)
    for name in chain.SEALED_FIELDS:
        if name not in ("at", "ip_address"):
            assert read[name] == getattr(sealed, name)
    assert datetime.fromisoformat(read["at"]) == sealed.at.astimezone(UTC)  # the same instant
    assert read["at"].endswith("Z") and len(read["at"]) == len("2026-03-29T00:30:00.000120Z")
    assert chain.canonical(sealed).isascii()


def meaning(r: chain.Sealed) -> chain.Sealed:
    """What a row says: the same instant in any time zone, the same address however spelled."""
    ip = ipaddress.ip_address(r.ip_address) if r.ip_address else None
    return dataclasses.replace(r, at=r.at.astimezone(UTC), ip_address=str(ip) if ip else None)


@settings(max_examples=300)
@given(sealed_rows, sealed_rows)
def test_two_rows_share_a_seal_only_when_they_say_the_same(a, b):
    same = meaning(a) == meaning(b)
    assert (chain.canonical(a) == chain.canonical(b)) == same
    assert (chain.seal(KEY, a) == chain.seal(KEY, b)) == same


@settings(max_examples=300)
@given(sealed_rows, st.sampled_from(chain.SEALED_FIELDS), st.data())
def test_changing_any_one_field_changes_the_seal(sealed, name, data):
    other = {
        "position": st.integers(min_value=1, max_value=2**63 - 1),
        "previous_hash": st.text("0123456789abcdef", min_size=64, max_size=64),
        "at": st.datetimes(timezones=st.just(UTC) | st.just(ZoneInfo("Europe/London"))),
        "ip_address": st.none() | st.ip_addresses().map(str),
        "user_id": ids,
        "organisation_id": ids,
        "child_id": ids,
    }.get(name, texts)
    changed = dataclasses.replace(sealed, **{name: data.draw(other)})
    differs = meaning(changed) != meaning(sealed)
    assert (chain.seal(KEY, changed) != chain.seal(KEY, sealed)) == differs


def test_a_time_and_an_address_are_sealed_however_they_are_spelled():
    london = AT.astimezone(ZoneInfo("Europe/London"))
    assert chain.canonical(row(at=london)) == chain.canonical(row(at=AT))
    a = row(ip_address="2001:DB8:0:0:0:0:0:1")
    assert chain.canonical(a) == chain.canonical(row(ip_address="2001:db8::1"))
    assert chain.canonical(row(ip_address="::ffff:10.10.10.10")) == chain.canonical(
        row(ip_address="::ffff:a0a:a0a")
    )
    assert chain.canonical(row(ip_address="not an ip")) != chain.canonical(row(ip_address=None))


def test_the_key_matters():
    assert chain.seal(KEY, row()) != chain.seal(b"another key", row())
    assert len(chain.seal(KEY, row())) == 64


def build(n: int, key: bytes = KEY) -> list[chain.Stored]:
    """A chain of `n` rows as `AccessLog.save` writes them, ids from 101."""
    rows: list[chain.Stored] = []
    last = None
    for i in range(n):
        position, previous = chain.next_link(last)
        sealed = row(position=position, previous_hash=previous, detail=f"row {i}")
        stored = chain.Stored(id=101 + i, sealed=sealed, row_hash=chain.seal(key, sealed))
        rows.append(stored)
        last = (position, stored.row_hash)
    return rows


@given(st.integers(min_value=0, max_value=30))
def test_an_untouched_chain_is_intact(n):
    verdict = chain.check(build(n), KEY)
    assert verdict.broken is None and verdict.intact == n
    assert verdict.last == (build(n)[-1] if n else None)


def test_a_chain_checked_with_another_key_breaks_at_its_first_row():
    verdict = chain.check(build(3), b"another key")
    assert verdict.intact == 0 and verdict.broken is not None
    assert verdict.broken.row_id == 101 and "altered" in verdict.broken.problem


@given(st.data())
def test_an_altered_row_is_the_first_break(data):
    rows = build(data.draw(st.integers(min_value=1, max_value=20)))
    i = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    rows[i] = dataclasses.replace(
        rows[i], sealed=dataclasses.replace(rows[i].sealed, detail="nothing to see")
    )
    verdict = chain.check(rows, KEY)
    assert verdict.intact == i and verdict.broken is not None
    assert verdict.broken.row_id == 101 + i
    assert verdict.broken.problem.startswith("it was altered after it was written")


@given(st.data())
def test_rows_removed_from_the_middle_break_the_chain_at_the_row_after_them(data):
    rows = build(data.draw(st.integers(min_value=2, max_value=20)))
    i = data.draw(st.integers(min_value=0, max_value=len(rows) - 2))
    gone = data.draw(st.integers(min_value=1, max_value=len(rows) - 1 - i))
    kept = rows[:i] + rows[i + gone :]
    verdict = chain.check(kept, KEY)
    assert verdict.intact == i and verdict.broken is not None
    assert verdict.broken.row_id == rows[i + gone].id
    if gone == 1:
        assert verdict.broken.problem == (
            f"the row before it is missing (position {i + 1} of the chain was removed)"
        )
    else:
        assert verdict.broken.problem == (
            f"{gone} rows before it are missing (positions {i + 1} to {i + gone} of the chain "
            "were removed)"
        )


def test_rows_removed_from_the_end_leave_an_intact_shorter_chain():
    """Only a copy of the last seal kept elsewhere shows this (verify-audit prints it)."""
    rows = build(5)
    verdict = chain.check(rows[:3], KEY)
    assert verdict.broken is None and verdict.intact == 3
    assert verdict.last is not None and verdict.last.row_hash != rows[-1].row_hash


def test_rows_swapped_show_the_chain_re_ordered():
    rows = build(4)
    # rows 102 and 103 swap their ids: the walk meets position 3 where position 2 belongs
    swapped = [rows[0], dataclasses.replace(rows[2], id=102), dataclasses.replace(rows[1], id=103)]
    where = {r.sealed.position: r.id for r in [*swapped, rows[3]]}
    verdict = chain.check([*swapped, rows[3]], KEY, find=where.get)
    assert verdict.intact == 1 and verdict.broken is not None
    assert verdict.broken.row_id == 102
    assert verdict.broken.problem == (
        "the chain was re-ordered: it holds position 3 of the chain, and position 2, which "
        "belongs here, is row 103"
    )
    # without a way to look the position up, it can only be told missing
    verdict = chain.check([*swapped, rows[3]], KEY)
    assert verdict.broken is not None and "missing" in verdict.broken.problem


def test_a_row_earlier_in_the_chain_found_later_is_re_ordered():
    rows = build(3)
    verdict = chain.check([rows[0], rows[1], dataclasses.replace(rows[0], id=999)], KEY)
    assert verdict.intact == 2 and verdict.broken is not None
    assert verdict.broken.problem == (
        "the chain was re-ordered: it holds position 1 of the chain, which a row before it "
        "holds too, where position 3 belongs"
    )


def test_a_row_sealed_with_the_key_but_not_linked_is_found():
    """Someone with the key who replaces a row must seal every row after it again too."""
    rows = build(3)
    forged = row(position=2, previous_hash=rows[0].row_hash, detail="forged")
    replaced = chain.Stored(id=102, sealed=forged, row_hash=chain.seal(KEY, forged))
    verdict = chain.check([rows[0], replaced, rows[2]], KEY)
    assert verdict.intact == 2 and verdict.broken is not None
    assert verdict.broken.row_id == 103
    assert verdict.broken.problem.startswith("it is not linked to the row before it")


def test_a_row_written_without_a_seal_is_named():
    rows = build(2)
    bare = dataclasses.replace(rows[1], row_hash="")
    verdict = chain.check([rows[0], bare], KEY)
    assert verdict.broken is not None and "written outside lachealth" in verdict.broken.problem
