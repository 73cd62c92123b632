"""A child's joint-funding page: record the agreement their council and an ICB made for
their placement, or end the current one (the child's page shows it: `provider_views`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from lachealth.care import selectors as care_selectors
from lachealth.pages import call_service, form_page, require_child_access
from lachealth.people import access
from lachealth.reach import OWN_AREA, PLACED_INTO_AREA, reach

from . import joint_funding as funding
from .joint_funding import FUNDING_HEALTH_ROLES
from .provider_forms import EndFundingForm, JointFundingForm


@reach(access.LA_CHILD_ROLES, OWN_AREA)
@reach(FUNDING_HEALTH_ROLES, OWN_AREA | PLACED_INTO_AREA)
def joint_funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the child's joint-funding agreement, or end the current one."""
    require_child_access(request)
    child = care_selectors.visible_child(request.user, pk)
    if not funding.may_record_funding(request.user, child):
        raise PermissionDenied(
            "The child's LA staff and the designated professionals serving them record joint "
            "funding"
        )
    as_of = timezone.localdate()
    current = funding.current_funding(child, as_of)
    posted = request.POST if request.method == "POST" else None
    ending = posted is not None and posted.get("form") == "end" and current is not None
    end_form = EndFundingForm(posted if ending else None) if current else None
    icbs = funding.icbs_for(child)
    new_form = JointFundingForm(posted if posted is not None and not ending else None, icbs=icbs)
    if ending and end_form is not None and current is not None and end_form.is_valid():
        if call_service(
            end_form,
            request,
            funding.end_joint_funding,
            "Joint-funding agreement ended",
            funding=current,
            ends_on=end_form.cleaned_data["ends_on"],
            as_of=as_of,
        ):
            return redirect("care:child_detail", child.pk)
    elif posted is not None and not ending and new_form.is_valid():
        d = new_form.cleaned_data
        if call_service(
            new_form,
            request,
            funding.record_joint_funding,
            "Joint-funding agreement recorded",
            child=child,
            icb=d["icb"],
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
            council_share=d["council_share"],
            council_responsibilities=d["council_responsibilities"],
            icb_responsibilities=d["icb_responsibilities"],
            agreed_on=d["agreed_on"],
            as_of=as_of,
        ):
            return redirect("care:child_detail", child.pk)
    return form_page(
        request,
        "quality/joint_funding.jinja",
        child,
        {
            "page_title": f"Joint funding – {child}",
            "form": end_form if ending else new_form,
            "new_form": new_form,
            "end_form": end_form,
            "current": current,
            "agreements": list(child.joint_fundings.select_related("council", "icb")),  # type: ignore[attr-defined]
            "council": funding.council_for(child, request.user),
        },
    )
