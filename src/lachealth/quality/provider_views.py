"""The provider pages: providers of external provision (national: any staff member finds
them), the shared timetable of quality visits, the concerns register, the children placed
with a provider that has an open serious concern, and a child's joint funding; with the
child page's panel and the home page's count.

Staff are those holding a child role or the commissioner's at an LA, NHS provider or ICB
(`providers.STAFF_ROLES`); a system administrator by that role alone gets 403. Another area's
visit or concern, not told to the user's organisation, is not found (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from lachealth.care.models import Child
from lachealth.pages import call_service
from lachealth.people import access, audit
from lachealth.people.home import Count, Section, link
from lachealth.people.models import AccessAction, Area, Organisation
from lachealth.reach import ANY, OWN_AREA, OWN_ORGANISATION, reach

from . import joint_funding, providers
from . import provider_selectors as selectors
from .models import Concern, ConcernStatus, Provider, Visit, VisitStatus
from .provider_forms import (
    CancelForm,
    ConcernForm,
    ConcernUpdateForm,
    OutcomeForm,
    ProviderForm,
    VisitForm,
)
from .providers import (
    CONCERN_LEAD_ROLES,
    PROVIDER_EDITOR_ROLES,
    SCHEDULER_ROLES,
    STAFF_ROLES,
    TOLD_KINDS,
)

PAGE_SIZE = 50
CONCERN_FILTERS = {
    "open": "Open or being monitored",
    "serious": "Open serious concerns",
    "closed": "Closed",
    "all": "All concerns",
}


def _staff(request: HttpRequest) -> None:
    if not providers.is_staff(request.user):
        raise PermissionDenied(
            "These pages are for the staff of local authorities, NHS providers and ICBs"
        )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


# --- providers ---------------------------------------------------------------------------


@reach(STAFF_ROLES)
def provider_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    search = request.GET.get("q", "")[:200]
    page = Paginator(selectors.providers_found(search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/provider_list.jinja",
        {
            "page_title": "Providers of external provision",
            "page": page,
            "search": search,
            "query": urlencode({"q": search}) if search else "",
            "can_add": providers.may_edit_providers(request.user),
        },
    )


@reach(STAFF_ROLES, ANY, model=Provider)
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    provider = get_object_or_404(Provider.objects.select_related("area"), pk=pk)
    page = selectors.provider_page(request.user, provider)
    for child in page.children:
        audit.record(request, AccessAction.VIEW, child=child, detail=f"placed with {provider}")
    user = request.user
    return render(
        request,
        "quality/provider_detail.jinja",
        {
            "page_title": provider.name,
            "provider": provider,
            "page": page,
            "sees_children": access.can_see_children(user) and bool(provider.urn),
            "can_edit": providers.may_edit_providers(user),
            "can_schedule": bool(providers.scheduling_organisations(user)),
        },
    )


def _provider_form(request: HttpRequest, provider: Provider | None) -> HttpResponse:
    if not providers.may_edit_providers(request.user):
        raise PermissionDenied(
            "LA staff, commissioners and designated professionals add and change providers"
        )
    form = ProviderForm(
        request.POST if request.method == "POST" else None,
        initial=ProviderForm.initial_from(provider) if provider else None,
    )
    if request.method == "POST" and form.is_valid():
        as_of = timezone.localdate()
        if provider is None:
            saved = call_service(
                form,
                request,
                providers.add_provider,
                f"{form.cleaned_data['name']} added",
                as_of=as_of,
                **form.values(),
            )
        else:
            saved = call_service(
                form,
                request,
                providers.change_provider,
                f"{form.cleaned_data['name']} changed",
                provider=provider,
                as_of=as_of,
                **form.values(),
            )
        if saved:
            return redirect("quality:provider", saved.pk)
    return render(
        request,
        "quality/provider_form.jinja",
        {
            "page_title": f"Change {provider}" if provider else "Add a provider",
            "form": form,
            "provider": provider,
        },
    )


@reach(PROVIDER_EDITOR_ROLES)
def provider_add(request: HttpRequest) -> HttpResponse:
    return _provider_form(request, None)


@reach(PROVIDER_EDITOR_ROLES, ANY, model=Provider)
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not providers.may_edit_providers(request.user):
        raise PermissionDenied(
            "LA staff, commissioners and designated professionals add and change providers"
        )
    return _provider_form(request, get_object_or_404(Provider, pk=pk))


# --- the timetable and visits ------------------------------------------------------------


@reach(STAFF_ROLES)
def timetable(request: HttpRequest) -> HttpResponse:
    _staff(request)
    today = timezone.localdate()
    month = selectors.month_of(request.GET.get("month", ""), today)
    provider_id = _int(request.GET.get("provider"))
    found = selectors.timetable(request.user, month, provider_id)
    visited = Provider.objects.filter(
        pk__in=selectors.reachable_visits(request.user).values("provider_id")
    ).order_by("name")
    previous = (month.replace(day=1) - date.resolution).replace(day=1)
    filters = {"provider": str(provider_id)} if provider_id else {}
    return render(
        request,
        "quality/visit_timetable.jinja",
        {
            "page_title": f"Quality visits, {month:%B %Y}",
            "timetable": found,
            "providers": visited,
            "provider_id": provider_id,
            "previous": urlencode({"month": f"{previous:%Y-%m}", **filters}),
            "next": urlencode({"month": f"{selectors.next_month(month):%Y-%m}", **filters}),
            "can_schedule": bool(providers.scheduling_organisations(request.user)),
        },
    )


@reach(SCHEDULER_ROLES)
def visit_schedule(request: HttpRequest) -> HttpResponse:
    mine = providers.scheduling_organisations(request.user)
    if not mine:
        raise PermissionDenied(
            "Commissioners, designated professionals and LA data officers schedule visits"
        )
    organisations = Organisation.objects.filter(pk__in=mine).order_by("name")
    areas = Area.objects.filter(organisations__in=mine).distinct().order_by("name")
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        areas=areas,
        initial={"provider": _int(request.GET.get("provider"))},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        visit = call_service(
            form,
            request,
            providers.schedule_visit,
            f"Visit to {d['provider']} scheduled for {d['planned_on']:%-d %B %Y}",
            provider=d["provider"],
            organisation=d["organisation"],
            area_code=d["area"].code,
            planned_on=d["planned_on"],
            purpose=d["purpose"],
            as_of=timezone.localdate(),
        )
        if visit:
            return redirect("quality:visit", visit.pk)
    return render(
        request,
        "quality/visit_schedule.jinja",
        {"page_title": "Schedule a quality visit", "form": form},
    )


@reach(STAFF_ROLES, OWN_AREA, model=Visit)
@reach(STAFF_ROLES, OWN_ORGANISATION, model=Visit, organisation=["organisation"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    visit = selectors.visit_for(request.user, pk)
    return render(
        request,
        "quality/visit_detail.jinja",
        {
            "page_title": f"Visit to {visit.provider}, {visit.planned_on:%-d %B %Y}",
            "visit": visit,
            "chances": selectors.chances([visit], request.user).get(visit.pk, []),
            "actions": list(visit.actions.all()),
            "can_record": providers.may_record_visit(request.user, visit),
            "as_of": timezone.localdate(),
        },
    )


def _own_visit(request: HttpRequest, pk: int) -> Visit:
    _staff(request)
    visit = selectors.visit_for(request.user, pk)
    if not providers.may_record_visit(request.user, visit):
        raise PermissionDenied("Staff of the visiting organisation record and cancel its visits")
    return visit


@reach(STAFF_ROLES, OWN_ORGANISATION, model=Visit, organisation=["organisation"])
def visit_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _own_visit(request, pk)
    open_actions = list(visit.actions.filter(done_on__isnull=True))
    initial = (
        {"visitors": visit.visitors, "findings": visit.findings, "outcome": visit.outcome}
        if visit.status == VisitStatus.DONE
        else {}
    )
    form = OutcomeForm(
        request.POST if request.method == "POST" else None,
        open_actions=open_actions,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            request,
            providers.record_visit_outcome,
            f"Visit to {visit.provider} recorded",
            visit=visit,
            visitors=d["visitors"],
            findings=d["findings"],
            outcome=d["outcome"],
            actions=form.new_actions,
            done=form.done_ids(),
            as_of=timezone.localdate(),
        ):
            return redirect("quality:visit", visit.pk)
    return render(
        request,
        "quality/visit_outcome.jinja",
        {"page_title": f"Record the visit to {visit.provider}", "form": form, "visit": visit},
    )


@reach(STAFF_ROLES, OWN_ORGANISATION, model=Visit, organisation=["organisation"])
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _own_visit(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            providers.cancel_visit,
            f"Visit to {visit.provider} cancelled",
            visit=visit,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect("quality:visit", visit.pk)
    return render(
        request,
        "quality/visit_cancel.jinja",
        {"page_title": f"Cancel the visit to {visit.provider}", "form": form, "visit": visit},
    )


# --- the concerns register ---------------------------------------------------------------


@reach(STAFF_ROLES)
def concern_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    show = request.GET.get("show", "open")
    if show not in CONCERN_FILTERS:
        show = "open"
    found = selectors.reachable_concerns(request.user)
    if show == "open":
        found = found.exclude(status=ConcernStatus.CLOSED)
    elif show == "serious":
        found = found.filter(selectors.OPEN_SERIOUS)
    elif show == "closed":
        found = found.filter(status=ConcernStatus.CLOSED)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/concern_list.jinja",
        {
            "page_title": "Concerns register",
            "page": page,
            "show": show,
            "filters": CONCERN_FILTERS,
            "query": f"show={show}",
        },
    )


def _told_choices(areas: Any) -> tuple[Any, Any]:
    """Organisations serving these areas, then every other one a concern may be told to."""
    told = Organisation.objects.filter(kind__in=TOLD_KINDS, is_active=True)
    nearby = told.filter(areas__in=areas).distinct().order_by("name")
    return nearby, told.exclude(pk__in=nearby.values("pk")).order_by("name")


@reach(STAFF_ROLES)
def concern_raise(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    areas = Area.objects.filter(code__in=providers.register_areas(user)).order_by("name")
    nearby, others = _told_choices(areas)
    form = ConcernForm(
        request.POST if request.method == "POST" else None,
        areas=areas,
        organisations=Organisation.objects.filter(
            pk__in=providers.staff_organisations(user)
        ).order_by("name"),
        nearby=nearby,
        others=others,
        initial={"provider": _int(request.GET.get("provider"))},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        concern = call_service(
            form,
            request,
            providers.raise_concern,
            f"Concern about {d['provider']} raised",
            provider=d["provider"],
            area_code=d["area"].code,
            raised_by=d["raised_by"],
            raised_on=d["raised_on"],
            severity=d["severity"],
            summary=d["summary"],
            details=d.get("details") or "",
            told=form.told_organisations(),
            as_of=timezone.localdate(),
        )
        if concern:
            return redirect("quality:concern", concern.pk)
    return render(
        request, "quality/concern_raise.jinja", {"page_title": "Raise a concern", "form": form}
    )


@reach(STAFF_ROLES, OWN_AREA, model=Concern)
@reach(STAFF_ROLES, OWN_ORGANISATION, model=Concern, organisation=["raised_by", "told"])
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    concern = selectors.concern_for(request.user, pk)
    return render(
        request,
        "quality/concern_detail.jinja",
        {
            "page_title": f"Concern about {concern.provider}",
            "concern": concern,
            "told": list(concern.told.order_by("name")),
            "actions": list(concern.actions.all()),
            "can_update": providers.may_update_concern(request.user, concern),
            "as_of": timezone.localdate(),
        },
    )


@reach(STAFF_ROLES, OWN_ORGANISATION, model=Concern, organisation=["raised_by"])
@reach(CONCERN_LEAD_ROLES, OWN_AREA, model=Concern)
def concern_update(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    concern = selectors.concern_for(request.user, pk)
    if not providers.may_update_concern(request.user, concern):
        raise PermissionDenied(
            "The raising organisation's staff, and the area's commissioners and designated "
            "professionals, update a concern"
        )
    already = [*concern.told.values_list("pk", flat=True), concern.raised_by_id]
    nearby, others = _told_choices(Area.objects.filter(code=concern.area_id))
    nearby = nearby.exclude(pk__in=already)
    form = ConcernUpdateForm(
        request.POST if request.method == "POST" else None,
        open_actions=list(concern.actions.filter(done_on__isnull=True)),
        nearby=nearby,
        others=others.exclude(pk__in=already),
        initial={"status": concern.status},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            providers.update_concern,
            f"Concern about {concern.provider} updated",
            concern=concern,
            status=form.cleaned_data["status"],
            tell=form.told_organisations(),
            actions=form.new_actions,
            done=form.done_ids(),
            as_of=timezone.localdate(),
        )
    ):
        return redirect("quality:concern", concern.pk)
    return render(
        request,
        "quality/concern_update.jinja",
        {
            "page_title": f"Update the concern about {concern.provider}",
            "form": form,
            "concern": concern,
            "nearby": nearby.exists(),
        },
    )


# --- children placed with a provider of concern -----------------------------------------


@reach(access.HEALTH_CHILD_ROLES)
def placed_with_concerns(request: HttpRequest) -> HttpResponse:
    if not access.areas_for(request.user, access.HEALTH_CHILD_ROLES):
        raise PermissionDenied("The list is for the health teams of the children placed there")
    rows = selectors.placed_with_concerns(request.user)
    for row in rows:
        audit.record(
            request,
            AccessAction.VIEW,
            child=row.child,
            detail="placed with a provider with an open serious concern",
        )
    return render(
        request,
        "quality/provider_placed_concerns.jinja",
        {
            "page_title": "Children placed with a provider with an open serious concern",
            "rows": rows,
        },
    )


# --- the child page's panel and the home page's count ------------------------------------


def quality_panel(request: HttpRequest, child: Child) -> dict[str, Any] | None:
    """The child's placement provider with its open serious concerns, and joint funding."""
    found = selectors.child_quality(child, timezone.localdate())
    can_record = joint_funding.may_record_funding(request.user, child)
    if found.provider is None and found.funding is None and not can_record:
        return None
    return {"quality": found, "can_record_funding": can_record}


def home_sections(request: HttpRequest) -> list[Section]:
    """For the health teams: how many of their children are placed with a provider that has
    an open serious concern."""
    if not access.areas_for(request.user, access.HEALTH_CHILD_ROLES):
        return []
    number = selectors.placed_with_concerns_query(request.user).count()
    return [
        Section(
            "Providers",
            [
                Count(
                    "Children placed with a provider with an open serious concern",
                    number,
                    link("quality:placed_with_concerns"),
                    urgent=True,
                )
            ],
        )
    ]
