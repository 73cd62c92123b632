"""Every URL pattern of the site, from Django's resolver, as the cases the matrix requests: one
per pattern, or one per example (`when`) where a pattern's declarations give several."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from lachealth.care.models import Child
from lachealth.reach import OWN_SELF, Audience, Reach, declarations

ROOT = Path(__file__).resolve().parents[2]

#: The test file that requests each URL namespace's patterns ("" is the site's own URLs).
RUN_BY = {
    "": "tests/people/test_access_matrix.py",
    "people": "tests/people/test_access_matrix.py",
    "care": "tests/care/test_access_matrix.py",
    "health": "tests/health/test_access_matrix.py",
    "handovers": "tests/handovers/test_access_matrix.py",
    "interop": "tests/interop/test_access_matrix.py",
    "insight": "tests/insight/test_access_matrix.py",
    "quality": "tests/quality/test_access_matrix.py",
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "care:team_edit"; the site's own have no namespace: "home"
    route: str  # "children/<int:pk>/team/<int:member_pk>/"
    view: Callable[..., Any]
    arguments: tuple[tuple[str, str], ...]  # (name, converter): ("pk", "int")

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def argument_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.arguments)

    def where(self) -> str:
        """The view and its file, to say where a declaration goes."""
        view = inspect.unwrap(self.view)
        file = Path(inspect.getsourcefile(view) or "?").resolve()
        shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
        return f"{view.__module__}.{view.__qualname__} in {shown}"


@dataclass(frozen=True)
class Case:
    pattern: Pattern
    grants: tuple[Reach, ...]
    when: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        examples = ",".join(f"{k}={v}" for k, v in self.when)
        return self.pattern.name + (f"[{examples}]" if examples else "")

    __repr__ = __str__  # pytest shows it beside every failure

    @property
    def first(self) -> Reach:
        return self.grants[0]

    @property
    def has_object(self) -> bool:
        key = self.first.key
        return self.first.objects is not None and (
            key.startswith("?") or key in self.pattern.argument_names
        )

    @property
    def model(self) -> type:
        return self.first.model or Child


def every_pattern() -> list[Pattern]:
    return list(_walk(get_resolver(), "", "", ()))


def _walk(
    resolver: URLResolver, route: str, namespace: str, arguments: tuple[tuple[str, str], ...]
) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        here = route + str(entry.pattern)
        found = arguments + _arguments(entry)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry, here, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Pattern(name, here, entry.callback, found)


def _arguments(entry: Any) -> tuple[tuple[str, str], ...]:
    converters = getattr(entry.pattern, "converters", {})
    return tuple(
        (n, type(c).__name__.removesuffix("Converter").lower()) for n, c in converters.items()
    )


def cases_of(test_file: str) -> list[Case]:
    """The cases of the namespaces `RUN_BY` gives this test file."""
    mine = {ns for ns, f in RUN_BY.items() if ROOT / f == Path(test_file).resolve()}
    return [c for p in every_pattern() if p.namespace in mine for c in cases_of_pattern(p)]


def cases_of_pattern(pattern: Pattern) -> list[Case]:
    grants = declarations(pattern.view)
    if not grants:
        return [Case(pattern, ())]
    by_example: dict[tuple[tuple[str, str], ...], list[Reach]] = {}
    for grant in grants:
        by_example.setdefault(tuple(sorted(grant.when.items())), []).append(grant)
    return [Case(pattern, tuple(found), when) for when, found in by_example.items()]


def problems(case: Case) -> list[str]:
    """What is wrong with a case's declaration, each naming the pattern and where to fix it."""
    pattern = case.pattern
    at = f"{pattern.name} ({pattern.route})"
    if not case.grants:
        return [
            f"{at} declares nobody: add @reach(...) (lachealth/reach.py) above {pattern.where()}"
        ]
    found = []
    audiences = [g for g in case.grants if isinstance(g.roles, Audience)]
    if audiences and len(case.grants) > 1:
        found.append(f"{at}: a page for everyone has no other grant ({pattern.where()})")
    shared = {(g.model, g.key, g.refuses) for g in case.grants}
    if len(shared) > 1:
        found.append(f"{at}: its grants disagree on model, key or refuses ({pattern.where()})")
    if any(g.objects is not None and OWN_SELF in g.objects for g in case.grants):
        found.append(
            f"{at}: OWN_SELF needs the young person's account in the matrix's world "
            "(tests/matrix/world.py)"
        )
    given = {k for k, _ in case.when}
    if case.first.objects is not None:
        given |= {case.first.key, "pk"}  # the object, and its child
    missing = sorted(pattern.argument_names - given)
    if missing:
        found.append(
            f"{at}: say which object or example value fills {', '.join(missing)} "
            f"(key= or when= of @reach above {pattern.where()})"
        )
    return found
