"""The projections page, its downloads and the unit costs form.

Who sees projections is who sees measures (`views.MEASURE_ROLES`): commissioners of their
footprint, suppressed (`projection_tables`), and staff of their areas. A projection answers
GET: the page changes nothing. The unit costs (pounds a week per kind of placement) are kept
by an area's commissioners and data officers, and every change is in their history.

A projection the record cannot support (too few children, no entries, a day before the
record) is a clear answer to a fair question: the page says what cannot be projected and why,
on the field it concerns, with 200; a value the form does not offer is refused with 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from lachealth.exports import csv_response, xlsx_response
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area, Role
from lachealth.reach import OWN_AREA, reach

from . import charts, projection, projection_tables, selectors, services
from .models import COST_CATEGORIES, UnitCost
from .projection_forms import ProjectionForm, UnitCostForm
from .projections import Outlook, kept_outlook
from .views import MEASURE_ROLES

#: Who keeps an area's unit costs.
COST_ROLES = frozenset({Role.COMMISSIONER, Role.DATA_OFFICER})
#: The form field each of the projection's refusals concerns.
FIELD_OF = {
    "--area": "area",
    "--as-of": "as_of",
    "--months": "months",
    "--reference-years": "reference_years",
}


def _areas(request: HttpRequest) -> tuple[selectors.Audience, dict[str, str]]:
    audience = selectors.audience_of(request.user)
    if audience is None:
        raise PermissionDenied(
            "Your role has no projections: they are for commissioners and for staff who see "
            "children"
        )
    return audience, selectors.area_names(sorted(audience.areas))


def _projected(form: ProjectionForm, suppressed: bool) -> Outlook | None:
    """The form's projection, or None with the refusal on the field it concerns (for an
    aggregate-only reader, without counts or dates)."""
    try:
        return kept_outlook(form.choice(), suppressed=suppressed)
    except projection.ProjectionRefused as refused:
        reason = refused.aggregate if suppressed else refused.message
        form.add_error(FIELD_OF.get(refused.argument), reason)
        return None


@require_safe
@reach(MEASURE_ROLES, OWN_AREA, model=Area, key="?area", refuses=400)
def projections(request: HttpRequest) -> HttpResponse:
    audience, names = _areas(request)
    form = ProjectionForm(request.GET, areas=names, today=timezone.localdate())
    context: dict[str, Any] = {"page_title": "Projections", "form": form, "found": None}
    if not form.is_valid():
        return render(request, "insight/projections.jinja", context, status=400)
    found = _projected(form, audience.suppressed)
    if found is not None:
        context.update(_page(found, audience.suppressed, names))
    context.update(
        query=form.query(),
        suppressed=audience.suppressed,
        rule=projection_tables.SUPPRESSION_RULE,
        keeps_costs=[
            (code, names[code])
            for code in sorted(access.areas_for(request.user, COST_ROLES) & set(names))
        ],
    )
    return render(request, "insight/projections.jinja", context)


def _page(found: Outlook, suppressed: bool, names: dict[str, str]) -> dict[str, Any]:
    t = projection_tables
    where = ", ".join(names.get(a, a) for a in found.choice.areas)
    scenario = [
        (m.month_end, t.figure(m.looked_after.expected, suppressed)) for m in found.scenario or []
    ]
    history = tuple(t.history(found, suppressed))
    chart = charts.fan_chart(
        t.fan(found.base, suppressed),
        alt=f"Children looked after in {where}: the last {len(history)} month ends, then "
        f"projected for {len(found.base)} months with 80% and 95% intervals"
        + ("; a scenario's projection dashed" if scenario else "")
        + ". The numbers are in the table beneath.",
        history=history,
        scenario=tuple((d, float(v)) for d, v in scenario if not isinstance(v, str)),
    )
    backtest_chart = None
    if found.backtest is not None:
        happened = [(m.month_end, t.figure(a, suppressed)) for m, a in found.backtest.pairs]
        backtest_chart = charts.fan_chart(
            t.fan(found.backtest.months, suppressed),
            alt=f"The projection made on {found.backtest.as_of:%-d %B %Y} for {where}, with "
            "its intervals, and the children actually looked after at each month end. The "
            "numbers are in the table beneath.",
            history=tuple((d, float(v)) for d, v in happened if not isinstance(v, str)),
            actual_label="What happened",
        )
    return {
        "found": found,
        "checked": t.backtest_errors(found, suppressed),
        "where": where,
        "chart": chart,
        "backtest_chart": backtest_chart,
        "tables": {
            "looked_after": t.looked_after(found, suppressed),
            "placements": t.placements(found, suppressed, every=3),
            "ages": t.ages(found, suppressed),
            "year_groups": t.year_groups(found, suppressed),
            "work": t.work(found, suppressed),
            "costs": t.costs(found, suppressed),
            "backtest": t.backtest(found, suppressed),
        },
        "category_names": dict(COST_CATEGORIES),
    }


@require_safe
@reach(MEASURE_ROLES, OWN_AREA, model=Area, key="?area", refuses=400, when={"fmt": "csv"})
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every table of the projection, month by month: XLSX a sheet each, or one table as CSV
    (`table`)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    audience, names = _areas(request)
    form = ProjectionForm(request.GET, areas=names, today=timezone.localdate())
    if not form.is_valid():
        context = {"page_title": "Projections", "form": form, "found": None}
        return render(request, "insight/projections.jinja", context, status=400)
    found = _projected(form, audience.suppressed)
    if found is None:  # what cannot be projected is said, as on the page
        context = {"page_title": "Projections", "form": form, "found": None}
        return render(request, "insight/projections.jinja", context)
    tables = projection_tables.every_table(found, audience.suppressed)
    stem = f"lachealth-projection-{'-'.join(found.choice.areas)}-{found.choice.as_of}"
    if fmt == "csv":
        wanted = request.GET.get("table", "looked_after")
        table = next((t for t in tables if t.key == wanted), None)
        if table is None:
            raise Http404("No such table")
        name = f"{stem}-{table.key}.csv"
        audit.record(request, AccessAction.EXPORT, detail=f"projection {name} {form.query()}"[:300])
        return csv_response(name, table.header, table.rows)
    sheets = [
        (t.key.replace("_", " ").capitalize(), [[t.caption], t.header, *t.rows]) for t in tables
    ]
    if audience.suppressed:
        sheets.append(("Small numbers", [[projection_tables.SUPPRESSION_RULE]]))
    name = f"{stem}.xlsx"
    audit.record(request, AccessAction.EXPORT, detail=f"projection {name} {form.query()}"[:300])
    return xlsx_response(name, sheets)


@require_http_methods(["GET", "HEAD", "POST"])
@reach(COST_ROLES, OWN_AREA, model=Area, key="?area", refuses=400)
def unit_costs(request: HttpRequest) -> HttpResponse:
    """One area's weekly cost of each kind of placement, for the projected costs."""
    keeps = access.areas_for(request.user, COST_ROLES)
    if not keeps:
        raise PermissionDenied("Unit costs are kept by the area's commissioners and data officers")
    code = request.GET.get("area", "")
    if not code and len(keeps) == 1:
        code = next(iter(keeps))
    area = Area.objects.filter(code=code).first() if code in keeps else None
    if area is None:
        return render(
            request,
            "insight/unit_costs.jinja",
            {"page_title": "Unit costs", "area": None, "choices": _names(keeps)},
            status=400,
        )
    held = {u.category: u for u in UnitCost.objects.filter(area=area)}
    if request.method == "POST":
        form = UnitCostForm(request.POST)
        if form.is_valid():
            changed = services.save_unit_costs(request, area, held, form.cleaned_data)
            messages.success(
                request,
                f"{area.name}'s unit costs saved"
                + (f": {', '.join(changed)} changed" if changed else ": nothing changed"),
            )
            return redirect(f"{reverse('insight:projections')}?area={area.code}#costs")
        status = 400
    else:
        form = UnitCostForm(initial={k: u.weekly_cost for k, u in held.items()})
        status = 200
    return render(
        request,
        "insight/unit_costs.jinja",
        {"page_title": f"Unit costs: {area.name}", "area": area, "form": form, "held": held},
        status=status,
    )


def _names(codes: frozenset[str]) -> list[tuple[str, str]]:
    return sorted(selectors.area_names(sorted(codes)).items(), key=lambda item: item[1])
