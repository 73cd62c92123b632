"""The access log's page and CSV for system administrators, each row shown as
`access_log.shown_row` allows: a child's identity only to a reader whose own roles see them."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lachealth.exports import csv_response
from lachealth.reach import reach

from . import access, audit, selectors
from .access_log import CSV_HEADER, csv_cells
from .forms import AccessLogFilterForm
from .models import AccessAction
from .views import require_admin

PAGE_SIZE = 100


@reach(access.ADMIN_ROLES)
def access_log(request: HttpRequest) -> HttpResponse:
    require_admin(request, "read the access log")
    form = AccessLogFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    rows = selectors.access_log(viewer=request.user, **filters)
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        audit.record(request, AccessAction.EXPORT, detail="access log CSV")
        shown = selectors.shown_access_log_stream(request.user, rows)
        return csv_response("access-log.csv", CSV_HEADER, (csv_cells(r) for r in shown))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/access_log.jinja",
        {
            "page_title": "Access log",
            "form": form,
            "page": page,
            "rows": selectors.shown_access_log(request.user, page.object_list),
            "query": query.urlencode(),
        },
    )
