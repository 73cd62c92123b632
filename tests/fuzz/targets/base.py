"""A `Target`: one form-bearing URL, and the helpers the registry's files share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from lachealth.care.models import Child

Scene = SimpleNamespace


def nothing(world: Any) -> dict[str, Any]:
    return {}


def day(key: str, d: date) -> dict[str, str]:
    """A date as the day, month and year boxes post it."""
    return {f"{key}_0": str(d.day), f"{key}_1": str(d.month), f"{key}_2": str(d.year)}


@dataclass(frozen=True)
class Target:
    """One form-bearing URL.

    `valid` gives what a user types on top of the page's first values for a post the page
    accepts (checked before fuzzing); without it every field is drawn afresh. `page` is where
    the form is shown, when it posts elsewhere. `refusal_statuses` beside 200 are statuses the
    page refuses with on purpose, error summary and all; `access_refusals` those it answers
    when a value names what the user may not reach (another LA's area). `share` scales the
    examples for a page slow by nature (an SSDA903 upload runs the DfE's validator)."""

    name: str
    app: str
    forms: tuple[type, ...]
    user: str | None
    url: Callable[[Scene], str]
    make: Callable[[Any], dict[str, Any]] = nothing
    page: Callable[[Scene], str] | None = None
    method: str = "post"
    valid: Callable[[Scene], dict[str, Any]] | None = None
    fixed: dict[str, str] = field(default_factory=dict)
    refusal_statuses: frozenset[int] = frozenset()
    access_refusals: frozenset[int] = frozenset()
    child: Callable[[Scene], Child | None] = lambda s: None
    sign_in: str = "verified"
    share: float = 1.0

    def __str__(self) -> str:
        return self.name

    def scene(self, world: Any) -> Scene:
        return SimpleNamespace(world=world, **self.make(world))


def child_of(name: str) -> Callable[[Scene], Child]:
    return lambda s: s.world.children[name]


def pk_of(name: str) -> Callable[[Scene], int]:
    return lambda s: s.world.children[name].pk
