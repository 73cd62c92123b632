"""The health side of each user's home page (`people.home`): clocks overdue and due soon,
assessments not booked, today's appointments, the user's own booked initial assessments,
health plan actions overdue, and, for designated professionals, how many initial assessments
were on time in the last twelve months. Each count links to its list.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count as Tally
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from lachealth.care.models import Child
from lachealth.people import access
from lachealth.people.home import Count, Section, link
from lachealth.people.models import Role

from . import passport, selectors
from .clocks import DEFAULT_DUE_SOON_WORKING_DAYS, ClockState
from .models import Appointment, AssessmentKind, HealthAssessment


def sections(request: HttpRequest) -> list[Section]:
    user = request.user
    health = access.areas_for(user, access.HEALTH_CHILD_ROLES)
    la = access.areas_for(user, access.LA_CHILD_ROLES)
    if not (health or la):
        return []
    as_of = timezone.localdate()
    rows = selectors.worklist(user, as_of=as_of, weeks=4).rows  # one pass for every count
    overdue = sum(r.clock.status.state == ClockState.OVERDUE for r in rows)
    soon = sum(r.clock.status.state == ClockState.DUE_SOON for r in rows)
    clocks = [
        Count("Clocks overdue", overdue, link("health:worklist", state="overdue"), urgent=True),
        Count(
            f"Clocks due within {DEFAULT_DUE_SOON_WORKING_DAYS} working days",
            soon,
            link("health:worklist", state="due_soon"),
        ),
    ]
    clocks.append(
        Count(
            "Care leavers owed a health passport",
            len(passport.owed(user, as_of)),
            link("health:passports_owed"),
        )
    )
    found = [Section("Health clocks", clocks)]
    teams = access.organisations_for(user, access.HEALTH_RECORD_ROLES)
    if teams:
        unbooked = [
            r for r in rows if r.clock.code in selectors.BOOKABLE and r.next_appointment_at is None
        ]
        visible = Child.objects.visible_to(user)
        upcoming = Appointment.objects.filter(provider_id__in=teams, child__in=visible, outcome="")
        work = [
            Count(
                "Assessments not booked, overdue or due in 4 weeks",
                len(unbooked),
                link("health:worklist", booked="no"),
                urgent=True,
            ),
            Count(
                "Appointments today",
                upcoming.filter(starts_at__date=as_of).count(),
                link("health:appointments"),
            ),
        ]
        if Role.HEALTH_PRACTITIONER in access.scope_of(user).roles:
            mine = upcoming.filter(
                practitioner=user, kind=AssessmentKind.IHA, starts_at__date__gte=as_of
            ).count()
            work.append(
                Count(
                    "Initial health assessments booked with you",
                    mine,
                    link("health:appointments", when="upcoming", mine="1", kind="IHA"),
                )
            )
        found.append(Section("Assessments", work))
    actions = selectors.actions_owned_by(user, status_filter="overdue").count()
    found.append(
        Section(
            "Health plan actions",
            [
                Count(
                    "Actions your organisation follows up, overdue",
                    actions,
                    link("health:actions", status="overdue"),
                    urgent=True,
                )
            ],
        )
    )
    if Role.DESIGNATED_PROFESSIONAL in access.scope_of(user).roles:
        found.append(Section("Timeliness", [_iha_timeliness(user, as_of)]))
    return found


def _iha_timeliness(user: Any, as_of: date) -> Count:
    """Initial assessments done in the last 12 months, and how many by their due date."""
    year_ago = as_of - timedelta(days=365)
    done = HealthAssessment.objects.filter(
        kind=AssessmentKind.IHA,
        completed_on__gt=year_ago,
        child__in=Child.objects.visible_to(user),
    ).aggregate(all=Tally("pk"), on_time=Tally("pk", filter=Q(completed_on__lte=F("due_on"))))
    total, on_time = done["all"], done["on_time"]
    share = f"{round(100 * on_time / total)}% ({on_time} of {total})" if total else "None done"
    return Count(
        "Initial health assessments on time, last 12 months",
        on_time,
        reverse("insight:dashboard"),
        text=share,
    )
