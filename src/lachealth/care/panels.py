"""Sections other apps add to the child's page, and the step after recording a child
entering care, without `care` importing them.

An app that depends on `care` registers a template and a function that builds its context
(in its AppConfig.ready); the child page includes each in turn. This keeps the dependency
arrow pointing one way (health → care), as DESIGN.md asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]
_PANELS: list[tuple[str, PanelContext, str]] = []

#: Where on the page a panel goes: "top", under the child's name (what everyone must see
#: first, like clinical alerts), or "main", after the details and the team.
PLACES = ("top", "main")


def register(template: str, context: PanelContext, place: str = "main") -> None:
    assert place in PLACES
    if all(t != template for t, _, _ in _PANELS):
        _PANELS.append((template, context, place))


def for_child(request: HttpRequest, child: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each place's panels, as template and context; a panel returning None is left out."""
    shown: dict[str, list[tuple[str, dict[str, Any]]]] = {place: [] for place in PLACES}
    for template, build, place in _PANELS:
        context = build(request, child)
        if context is not None:
            shown[place].append((template, context))
    return shown


#: What an app offers to do next after a child is recorded entering care (the hand-offs app:
#: record consent and send the health request), as a URL for this user, or None.
NextStep = Callable[[HttpRequest, Any], str | None]
_NEXT_STEPS: list[NextStep] = []


def register_next_step(step: NextStep) -> None:
    if step not in _NEXT_STEPS:
        _NEXT_STEPS.append(step)


def next_step_after_entry(request: HttpRequest, child: Any) -> str | None:
    """Where the journey of recording a child entering care goes next, if anywhere."""
    for step in _NEXT_STEPS:
        found = step(request, child)
        if found:
            return found
    return None
