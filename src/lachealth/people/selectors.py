"""Reads the people pages need: users with their roles, organisations, the access log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import AccessLog, Membership, Organisation, User


def users_with_roles() -> QuerySet[User]:
    active = Membership.objects.filter(is_active=True).select_related("organisation")
    return User.objects.prefetch_related(Prefetch("memberships", queryset=active, to_attr="roles"))


def organisations_with_areas() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("areas")


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def access_log(
    *, user: str = "", child: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AccessLog]:
    """The access log searched by user, child and date (inclusive), newest first."""
    rows = AccessLog.objects.select_related("organisation")
    if user:
        rows = rows.filter(username__icontains=user)
    if child:
        q = Q(child_ref__iexact=child)
        if child.isdigit():
            q |= Q(child_id=int(child))
        rows = rows.filter(q)
    if date_from:
        rows = rows.filter(at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return rows
