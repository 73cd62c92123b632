"""Who may reach each page, declared beside its view with `@reach`. The access matrix
(`tests/matrix/`) walks every URL pattern and requests it as every role, against objects they
should reach and objects they should not, holding each view to its declaration; a view without
one fails it. The views enforce access (`people.access`); this only states what they promise.

    @reach(PUBLIC)                                  # anyone, signed in or not
    @reach(SIGNED_IN)                               # any signed-in user
    @reach(access.RETURN_ROLES)                     # these roles; no object in the URL
    @reach(access.LA_CHILD_ROLES, OWN_AREA)         # and only a child of their own area
    @reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA)  # stacked: either grant
    @reach(roles, OWN_ORGANISATION, model=Notification, organisation=["recipient"])

The URL's object is a child unless `model` says otherwise, its primary key in the URL argument
`key` ("pk"; "?name" for a query parameter). `when` gives example values of the URL's other
arguments and query parameters; declarations with different `when` are separate cases of one
pattern (the kinds of record one withdrawal page takes). A role that reaches the page gets 404
for an object it may not reach, unless `refuses` says otherwise. Which methods a view accepts
the matrix reads from its `require_POST` (or `require_http_methods`): others get 405.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured


class Audience(enum.Enum):
    """Pages for everyone rather than for roles."""

    PUBLIC = "anyone, signed in or not"
    SIGNED_IN = "any signed-in user, whatever their roles"


class Objects(enum.Flag):
    """How the URL's object must stand to the user for a role to reach it."""

    #: A child whose responsible area is served by the organisation where the user holds the
    #: role (for an SSDA903 import or an area: its area).
    OWN_AREA = enum.auto()
    #: A child placed into an area served by that organisation (health teams: access.py).
    PLACED_INTO_AREA = enum.auto()
    #: One of the object's `organisation` fields is that organisation.
    OWN_ORGANISATION = enum.auto()
    #: The user's own account, or an object whose `person` fields name the user (the
    #: practitioner whose assessment a QA review is of).
    OWN_USER = enum.auto()
    #: The young person's own record, through their own account (their pages carry no
    #: object in the URL: they are declared for the YOUNG_PERSON role instead).
    OWN_SELF = enum.auto()
    #: Any object: administration, or a list the access policy filters whatever is asked.
    ANY = enum.auto()


#: Not a `Role`: a health role held at a service that takes referrals (CAMHS…), whose staff
#: reach only the referrals made to it (access.py), so it is declared apart.
SERVICE_STAFF = "service_staff"

#: Not a `Role`: a young person signed in to their own account (health/own_account.py),
#: who reaches only the pages about themselves, under /my/.
YOUNG_PERSON = "young_person"

PUBLIC = Audience.PUBLIC
SIGNED_IN = Audience.SIGNED_IN
OWN_AREA = Objects.OWN_AREA
PLACED_INTO_AREA = Objects.PLACED_INTO_AREA
OWN_ORGANISATION = Objects.OWN_ORGANISATION
OWN_USER = Objects.OWN_USER
OWN_SELF = Objects.OWN_SELF
ANY = Objects.ANY


@dataclass(frozen=True)
class Reach:
    """One grant of a view: these roles reach it (for these objects)."""

    roles: frozenset[str] | Audience
    objects: Objects | None = None
    #: The object's model; None for a child.
    model: type | None = None
    #: The URL argument that carries the object's primary key, or "?name" for a query
    #: parameter. A pattern without that argument (a view serving two URLs) has no object.
    key: str = "pk"
    #: For OWN_ORGANISATION: the object's fields that name organisations ("pk" when the
    #: object is the organisation).
    organisation: tuple[str, ...] = ()
    #: For OWN_USER on an object that is not a user: its fields that name users.
    person: tuple[str, ...] = ()
    #: Example values of the URL's other arguments and of query parameters the page needs.
    when: Mapping[str, str] = field(default_factory=dict)
    #: What a role that reaches the page gets for an object it may not reach: 404 so that
    #: the object's existence is not revealed, unless the view says otherwise by design.
    refuses: int = 404


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def reach(
    roles: Iterable[str] | Audience,
    objects: Objects | None = None,
    *,
    model: type | None = None,
    key: str = "pk",
    organisation: Iterable[str] = (),
    person: Iterable[str] = (),
    when: Mapping[str, str] | None = None,
    refuses: int = 404,
) -> Callable[[ViewT], ViewT]:
    """Declare who reaches the view; stack one per grant (see the module's docstring)."""
    declared = Reach(
        roles=roles if isinstance(roles, Audience) else frozenset(roles),
        objects=objects,
        model=model,
        key=key,
        organisation=tuple(organisation),
        person=tuple(person),
        when=dict(when or {}),
        refuses=refuses,
    )
    if isinstance(declared.roles, Audience) and objects is not None:
        raise ImproperlyConfigured("A page for everyone has no objects to reach")
    if objects is not None and Objects.OWN_ORGANISATION in objects and not declared.organisation:
        raise ImproperlyConfigured("OWN_ORGANISATION needs the object's organisation fields")
    if model is not None and objects is None:
        raise ImproperlyConfigured("Say which of the model's objects the roles reach")

    def mark(view: ViewT) -> ViewT:
        view.reach = (*getattr(view, "reach", ()), declared)  # type: ignore[attr-defined]
        return view

    return mark


def declarations(view: Any) -> tuple[Reach, ...]:
    """The declarations of a view (empty if it has none)."""
    return tuple(getattr(view, "reach", ()))
