"""Which requests the matrix sends for a case, and what each must get.

As each user: a role the case does not grant gets 403 or 404 for an object of their own
areas. A role it grants asks for one object of each relation the user has to the case's
objects (own area, placed into the area, own organisation, own account, none) and gets 200 or
302 (or 400 for an empty form) where a grant reaches it, the declared `refuses` (404) for the
foreign area's object, 403 or 404 for any other; and, where the URL names a child and an
object, their own child with the foreign area's object is not found either. Anonymous, every
page but the public ones sends to sign in. A method the view does not accept (its
`require_POST`) gets 405.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model
from django.urls import reverse

from lachealth.people.models import User
from lachealth.reach import PUBLIC, Audience, Objects, Reach

from .patterns import Case
from .world import (
    AREA_NAMES,
    WAKEFIELD,
    Held,
    Matrix,
    belongs,
    own_fields,
    reaches,
    relations,
)

REACHES = "may reach it"
REFUSED = "may not reach it"
NOT_THEIRS = "another area's"
SIGN_IN = "not signed in"
METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Probe:
    who: str  # a user of the matrix, "" for anonymous
    path: str
    query: tuple[tuple[str, str], ...]
    expect: str
    about: str = ""

    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


def plan(matrix: Matrix, case: Case) -> list[Probe]:
    targets: list[Any] = matrix.objects[case.model] if case.has_object else [None]
    public = case.first.roles is PUBLIC
    probes = [Probe("", *_address(case, targets[0]), REACHES if public else SIGN_IN)]
    for who, user in matrix.users.items():
        holds = matrix.held[who]
        if isinstance(case.first.roles, Audience):
            probes.append(Probe(who, *_address(case, None), REACHES))
            continue
        grants = [g for g in case.grants if any(h.role in g.roles for h in holds)]
        if not case.has_object:
            probes.append(Probe(who, *_address(case, None), REACHES if grants else REFUSED))
            continue
        if not grants:  # refused whatever the object: ask for one of their own areas
            areas = frozenset().union(*(h.areas for h in holds))
            near = next((t for t in targets if belongs(t) & areas), targets[0])
            probes.append(Probe(who, *_address(case, near), REFUSED, _about(near)))
            continue
        probes += _objects_for(case, who, user, holds, grants, targets)
    return probes


def _objects_for(
    case: Case, who: str, user: User, holds: tuple[Held, ...], grants: list[Reach], targets: list
) -> list[Probe]:
    """One object of each relation the user has to the case's objects, and (where the URL
    names a child and an object of theirs) their own child with another area's object."""
    found: list[Probe] = []
    seen: set[tuple[Any, ...]] = set()
    reached = None
    for target in targets:
        relation = tuple(relations(target, user, holds, g) for g in grants)
        fields = frozenset().union(*(own_fields(target, holds, g) for g in grants))
        if (relation, fields) in seen:
            continue
        seen.add((relation, fields))
        if any(reaches(g, r) for g, r in zip(grants, relation, strict=True)):
            expect, reached = REACHES, reached or target
        elif WAKEFIELD in belongs(target):
            expect = NOT_THEIRS
        else:
            expect = REFUSED
        about = _about(target, relation) + (f" ({', '.join(sorted(fields))})" if fields else "")
        found.append(Probe(who, *_address(case, target), expect, about))
    if reached is not None and case.first.key != "pk" and "pk" in case.pattern.argument_names:
        other = targets[0]
        path, query = _address(case, other)
        path = reverse(case.pattern.name, kwargs=_kwargs(case, other, child=reached.child_id))
        found.append(Probe(who, path, query, NOT_THEIRS, "their child, another area's object"))
    return found


def _about(target: Model | None, relation: tuple[Objects, ...] = ()) -> str:
    """The object and how it stands to the user: "Child 2 of Bradford/Calderdale: own_area"."""
    if target is None:
        return ""
    where = "/".join(sorted(AREA_NAMES.get(a, a) for a in belongs(target)))
    how = sorted({flag.name.lower() for r in relation for flag in Objects if flag in r})
    return f"{type(target).__name__} {target.pk} of {where}" + (
        f": {', '.join(how)}" if how else ""
    )


def _kwargs(case: Case, target: Model | None, child: int | None = None) -> dict[str, Any]:
    arguments = case.pattern.argument_names
    kwargs: dict[str, Any] = {k: v for k, v in case.when if k in arguments}
    key = case.first.key
    if target is not None and key in arguments:
        kwargs[key] = target.pk
        if key != "pk" and "pk" in arguments:
            kwargs["pk"] = child or target.child_id  # type: ignore[attr-defined]
    return kwargs


def _address(case: Case, target: Model | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    arguments = case.pattern.argument_names
    query = [(k, v) for k, v in case.when if k not in arguments]
    key = case.first.key
    if target is not None and key.startswith("?"):
        query.append((key[1:], str(target.pk)))
    return reverse(case.pattern.name, kwargs=_kwargs(case, target)), tuple(query)


def accepted_methods(view: Callable[..., Any]) -> frozenset[str]:
    """The methods `require_http_methods` (`require_POST`…) lets through, found in its
    closure along the chain of wrappers; all when the view has no such decorator."""
    found: Any = view
    while found is not None:
        cells = dict(zip(found.__code__.co_freevars, found.__closure__ or (), strict=True))
        if "request_method_list" in cells:
            return frozenset(cells["request_method_list"].cell_contents)
        found = getattr(found, "__wrapped__", None)
    return frozenset(METHODS)


def expected(expect: str, method: str, accepted: frozenset[str], refuses: int) -> set[int]:
    if expect == SIGN_IN:
        return {302}
    if method not in accepted:
        return {405}
    if expect == REACHES:
        # An empty form may be refused as such (400), once the page is reached.
        return {200, 302} | ({400} if method == "POST" else set())
    if expect == NOT_THEIRS:
        return {refuses}
    return {403, 404, refuses}
