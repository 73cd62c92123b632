"""The care pages: find a child, see their record and timeline, record entry, moves and leaving."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from lachealth.forms import WithdrawForm
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import corrections, panels, selectors, services, team
from .forms import (
    ChangeForm,
    ChildDetailsForm,
    CorrectDatesForm,
    EntryToCareForm,
    LeavingCareForm,
    NewPeriodForm,
)
from .models import Child, Episode, TeamRole


def _recordable_child(request: HttpRequest, pk: int) -> Child:
    """A child the user can see *and* whose LA they work for (else 404 / 403)."""
    require_child_access(request)
    child = selectors.visible_child(request.user, pk)
    if not access.can_record_care(request.user, child.responsible_area_id):
        raise PermissionDenied("Only staff of the child's local authority can record this")
    return child


@reach(access.CHILD_ROLES)
def child_list(request: HttpRequest) -> HttpResponse:
    require_child_access(request)
    search = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    if status not in selectors.STATUSES:
        status = "current"
    area = request.GET.get("area", "")
    children = selectors.child_list(
        request.user, search=search, status=status, area=area, today=timezone.localdate()
    )
    page = Paginator(children, settings.CHILD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    if search:
        audit.record(request, AccessAction.SEARCH, detail=f"searched children for “{search}”")
    scope = access.scope_of(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "care/child_list.jinja",
        {
            "page_title": "Children",
            "page": page,
            "q": search,
            "status": status,
            "statuses": selectors.STATUSES,
            "area": area,
            "areas": Area.objects.filter(code__in=scope.la_areas | scope.health_areas),
            "can_record": access.can_record_care(request.user),
            "query": query.urlencode(),
        },
    )


@reach(access.LA_CHILD_ROLES, OWN_AREA)
@reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_child_access(request)
    child = selectors.visible_child(request.user, pk)
    audit.record(request, AccessAction.VIEW, child=child)
    periods = selectors.timeline(child)
    today = timezone.localdate()
    current_team, earlier_team = team.current_and_earlier(child, today)
    return render(
        request,
        "care/child_detail.jinja",
        {
            "page_title": str(child),
            "child": child,
            "periods": periods,
            "record": selectors.care_events(child, today),
            "team": current_team,
            "team_missing": [
                TeamRole(r).label for r in team.EXPECTED if all(m.role != r for m in current_team)
            ],
            "earlier_team": earlier_team,
            "recordable": team.roles_recorded_by(request.user, child),
            "last_change": selectors.last_change(child),
            "can_record": access.can_record_care(request.user, child.responsible_area_id),
            "panels": panels.for_child(request, child),
        },
    )


#: The changes the history page lists, newest first.
HISTORY_LENGTH = 100


@reach(access.LA_CHILD_ROLES, OWN_AREA)
@reach(access.HEALTH_CHILD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def child_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recent change to the child's care record: who, when, what before and after,
    and why (a page of its own, so that the child's page stays quick)."""
    require_child_access(request)
    child = selectors.visible_child(request.user, pk)
    audit.record(request, AccessAction.VIEW, child=child, detail="change history")
    return render(
        request,
        "care/child_history.jinja",
        {
            "page_title": f"Change history: {child}",
            "child": child,
            "history": selectors.change_history(child, limit=HISTORY_LENGTH),
        },
    )


@reach(access.CARE_RECORD_ROLES)
def child_create(request: HttpRequest) -> HttpResponse:
    require_child_access(request)
    areas = access.recording_areas(request.user)
    if not areas:
        raise PermissionDenied("Only local authority staff record a child entering care")
    form = EntryToCareForm(
        request.POST if request.method == "POST" else None, recording_areas=areas
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        child = call_service(
            form,
            request,
            services.record_entry_to_care,
            f"{d['first_name']} {d['last_name']} is recorded as looked after",
            responsible_area=d["responsible_area"],
            child_details=form.child_details(),
            decom=d["decom"],
            ls=d["ls"],
            cin=d["cin"],
            placement=form.placement(),
            home_post=d["home_post"],
            gp_practice=form.gp_practice(),
        )
        if child:
            return redirect(
                panels.next_step_after_entry(request, child)
                or reverse("care:child_detail", args=[child.pk])
            )
    return render(
        request,
        "care/child_form.jinja",
        {"page_title": "Record a child entering care", "form": form},
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA)
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = _recordable_child(request, pk)
    initial = ChildDetailsForm.initial_for(child)
    form = ChildDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            services.update_child_details,
            "Details saved",
            child=child,
            details=form.child_details(),
        )
    ):
        return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "care/child_edit.jinja",
        child,
        {"page_title": f"Change details – {child}", "form": form, "child": child},
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA)
def change_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = _recordable_child(request, pk)
    current = child.episodes.filter(dec__isnull=True).select_related("placement_area").first()
    if current is None:
        messages.info(request, f"{child} is not looked after now: record a new period of care")
        return redirect("care:child_detail", pk=child.pk)
    form = ChangeForm(request.POST if request.method == "POST" else None, current_ls=current.ls)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        episode = call_service(
            form,
            request,
            services.record_change,
            "Change recorded",
            child=child,
            on=d["decom"],
            ls=d["ls"],
            placement=form.placement() if form.placement_changes else None,
            same_carer=d.get("same_carer") == "yes",
            reason_place_change=d.get("reason_place_change") or "",
        )
        if episode:
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "care/change_form.jinja",
        child,
        {
            "page_title": f"Record a change – {child}",
            "form": form,
            "child": child,
            "current": current,
        },
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA)
def leaving_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = _recordable_child(request, pk)
    form = LeavingCareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            services.record_leaving_care,
            f"{child} is recorded as having left care",
            child=child,
            on=d["dec"],
            rec=d["rec"],
        ):
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "care/leaving_form.jinja",
        child,
        {"page_title": f"Record leaving care – {child}", "form": form, "child": child},
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA)
def period_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = _recordable_child(request, pk)
    form = NewPeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            services.record_new_period_of_care,
            f"{child} is recorded as looked after again",
            child=child,
            decom=d["decom"],
            ls=d["ls"],
            cin=d["cin"],
            placement=form.placement(),
            home_post=d["home_post"],
        ):
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "care/period_form.jinja",
        child,
        {"page_title": f"Record a new period of care – {child}", "form": form, "child": child},
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA, model=Episode, key="episode_pk")
def episode_correct(request: HttpRequest, pk: int, episode_pk: int) -> HttpResponse:
    """The LA corrects when an episode began (a move, a change, entering care) or, for the
    episode that ended care, when care ended."""
    child = _recordable_child(request, pk)
    episode = get_object_or_404(Episode, child=child, pk=episode_pk)
    ends_care = episode.dec is not None and episode.rec != "X1"
    form = CorrectDatesForm(
        request.POST if request.method == "POST" else None,
        ends_care=ends_care,
        initial={"decom": episode.decom, "dec": episode.dec},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            corrections.correct_event_dates,
            "Date corrected",
            episode=episode,
            new_start=d["decom"],
            new_end=d.get("dec"),
            reason=d["reason"],
        ):
            return redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "care/correct_dates.jinja",
        child,
        {
            "page_title": f"Correct a date – {child}",
            "form": form,
            "episode": episode,
            "ends_care": ends_care,
        },
    )


@reach(access.CARE_RECORD_ROLES, OWN_AREA, model=Episode, key="episode_pk")
def episode_withdraw(request: HttpRequest, pk: int, episode_pk: int) -> HttpResponse:
    """The LA withdraws an episode entered in error, saying why; one already withdrawn shows
    its reason."""
    child = _recordable_child(request, pk)
    episode = get_object_or_404(
        Episode.everything.select_related("placement_area"), child=child, pk=episode_pk
    )
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            corrections.withdraw_episode,
            "Episode withdrawn",
            episode=episode,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect("care:child_detail", pk=child.pk)
    start = f"{episode.decom:%-d %B %Y}"
    return form_page(
        request,
        "withdraw.jinja",
        child,
        {
            "page_title": f"Withdraw the episode from {start} – {child}",
            "form": form,
            "heading": f"Withdraw the episode from {start}",
            "explanation": f"{episode.get_rne_display()} ({episode.rne}): "
            f"{episode.get_ls_display()} ({episode.ls}), {episode.get_place_display()} "
            f"({episode.place}) in {episode.placement_area.name}. "
            f"{corrections.explain_withdrawal(episode)} A withdrawn episode stays in the "
            "history with your reason, but no longer counts: the clocks, lists, measures and "
            "SSDA903 return leave it out.",
            "button_text": "Withdraw the episode",
            "back": reverse("care:child_detail", args=[child.pk]),
            "withdrawn": episode.withdrawn_reason,
        },
    )
