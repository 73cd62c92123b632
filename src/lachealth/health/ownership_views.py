"""The page on which a LAC health team takes a child's health assessments over from the team
that arranges them, saying why; that team is told (`ownership.py`). Only a health role that
books for a child it serves reaches it (404 for any other child, 403 for other roles)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from lachealth.forms import NhsForm
from lachealth.pages import call_service, form_page
from lachealth.people import access
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import ownership
from .models import TakenHow
from .services import provider_for
from .views import health_child


class TakeOverForm(NhsForm):
    reason = forms.CharField(
        label="Why is your team taking over?",
        max_length=ownership.REASON_MAX,
        help_text="For example, the child now lives in our area and we agreed it by phone "
        "with their team",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why your team is taking over the assessments"},
    )


@reach(access.HEALTH_RECORD_ROLES, OWN_AREA | PLACED_INTO_AREA)
def take_over(request: HttpRequest, pk: int) -> HttpResponse:
    child = health_child(request, pk, access.HEALTH_RECORD_ROLES, "arrange health assessments")
    team = provider_for(request.user, access.HEALTH_RECORD_ROLES, child)
    holder = ownership.current(child)
    after = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
        after = ""
    form = TakeOverForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            ownership.take,
            "Your team now arranges this child's health assessments"
            + (f": {holder.team.name} has been told" if holder and holder.team != team else ""),
            child=child,
            team=team,
            how=TakenHow.TOOK_OVER,
            as_of=timezone.localdate(),
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(after) if after else redirect("care:child_detail", pk=child.pk)
    return form_page(
        request,
        "health/take_over.jinja",
        child,
        {
            "page_title": f"Take over the health assessments – {child}",
            "form": form,
            "holder": holder,
            "team": team,
            "next": after,
        },
    )
