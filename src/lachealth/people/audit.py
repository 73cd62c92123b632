"""The access log: one row per view of a child's record, change, export or sign-in, and per
refused attempt at a child's page.

Views and services call `record`; nothing updates or deletes a row. Each row is sealed into
the log's hash chain as it is inserted (`AccessLog.save`, `chain.py`); inside a transaction
the log's turn is held until it commits, so a service writes its row last.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import BooleanField, Case, Value, When
from django.http import HttpRequest

from . import access
from .models import AccessAction, AccessLog

#: The child's model, named rather than imported: `people` sits below `care` in the house.
CHILD_MODEL = "care.Child"


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address. Behind `TRUSTED_PROXY_COUNT` proxies, the address the outermost
    trusted proxy saw (counted from the right of X-Forwarded-For, which the client cannot
    forge); otherwise the socket's address. Anything that is not an IP address is dropped."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def record(
    request: HttpRequest | None,
    action: AccessAction | str,
    *,
    user: Any = None,
    child: Any = None,
    detail: str = "",
    path: str | None = None,
) -> AccessLog:
    """Write one access-log row. `child` is any object with `pk` and `reference`; `path`
    stands for the request's own where that holds a secret (an e-mailed link's)."""
    user = user if user is not None else getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    organisation_id = None
    if authenticated:
        areas = (
            (
                getattr(child, "responsible_area_id", None),
                getattr(child, "current_placement_area_id", None),
            )
            if child is not None
            else ()
        )
        organisation_id = access.organisation_for(user, *areas)
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else detail[:150]) if user else "",
        organisation_id=organisation_id,
        action=action,
        child_id=getattr(child, "pk", None),
        child_ref=getattr(child, "reference", "") if child is not None else "",
        detail=detail[:300],
        path=(path if path is not None else request.get_full_path() if request else "")[:300],
        ip_address=client_ip(request),
    )


def record_refused(
    request: HttpRequest, status: int, asked: object, model: Any = None
) -> AccessLog | None:
    """Log a signed-in user's refused attempt at the page of the child `asked` (the URL's
    key), or of one of the child's records (`model`, whose rows each belong to one child: `asked` is
    then the row's key), so an auditor sees someone walking other areas' children: `status`
    403, or 404 for a child they may not see or that does not exist. A 404 about a child
    they may see is a page that has nothing to show (a chart with too few results, a record
    withdrawn), not a refusal.

    The row names the child only if there is one, so that `child_id` always joins to a child;
    what was asked for is in `detail` either way. The caller's response is not touched:
    the user is not told whether the child exists."""
    what = f"child {asked}"
    child_key: Any = asked
    if model is not None:
        what = f"{model._meta.verbose_name} {asked}"
        child_key = None
        if isinstance(asked, int):
            child_key = (
                model._base_manager.filter(pk=asked).values_list("child_id", flat=True).first()
            )
    child: Any = None
    if isinstance(child_key, int):  # Django's lookup finds no row for one too large for a key
        sees = Case(
            When(access.child_q(request.user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        child = (
            apps.get_model(CHILD_MODEL)
            ._default_manager.filter(pk=child_key)
            .only("la_child_id", "responsible_area_id", "current_placement_area_id")
            .annotate(seen=sees)
            .first()
        )
    if status == 404 and child is not None and child.seen:
        return None
    if child is None:
        what += f", no such {'child' if model is None else 'record'}"
    elif model is not None:
        what += f" of child {child.pk}"
    return record(
        request,
        AccessAction.REFUSED,
        child=child,
        detail=f"{status}, {what}: {request.get_full_path()}",
    )
