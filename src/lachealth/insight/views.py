"""The measures pages: the dashboard, its downloads, and the children behind a figure. They
change nothing, so they answer GET (and HEAD) only.

Commissioners reach aggregates only (suppressed); users with child-level access reach their
caseload's measures and, through the access policy, the children behind them. Every download
and every list of children is written to the access log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from lachealth.exports import csv_response, xlsx_response
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area, Role
from lachealth.reach import ANY, OWN_AREA, reach

from . import selectors, snapshot
from .forms import FilterForm
from .measures import BY_KEY, EVERYONE
from .models import MeasureSnapshot
from .report import board_report
from .selectors import Audience, Dashboard

PAGE_SIZE = 50
#: A snapshot older than this means the nightly count has stopped running: say so.
STALE_AFTER = timedelta(hours=36)
#: Who has measures: commissioners (aggregates only) and staff who see children.
MEASURE_ROLES = access.CHILD_ROLES | {Role.COMMISSIONER}


def _audience(request: HttpRequest) -> Audience:
    audience = selectors.audience_of(request.user)
    if audience is None:
        raise PermissionDenied(
            "Your role has no measures: they are for commissioners and for staff who see children"
        )
    return audience


def _filters(request: HttpRequest, audience: Audience, taken: MeasureSnapshot | None) -> FilterForm:
    """The filters, with the periods of the snapshot the audience reads (or of today)."""
    names = selectors.area_names(sorted(audience.areas))
    as_of = taken.as_of if taken is not None else timezone.localdate()
    return FilterForm(request.GET, audience=audience, area_names=names, as_of=as_of)


def _refused(request: HttpRequest, form: FilterForm) -> HttpResponse:
    return render(
        request,
        "insight/dashboard.jinja",
        {"page_title": "Measures", "form": form, "board": None},
        status=400,
    )


@require_safe
@reach(MEASURE_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    audience = _audience(request)
    taken = selectors.snapshot_for(audience)
    form = _filters(request, audience, taken)
    if not form.is_valid():
        return _refused(request, form)
    board = selectors.dashboard(audience, form.choice(), taken=taken)
    return render(
        request,
        "insight/dashboard.jinja",
        {
            "page_title": "Measures",
            "form": form,
            "board": board,
            "stale": board.as_at is not None and timezone.now() - board.as_at > STALE_AFTER,
            "query": form.query(),
            "rule": selectors.SUPPRESSION_RULE,
            "everyone": EVERYONE,
            "format_value": selectors.format_value,
            "judgement": selectors.judgement,
        },
    )


TABLES = ("summary", "areas", "trend")


def _table(board: Dashboard, table: str, measure_key: str) -> tuple[list[str], list[list[Any]]]:
    """One table of the dashboard as header and rows, suppressed as on the page, each row
    saying when its figures were counted (the snapshot's time, or now)."""
    header, rows = _cells(board, table, measure_key)
    counted_at = f"{timezone.localtime(board.as_at or timezone.now()):%Y-%m-%d %H:%M}"
    return [*header, "Counted at"], [[*row, counted_at] for row in rows]


def _cells(board: Dashboard, table: str, measure_key: str) -> tuple[list[str], list[list[Any]]]:
    header = [
        "Measure",
        "Period",
        "Area",
        "Numerator",
        "Denominator",
        "Value",
        "95% low",
        "95% high",
    ]

    def line(result: selectors.Result, period: str, row: selectors.Row) -> list[Any]:
        scale = 1 if result.is_mean else 100
        return [
            result.measure.name,
            period,
            row.name,
            row.numerator.text if not result.is_mean else "",
            row.denominator.text,
            "" if row.value is None else round(scale * row.value, 1),
            "" if row.low is None else round(scale * row.low, 1),
            "" if row.high is None else round(scale * row.high, 1),
        ]

    period = board.choice.period.label
    if table == "summary":
        return header, [line(r, period, r.focus) for r in board.results]
    result = next(r for r in board.results if r.measure.key == measure_key)
    if table == "areas":
        rows = [line(result, period, row) + [row.position or ""] for row in result.rows]
        rows.append(line(result, period, result.total) + [""])
        return header + ["Funnel position"], rows
    return header, [line(result, label, row) for label, row in result.trend]


@require_safe
@reach(MEASURE_ROLES, when={"table": "summary", "fmt": "csv"})
def download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """A table of the dashboard as CSV or XLSX, with the filters of the page it came from."""
    audience = _audience(request)
    measure_key = request.GET.get("measure", "")
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        raise Http404("No such table")
    if table != "summary" and measure_key not in BY_KEY:
        raise Http404("No such measure")
    taken = selectors.snapshot_for(audience)
    form = _filters(request, audience, taken)
    if not form.is_valid():
        return _refused(request, form)
    choice = form.choice()
    measures = [BY_KEY[measure_key]] if table != "summary" else list(BY_KEY.values())
    board = selectors.dashboard(audience, choice, measures, charts_wanted=False, taken=taken)
    header, rows = _table(board, table, measure_key)
    name = f"lachealth-{table}-{measure_key or 'all'}-{choice.period.key}.{fmt}"
    audit.record(request, AccessAction.EXPORT, detail=f"measures {name} {form.query()}"[:500])
    if fmt == "csv":
        return csv_response(name, header, rows)
    return xlsx_response(name, [(table.capitalize(), [header, *rows])])


# Any area may be asked for: the children listed are those the access policy lets the user see.
@require_safe
@reach(
    access.CHILD_ROLES,
    ANY,
    model=Area,
    key="?in",
    when={"measure_key": "health_assessment", "which": "gap"},
)
def children(request: HttpRequest, measure_key: str) -> HttpResponse:
    """The children behind one area's numerator or gap: for users who see children only."""
    audience = _audience(request)
    if not audience.drill_down:
        raise PermissionDenied("Commissioners see measures, never the children behind them")
    measure = BY_KEY.get(measure_key)
    if measure is None:
        raise Http404("No such measure")
    form = _filters(request, audience, None)
    if not form.is_valid():
        return _refused(request, form)
    which = request.GET.get("which", "gap")
    area = request.GET.get("in", "")
    if which not in ("counted", "gap") or not area:
        raise Http404("Say which area and whether the numerator or the gap")
    choice = form.choice()
    found = selectors.members(
        request.user,
        measure,
        choice.period,
        area=area,
        counted=which == "counted",
        breakdown=choice.breakdown,
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        request,
        AccessAction.SEARCH,
        detail=f"measure {measure.key} {which} in {area} {choice.period.key}: "
        f"{page.paginator.count} children listed",
    )
    return render(
        request,
        "insight/children.jinja",
        {
            "page_title": measure.name,
            "measure": measure,
            "which": which,
            "area_name": selectors.area_names([area]).get(area, area),
            "period": choice.period,
            "page": page,
            "query": f"{form.query()}&which={which}&in={area}",
        },
    )


# An area not the user's is not offered: the form refuses it (400), naming the field.
@require_safe
@reach(MEASURE_ROLES, OWN_AREA, model=Area, key="?area", refuses=400)
def report(request: HttpRequest) -> HttpResponse:
    """The board report of one of the user's areas as a PDF (suppressed: it is published)."""
    audience = _audience(request)
    # The report is published, so it reads the nightly count whoever asks, with that count's
    # periods (a staff member's page offers today's; a rolling year is the count's own).
    taken = snapshot.latest_snapshot()
    form = _filters(request, audience, taken)
    if not form.is_valid():
        return _refused(request, form)
    choice = form.choice()
    if not choice.focus:
        form.add_error("area", "Choose the area the board report is for")
        return _refused(request, form)
    name = selectors.area_names([choice.focus])[choice.focus]
    pdf = board_report(choice.focus, name, choice.period, as_of=timezone.localdate(), taken=taken)
    filename = f"board-report-{choice.focus}-{choice.period.key}.pdf"
    audit.record(request, AccessAction.EXPORT, detail=f"board report {filename}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
