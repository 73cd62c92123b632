"""What each user's home page counts: the day's work, each count a link to the list it counts.

The apps above `people` register a function (in their AppConfig.ready) that, given the
request, returns the counts it has for that user's roles, or none; the home page shows every
count in the order of registration, grouped under each function's heading. `people` never
imports them, so the dependency arrows stay one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Count:
    """'12 clocks overdue', linking to the worklist filtered to them."""

    label: str
    number: int
    href: str
    #: marks what needs acting on first (drawn with a warning colour when not zero)
    urgent: bool = False
    #: a figure, not a count, shown as given ("74% (148 of 200)")
    text: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    counts: list[Count]


def link(name: str, **params: str) -> str:
    """The URL of a list, filtered as a count counts it: `link("health:worklist",
    state="overdue")`."""
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


HomeSections = Callable[[HttpRequest], list[Section]]
_SECTIONS: list[HomeSections] = []


def register(build: HomeSections) -> None:
    if build not in _SECTIONS:
        _SECTIONS.append(build)


def sections(request: HttpRequest) -> list[Section]:
    """Every registered app's sections for this user, leaving out the empty ones."""
    return [s for build in _SECTIONS for s in build(request) if s.counts]


#: Where a user who is not staff starts instead of the home page (a young person's own
#: account): each app above `people` may register one, which returns a URL or None.
Landing = Callable[[HttpRequest], str | None]
_LANDINGS: list[Landing] = []


def register_landing(landing: Landing) -> None:
    if landing not in _LANDINGS:
        _LANDINGS.append(landing)


def landing(request: HttpRequest) -> str | None:
    """The page this user starts from instead of the home page, if an app has one for them."""
    return next((url for found in _LANDINGS if (url := found(request))), None)
