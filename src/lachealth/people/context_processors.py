"""What every page's header needs: the account menu and the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from . import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated and user.is_verified():  # type: ignore[union-attr]
        match = getattr(request, "resolver_match", None)
        namespace = match.namespace if match else ""
        url_name = (match.url_name or "") if match else ""
        if access.areas_for(user, access.HEALTH_CHILD_ROLES | access.LA_CHILD_ROLES):
            items.append(
                {
                    "href": reverse("health:worklist"),
                    "text": "Worklist",
                    "current": namespace == "health" and url_name == "worklist",
                }
            )
        if access.areas_for(user, access.HEALTH_CHILD_ROLES):
            items.append(
                {
                    "href": reverse("health:appointments"),
                    "text": "Appointments",
                    "current": namespace == "health" and url_name == "appointments",
                }
            )
        if access.can_see_children(user):
            items.append(
                {
                    "href": reverse("care:child_list"),
                    "text": "Children",
                    "current": namespace == "care",
                }
            )
            items.append(
                {
                    "href": reverse("health:actions"),
                    "text": "Health plan actions",
                    "current": namespace == "health" and "action" in url_name,
                }
            )
        if access.sends_handovers(user) or access.receives_handovers(user):
            items.append(
                {
                    "href": reverse("handovers:notification_list"),
                    "text": "Notifications",
                    "current": namespace == "handovers" and url_name.startswith("notification"),
                }
            )
        if access.sees_referrals(user):
            items.append(
                {
                    "href": reverse("handovers:referral_list"),
                    "text": "Referrals",
                    "current": namespace == "handovers" and url_name.startswith("referral"),
                }
            )
        if access.can_see_children(user) or access.is_commissioner(user):
            items.append(
                {
                    "href": reverse("insight:dashboard"),
                    "text": "Measures",
                    # Projections and unit costs are reached from the measures page.
                    "current": namespace == "insight",
                }
            )
            items.append(
                {
                    "href": reverse("quality:index"),
                    "text": "Quality",
                    "current": namespace == "quality",
                }
            )
        if access.can_exchange_return(user):
            items.append(
                {
                    "href": reverse("interop:returns"),
                    "text": "SSDA903 returns",
                    "current": namespace == "interop",
                }
            )
        if access.is_system_admin(user):
            items.append(
                {
                    "href": reverse("people:user_list"),
                    "text": "Users",
                    "current": namespace == "people" and "user" in url_name,
                }
            )
            items.append(
                {
                    "href": reverse("people:organisation_list"),
                    "text": "Organisations",
                    "current": namespace == "people" and "organisation" in url_name,
                }
            )
            items.append(
                {
                    "href": reverse("handovers:settings_index"),
                    "text": "Handover settings",
                    "current": namespace == "handovers" and url_name.startswith("settings"),
                }
            )
            items.append(
                {
                    "href": reverse("health:passport_settings_index"),
                    "text": "Passport settings",
                    "current": namespace == "health" and url_name.startswith("passport_settings"),
                }
            )
            items.append(
                {
                    "href": reverse("people:access_log"),
                    "text": "Access log",
                    "current": namespace == "people" and url_name == "access_log",
                }
            )
    return {"nav_items": items, "csp_nonce": getattr(request, "csp_nonce", "")}
