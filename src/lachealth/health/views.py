"""Health pages: the provider's worklist, booking and outcomes, assessments with their health
plan, SDQs, the actions an organisation owns, and the health panel of the child's page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from lachealth import charts
from lachealth.care import selectors as care_selectors
from lachealth.care.models import Child
from lachealth.exports import csv_response
from lachealth.forms import without_errors
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Organisation, Role, User
from lachealth.reach import OWN_AREA, OWN_ORGANISATION, PLACED_INTO_AREA, reach

from . import clocks, own_account, ownership, selectors, services, summary
from .clocks import STATE_LABELS, ClockState
from .forms import (
    MAX_PLAN_ROWS,
    ActionDoneForm,
    ActionFormSet,
    AssessmentForm,
    BookingForm,
    NewEntryFormSet,
    OutcomeForm,
    ReviewSummaryForm,
    SdqForm,
)
from .models import Appointment, AssessmentKind, HealthPlanAction, SdqResult
from .sdq import BAND_LABELS, BANDS, SdqBand
from .status import CLOCK_LABELS
from .summary_views import summary_on_page

WORKLIST_PAGE_SIZE = 50
STATE_COLOURS = {"overdue": "#d5281b", "due_soon": "#ffb81c", "due_later": "#005eb8"}


def _require_worklist(request: HttpRequest) -> None:
    if not access.areas_for(request.user, access.CHILD_ROLES):
        raise PermissionDenied(
            "The worklist is for NHS LAC health teams and the local authority's staff"
        )


def practitioners_for(child: Child) -> QuerySet[User]:
    areas = [a for a in (child.responsible_area_id, child.current_placement_area_id) if a]
    return (
        User.objects.filter(
            memberships__role=Role.HEALTH_PRACTITIONER,
            memberships__is_active=True,
            memberships__organisation__areas__in=areas,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@reach(access.CHILD_ROLES)
def worklist(request: HttpRequest) -> HttpResponse:
    _require_worklist(request)
    g = request.GET
    try:
        weeks = max(1, min(int(g.get("weeks", "4")), 52))
    except ValueError:
        weeks = 4
    filters = {
        name: g.get(name, "")
        for name in (
            "clock",
            "state",
            "practitioner",
            "responsible",
            "placed",
            "team",
            "booked",
            "sort",
        )
    }
    as_of = timezone.localdate()
    result = selectors.worklist(request.user, as_of=as_of, weeks=weeks, **filters)
    audit.record(request, AccessAction.SEARCH, detail=f"worklist ({len(result.rows)} clocks)")
    practitioners = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={r.next_practitioner_id for r in result.rows if r.next_practitioner_id}
        )
    }
    if g.get("format") == "csv":
        owners = ownership.current_for(r.child.pk for r in result.rows)
        audit.record(request, AccessAction.EXPORT, detail=f"worklist CSV ({len(result.rows)} rows)")
        return csv_response(
            f"worklist-{as_of.isoformat()}.csv",
            [
                "child",
                "LA child ID",
                "NHS number",
                "date of birth",
                "responsible LA",
                "placed in",
                "placed into your area",
                "clock",
                "due",
                "act by",
                "status",
                "booked",
                "practitioner",
                "last appointment",
                "assessments arranged by",
            ],
            (
                [
                    r.child.sort_name,
                    r.child.la_child_id,
                    r.child.nhs_number,
                    r.child.date_of_birth.isoformat(),
                    r.child.responsible_area.name,
                    r.child.current_placement_area.name,
                    "yes" if r.placed_into_area else "no",
                    r.clock.label,
                    r.clock.status.due.isoformat(),
                    r.clock.status.act_by.isoformat(),
                    r.clock.status.label,
                    timezone.localtime(r.next_appointment_at).strftime("%Y-%m-%d %H:%M")
                    if r.next_appointment_at
                    else "",
                    str(practitioners.get(r.next_practitioner_id or 0, "")),
                    r.missed,
                    owners[r.child.pk].team.name if r.child.pk in owners else "",
                ]
                for r in result.rows
            ),
        )
    bars = [(STATE_LABELS[ClockState(s)], n, STATE_COLOURS[s]) for s, n in result.counts.items()]
    page = Paginator(result.rows, WORKLIST_PAGE_SIZE).get_page(g.get("page"))
    scope = access.scope_of(request.user)
    query = g.copy()
    query.pop("format", None)
    query.pop("page", None)
    return render(
        request,
        "health/worklist.jinja",
        {
            "page_title": "Worklist",
            "rows": page,
            "page": page,
            "bookable": {
                r.child.pk
                for r in page
                if access.acts_for_child(request.user, access.HEALTH_RECORD_ROLES, r.child)
            },
            "owners": ownership.current_for(r.child.pk for r in page),
            "my_teams": access.organisations_for(request.user, access.HEALTH_CHILD_ROLES),
            "total_rows": len(result.rows),
            "counts": result.counts,
            "chart": charts.bar_chart(
                bars,
                alt="Bar chart of clocks by status: "
                + ", ".join(f"{label} {n}" for label, n, _ in bars),
            ),
            "weeks": weeks,
            "filters": filters,
            "as_of": as_of,
            "practitioners": practitioners,
            "clock_labels": CLOCK_LABELS,
            "state_labels": STATE_LABELS,
            "teams": Organisation.objects.filter(
                pk__in={o for r, _, o in scope.grants if r in access.HEALTH_CHILD_ROLES}
            ),
            "areas": care_selectors.areas_in_scope(request.user),
            "practitioner_choices": User.objects.filter(
                memberships__role=Role.HEALTH_PRACTITIONER,
                memberships__organisation_id__in=scope.organisation_ids,
            ).distinct(),
            "query": query.urlencode(),
        },
    )


def health_child(request: HttpRequest, pk: int, roles: frozenset[str], what: str) -> Child:
    """A child the user may see and act for in a health role (404 if unseen, 403 if no role)."""
    require_child_access(request)
    child = care_selectors.visible_child(request.user, pk)
    if not access.acts_for_child(request.user, roles, child):
        raise PermissionDenied(f"Your role does not let you {what}")
    return child


@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def book(request: HttpRequest, pk: int) -> HttpResponse:
    child = health_child(request, pk, access.HEALTH_RECORD_ROLES, "book appointments")
    holder = ownership.current(child)
    if holder and holder.team_id not in access.organisations_for(
        request.user, access.HEALTH_RECORD_ROLES
    ):
        return form_page(
            request,
            "health/book.jinja",
            child,
            {"page_title": f"Book an assessment – {child}", "held_by": holder},
        )
    form = BookingForm(
        request.POST if request.method == "POST" else None, practitioners=practitioners_for(child)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            services.book_appointment,
            "Appointment booked",
            child=child,
            kind=d["kind"],
            starts_at=form.starts_at(),
            venue=d["venue"],
            practitioner=d["practitioner"],
        ):
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "health/book.jinja",
        child,
        {"page_title": f"Book an assessment – {child}", "form": form},
    )


@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA, model=Appointment)
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.filter(child__in=Child.objects.visible_to(request.user)), pk=pk
    )
    child = health_child(
        request, appointment.child_id, access.HEALTH_RECORD_ROLES, "record appointment outcomes"
    )
    form = OutcomeForm(
        request.POST if request.method == "POST" else None,
        initial={"outcome": request.GET.get("outcome", "")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            services.record_outcome,
            "Outcome recorded",
            appointment=appointment,
            outcome=d["outcome"],
            reason=d["reason"],
        ):
            if d["outcome"] == "attended" and access.acts_for_child(
                request.user, access.ASSESSMENT_ROLES, child
            ):
                return redirect("health:assessment_create", pk=child.pk)
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "health/outcome.jinja",
        child,
        {"page_title": f"Record the outcome – {child}", "form": form, "appointment": appointment},
    )


@reach(access.ASSESSMENT_ROLES, OWN_AREA | PLACED_INTO_AREA)
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = health_child(request, pk, access.ASSESSMENT_ROLES, "record health assessments")
    data = request.POST if request.method == "POST" else None
    adding = data is not None and data.get("add") in ("actions", "entries")
    if adding:
        data = _one_more_row(data, str(request.POST["add"]))
    form = AssessmentForm(
        data, practitioners=practitioners_for(child), initial={"practitioner": request.user.pk}
    )
    actions = ActionFormSet(data, prefix="actions")
    entries = NewEntryFormSet(data, prefix="entries")
    current = summary.current_entries(child, timezone.localdate())
    review = ReviewSummaryForm(data, current=current, prefix="summary")
    if adding:
        without_errors(form, actions, entries, review)
    elif data is not None and all(
        [form.is_valid(), actions.is_valid(), entries.is_valid(), review.is_valid()]
    ):
        d = form.cleaned_data
        planned = [
            services.PlannedAction(
                need=a["need"],
                action=a["action"],
                owner_kind=a["owner_kind"],
                owner_name=a["owner_name"].strip(),
                due_on=a["due_on"],
            )
            for a in actions.filled()
        ]
        if call_service(
            form,
            request,
            services.record_assessment,
            "Assessment recorded",
            child=child,
            kind=d["kind"],
            completed_on=d["completed_on"],
            practitioner=d["practitioner"],
            professional=d["professional"],
            details=form.details(),
            actions=planned,
            new_entries=[f.entry() for f in entries.forms if f.has_changed() and f.cleaned_data],
            ended_entries=[int(pk) for pk in review.cleaned_data["ended"]],
        ):
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "health/assessment.jinja",
        child,
        {
            "page_title": f"Record a health assessment – {child}",
            "form": form,
            "actions": actions,
            "entries": entries,
            "review": review,
            "formsets": [actions, entries, review],
            "max_rows": MAX_PLAN_ROWS,
        },
    )


def _one_more_row(data: Any, prefix: str) -> Any:
    """The posted form with one more empty row in `prefix`'s formset, up to the limit."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "1"))
    except ValueError:
        total = 1
    data[key] = str(min(max(total, 0) + 1, MAX_PLAN_ROWS))
    return data


@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def sdq_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = health_child(request, pk, access.HEALTH_RECORD_ROLES, "record SDQs")
    form = SdqForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = call_service(
            form,
            request,
            services.record_sdq,
            "SDQ recorded",
            child=child,
            completed_on=d["completed_on"],
            informant=d["informant"],
            items=form.items(),
            impact=form.impact(),
        )
        if result:
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request, "health/sdq.jinja", child, {"page_title": f"Record an SDQ – {child}", "form": form}
    )


#: The SDQ chart's colour for each band (NHS.UK green, warm yellow, red).
BAND_COLOURS = {SdqBand.NORMAL: "#007f3b", SdqBand.BORDERLINE: "#ffb81c", SdqBand.HIGH: "#d5281b"}

#: The appointment list's choices: the day's appointments, or every one still to come.
WHEN = {"today": "Today", "upcoming": "Still to come"}


@reach(access.HEALTH_CHILD_ROLES)
def appointments(request: HttpRequest) -> HttpResponse:
    """The team's appointments today (or still to come), optionally only the user's own or
    one kind: the nurse's and the doctor's day."""
    require_child_access(request)
    teams = access.organisations_for(request.user, access.HEALTH_CHILD_ROLES)
    if not teams:
        raise PermissionDenied("Appointments are for NHS LAC health teams")
    g = request.GET
    when = g.get("when") if g.get("when") in WHEN else "today"
    mine = g.get("mine") == "1"
    kind = g.get("kind") if g.get("kind") in AssessmentKind.values else ""
    as_of = timezone.localdate()
    rows = (
        Appointment.objects.filter(
            provider_id__in=teams, child__in=Child.objects.visible_to(request.user)
        )
        .select_related("child", "practitioner")
        .order_by("starts_at", "pk")
    )
    if when == "upcoming":
        rows = rows.filter(starts_at__date__gte=as_of, outcome="")
    else:
        rows = rows.filter(starts_at__date=as_of)
    if mine:
        rows = rows.filter(practitioner=request.user)
    if kind:
        rows = rows.filter(kind=kind)
    found = list(rows[:500])
    audit.record(request, AccessAction.SEARCH, detail=f"appointments ({len(found)})")
    return render(
        request,
        "health/appointments.jinja",
        {
            "page_title": "Appointments",
            "rows": found,
            "when": when,
            "mine": mine,
            "kind": kind,
            "as_of": as_of,
            "when_choices": WHEN,
            "kinds": AssessmentKind.choices,
            "can_book": bool(access.organisations_for(request.user, access.HEALTH_RECORD_ROLES)),
        },
    )


@reach(access.CHILD_ROLES)
def my_actions(request: HttpRequest) -> HttpResponse:
    require_child_access(request)
    state = request.GET.get("status", "open")
    if state not in ("open", "overdue", "done", "all"):
        state = "open"
    actions = list(selectors.actions_owned_by(request.user, status_filter=state))
    as_of = timezone.localdate()
    return render(
        request,
        "health/actions.jinja",
        {
            "page_title": "Health plan actions",
            "state": state,
            "as_of": as_of,
            "rows": [(a, selectors.action_status(a, as_of)) for a in actions],
        },
    )


@reach(services.ACTION_ROLES, OWN_ORGANISATION, model=HealthPlanAction, organisation=["owner"])
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    require_child_access(request)
    action = get_object_or_404(
        HealthPlanAction.objects.filter(
            child__in=Child.objects.visible_to(request.user)
        ).select_related("child", "owner"),
        pk=pk,
    )
    if action.owner_id not in access.organisations_for(request.user, services.ACTION_ROLES):
        raise PermissionDenied("Only the organisation that owns an action can mark it done")
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            services.complete_action,
            "Action marked done",
            action=action,
            note=form.cleaned_data["note"],
        )
    ):
        if request.GET.get("next") == "child":
            return redirect("care:child_detail", pk=action.child_id)
        return redirect("health:actions")
    return form_page(
        request,
        "health/action_done.jinja",
        action.child,
        {"page_title": "Mark an action done", "form": form, "action": action},
    )


def sdq_chart_svg(points: list[tuple[date, int]]) -> bytes:
    """The SDQ chart: total difficulties over time on the bands' colours."""
    return charts.line_chart_svg(
        points,
        y_label="Total difficulties (0–40)",
        y_max=40,
        bands=[
            (max(low - 0.5, 0), min(high + 0.5, 40), BAND_COLOURS[band], name)
            for band, (name, low, high) in BANDS.items()
        ],
    )


def sdq_points(sdqs: Iterable[SdqResult]) -> list[tuple[date, int]]:
    """What the SDQ chart draws: the carer's total difficulties scores, oldest first."""
    return sorted(
        (s.completed_on, s.total_difficulties)
        for s in sdqs
        if s.total_difficulties is not None and s.informant == "carer"
    )


@reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def sdq_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's SDQ chart, an SVG the child's page loads: for the health team only, like
    the scores (the page's view of the child is what the access log records)."""
    child = health_child(request, pk, access.HEALTH_CHILD_ROLES, "see SDQ scores")
    points = sdq_points(SdqResult.objects.filter(child=child))
    if len(points) < 2:
        raise Http404("A chart needs two SDQs or more")
    svg = sdq_chart_svg(points)
    # Like every page, not kept by the browser (no-store): health data on a shared computer.
    return HttpResponse(svg, content_type="image/svg+xml")


def child_panel(request: HttpRequest, child: Child) -> dict[str, Any] | None:
    """The health section of the child's page: clocks, history, SDQ chart, plan actions."""
    as_of = timezone.localdate()
    health = selectors.child_health(child, as_of=as_of)
    points = sdq_points(health.sdqs)
    chart = None
    clinical = access.acts_for_child(request.user, access.HEALTH_CHILD_ROLES, child)
    if clinical and len(points) >= 2:  # the chart is for the health team's eyes
        chart = {
            "src": reverse("health:sdq_chart", args=[child.pk]),
            "alt": "Line chart of carer SDQ total difficulties over time: "
            + ", ".join(f"{d:%-d %b %Y} {v}" for d, v in points),
        }
    own_orgs = access.scope_of(request.user).organisation_ids
    holder = ownership.current(child)
    passports = list(
        child.passports.order_by("-version").only("pk", "version", "given_on", "child_id")
    )
    passport_age = as_of >= clocks.birthday(child.date_of_birth, clocks.PASSPORT_FROM_AGE)
    stale = [
        a
        for a in health.appointments
        if holder
        and not a.outcome
        and a.provider_id != holder.team_id
        and a.provider_id in own_orgs
        and timezone.localdate(a.starts_at) >= as_of
    ]
    return {
        "health": health,
        "assessment_team": holder,
        "own_team": bool(holder and holder.team_id in own_orgs),
        "stale_bookings": stale,
        "as_of": as_of,
        "sdq_chart": chart,
        "band_labels": BAND_LABELS,
        "own_orgs": own_orgs,
        "can_book": access.acts_for_child(request.user, access.HEALTH_RECORD_ROLES, child),
        "can_assess": access.acts_for_child(request.user, access.ASSESSMENT_ROLES, child),
        "summary": summary_on_page(request, child),
        "can_summarise": access.acts_for_child(request.user, summary.SUMMARY_ROLES, child),
        # Everyone who sees the child sees that a passport was given, and when; only the
        # health team opens it.
        "passports": passports,
        "passport_age": passport_age,
        # The young person's own account, their feedback and corrections: their health
        # team's, and read only where the page has a passport section to show them in.
        "own_account": own_account.team_panel(child)
        if clinical and (passport_age or passports)
        else None,
        "can_invite": access.acts_for_child(request.user, own_account.INVITER_ROLES, child),
        # LA staff see clocks and the plan's actions; clinical detail is for health staff.
        "clinical": clinical,
    }
