"""One team arranges a child's health assessments at a time.

Two teams may serve a child: the LAC health team of the child's responsible area and that of
the area they are placed in. Exactly one of them arranges the child's health assessments
(the initial and review assessment clocks) at any time; the child's page and both teams'
worklists say which, and from when.

- A team takes them on by accepting the health request or an out-of-area notice (an explicit
  transfer), or by taking them over on purpose, saying why; the team that had them is told
  (`assessment_team_changed`, which `handovers` turns into a notice with its own clock, so
  that team can cancel a booking it no longer needs).
- A team that books or records an assessment when no team has them takes them on then.
- No team books or records an assessment while another team has them: it takes them over
  first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest

from lachealth.care.models import Child
from lachealth.people import audit
from lachealth.people.models import AccessAction, Organisation
from lachealth.versioning import save_versioned

from .models import Appointment, AssessmentTeam, TakenHow

#: Sent with `child`, `previous` (the AssessmentTeam that ended), `current` (the one that
#: began), `by` and `as_of`, inside the transaction, when a team takes a child's assessments
#: from another.
assessment_team_changed = Signal()

REASON_MAX = 500


def current(child: Child | int) -> AssessmentTeam | None:
    """The team arranging the child's assessments now, if any team is."""
    child_id = child if isinstance(child, int) else child.pk
    return (
        AssessmentTeam.objects.filter(child_id=child_id, until__isnull=True)
        .select_related("team")
        .first()
    )


def current_for(child_ids: Iterable[int]) -> dict[int, AssessmentTeam]:
    """The teams arranging these children's assessments now, by child, in one query."""
    return {
        row.child_id: row
        for row in AssessmentTeam.objects.filter(
            child_id__in=sorted(set(child_ids)), until__isnull=True
        ).select_related("team")
    }


def history(child: Child) -> list[AssessmentTeam]:
    return list(AssessmentTeam.objects.filter(child=child).select_related("team", "taken_by"))


@transaction.atomic
def take(
    *,
    child: Child,
    team: Organisation,
    by: Any,
    how: str,
    as_of: date,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AssessmentTeam:
    """`team` arranges the child's assessments from `as_of`; the team before it, if another,
    stops that day and is told. Taking them again while one has them changes nothing."""
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Reason must be {REASON_MAX} characters or fewer"})
    if how == TakenHow.TOOK_OVER and not reason:
        raise ValidationError({"reason": "Say why your team is taking over the assessments"})
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one taker at a time
    previous = current(child)
    if previous is not None and previous.team_id == team.pk:
        return previous
    if previous is not None:
        if as_of < previous.since:
            raise ValidationError(
                f"{previous.team.name} took this child's assessments on "
                f"{previous.since:%-d %B %Y}: a team cannot take them from an earlier day"
            )
        previous.until = as_of
        save_versioned(previous, by, reason=f"{team.name} {TakenHow(how).label}")
    taken = AssessmentTeam(child=child, team=team, since=as_of, how=how, taken_by=by, reason=reason)
    save_versioned(taken, by, reason=reason)
    audit.record(
        request,
        AccessAction.CHANGE,
        user=by,
        child=child,
        detail=f"{team.name} {TakenHow(how).label}: arranges the health assessments",
    )
    if previous is not None:
        assessment_team_changed.send(
            sender=take, child=child, previous=previous, current=taken, by=by, as_of=as_of
        )
    return taken


def require_or_claim(
    *,
    child: Child,
    team: Organisation,
    by: Any,
    how: str,
    as_of: date,
    field: str | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Before `team` books or records an assessment: it takes them on if no team has them;
    if another team has them, refuse, saying who and how to take them over."""
    holder = current(child)
    if holder is None:
        take(child=child, team=team, by=by, how=how, as_of=as_of, request=request)
        return
    if holder.team_id != team.pk:
        message = (
            f"{holder.team.name} arranges this child's health assessments, since "
            f"{holder.since:%-d %B %Y}. To book or record one, take them over first: "
            f"{holder.team.name} will be told"
        )
        raise ValidationError({field: message} if field else message)


def open_bookings(child: Child, team_id: int, as_of: date) -> list[Appointment]:
    """The team's bookings for the child with no outcome yet, from `as_of` on: what a team
    that lost the assessments may want to cancel."""
    return list(
        Appointment.objects.filter(
            child=child, provider_id=team_id, outcome="", starts_at__date__gte=as_of
        ).select_related("practitioner")
    )
