"""Sections other apps add to the child's page, without `care` importing them.

An app that depends on `care` registers a template and a function that builds its context
(in its AppConfig.ready); the child page includes each in turn. This keeps the dependency
arrow pointing one way (health → care), as DESIGN.md asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]
_PANELS: list[tuple[str, PanelContext]] = []


def register(template: str, context: PanelContext) -> None:
    if all(t != template for t, _ in _PANELS):
        _PANELS.append((template, context))


def for_child(request: HttpRequest, child: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each registered panel's template and context; a panel returning None is left out."""
    shown = []
    for template, build in _PANELS:
        context = build(request, child)
        if context is not None:
            shown.append((template, context))
    return shown
