"""Reads the people pages need: users with their roles, organisations, the access log."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from . import access, audit, chain
from .access_log import ShownRow, shown_row
from .models import AccessLog, Membership, Organisation, User


def staff_users() -> QuerySet[User]:
    """Every account but young people's own: those are kept by their health team, and their
    names and addresses would tell an administrator who is a care leaver."""
    return User.objects.exclude(pk__in=own_account_users())


def users_with_roles() -> QuerySet[User]:
    active = Membership.objects.filter(is_active=True).select_related("organisation")
    return staff_users().prefetch_related(Prefetch("memberships", queryset=active, to_attr="roles"))


def organisations_with_areas() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("areas")


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


#: Turns what someone typed to find a child (a name in any order, a date of birth, an NHS
#: number, an LA child ID) into a query of the matching children's ids. `care` registers its
#: child search here (in its AppConfig.ready), so the access log finds a child the way the
#: child list does without `people` importing `care`.
ChildFinder = Callable[[str], QuerySet[Any]]
_child_finder: list[ChildFinder] = []


def register_child_finder(finder: ChildFinder) -> None:
    _child_finder[:] = [finder]


def access_log(
    *,
    viewer: Any,
    user: str = "",
    child: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessLog]:
    """The access log searched by user, child and date (inclusive), newest first. A child is
    found by their record's internal reference (its number), whoever asks; by the readable
    reference ("E08000032/A1") or as the child list finds them (any words of their name in
    any order, date of birth, NHS number, LA child ID) only among the children `viewer`'s
    own roles let them see: for anyone else that search would tell whether a named child is
    on the record and which rows are theirs."""
    rows = AccessLog.objects.select_related("organisation")
    seen = access.can_see_children(viewer)
    if user:
        # A young person's username is their e-mail address: it finds their rows only for a
        # reader who sees them, or it would tie an address to a record.
        findable = Q(user_id__isnull=True) | ~Q(user_id__in=own_account_users())
        if seen:
            findable |= Q(child_id__in=children_seen_by(viewer))
        rows = rows.filter(Q(username__icontains=user) & findable)
    if child:
        q = Q(child_id=int(child)) if child.isdigit() and len(child) < 19 else Q(pk__in=[])
        if seen:
            # The readable reference carries the LA child ID: like a name, it finds only the
            # children the reader may see.
            mine = children_seen_by(viewer)
            q |= Q(child_ref__iexact=child, child_id__in=mine)
            for finder in _child_finder:
                q |= Q(child_id__in=mine.filter(pk__in=finder(child)))
        rows = rows.filter(q)
    if date_from:
        rows = rows.filter(at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return rows


def children_seen_by(viewer: Any) -> QuerySet[Any]:
    """The ids of the children `viewer` may see (the access policy), as a query."""
    children = apps.get_model(audit.CHILD_MODEL)._default_manager
    return children.filter(access.child_q(viewer)).values("pk")


#: The young person's own account, named rather than imported: `people` sits below `health`.
OWN_ACCOUNT_MODEL = "health.YoungPersonAccount"


def own_account_users() -> QuerySet[Any]:
    """The ids of the users who are young people's own accounts, as a query."""
    return apps.get_model(OWN_ACCOUNT_MODEL)._default_manager.values("user_id")


def shown_access_log(viewer: Any, rows: Iterable[AccessLog]) -> list[ShownRow]:
    """Rows (a page of the log) as `viewer` may see them (`access_log.shown_row`): which of
    their children the viewer may see, and which of their users are young people's own
    accounts, are asked in one query each."""
    rows = list(rows)
    named = {r.child_id for r in rows if r.child_id is not None}
    seen: set[int] = set()
    if named and access.can_see_children(viewer):
        seen = set(children_seen_by(viewer).filter(pk__in=named).values_list("pk", flat=True))
    users = {r.user_id for r in rows if r.user_id is not None}
    own = set(
        own_account_users().filter(user_id__in=users).values_list("user_id", flat=True)
        if users
        else ()
    )
    return [shown_row(r, r.child_id in seen, r.user_id in own) for r in rows]


def shown_access_log_stream(
    viewer: Any, rows: QuerySet[AccessLog], *, chunk_size: int = 2000
) -> Generator[ShownRow, None, None]:
    """Every row of `rows` as `viewer` may see them, read from the database `chunk_size` at a
    time with one query per chunk for the children seen (a CSV of the whole log)."""
    stream = rows.iterator(chunk_size=chunk_size)
    while chunk := list(islice(stream, chunk_size)):
        yield from shown_access_log(viewer, chunk)


def access_log_chain(
    *, using: str = DEFAULT_DB_ALIAS, chunk_size: int = 5000
) -> Generator[chain.Stored, None, None]:
    """Every access-log row in id order as the chain is checked, streamed from the database
    (millions of rows are never held at once)."""
    columns = ("id", "row_hash", *chain.SEALED_FIELDS)
    rows = AccessLog.objects.using(using).order_by("id").values_list(*columns)
    for row_id, row_hash, *sealed in rows.iterator(chunk_size=chunk_size):
        yield chain.Stored(id=row_id, sealed=chain.Sealed(*sealed), row_hash=row_hash)


def access_log_row_at(position: int, *, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The id of the access-log row that holds `position` of the chain, if one does."""
    return (
        AccessLog.objects.using(using)
        .filter(position=position)
        .values_list("id", flat=True)
        .first()
    )
