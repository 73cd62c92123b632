"""The hand-off pages: the received and sent notification lists, a notification with what the
receiving team needs and its thread, referrals, and an area's settings.

Every object is fetched through a selector that applies the access policy, so another team's
notification or referral is a 404 whatever the URL; the services check again before writing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lachealth.care import team
from lachealth.care.models import Child
from lachealth.health import ownership
from lachealth.health.models import HealthPlanAction
from lachealth.pages import call_service
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Area
from lachealth.reach import (
    ANY,
    OWN_AREA,
    OWN_ORGANISATION,
    PLACED_INTO_AREA,
    SERVICE_STAFF,
    reach,
)

from . import selectors, services
from .forms import (
    DeclineForm,
    FirstSeenForm,
    MessageForm,
    ReferralForm,
    RejectForm,
    SendRequestForm,
    SettingsForm,
)
from .models import (
    HandoverSettings,
    Notification,
    NotificationKind,
    NotificationStatus,
    Referral,
)

# Who reaches a notification: the LA that sent it, and the health teams that sent it (a
# transfer notice) or to which it is addressed; a referral: the team that made it and the
# service it was made to.
sending_la = reach(
    access.HANDOVER_SENDER_ROLES, OWN_ORGANISATION, model=Notification, organisation=["sender"]
)
health_parties = reach(
    access.HANDOVER_RECEIVER_ROLES,
    OWN_ORGANISATION,
    model=Notification,
    organisation=["sender", "recipient"],
)
addressed_team = reach(
    access.HANDOVER_RECEIVER_ROLES, OWN_ORGANISATION, model=Notification, organisation=["recipient"]
)
referring_team = reach(
    access.HEALTH_CHILD_ROLES, OWN_ORGANISATION, model=Referral, organisation=["referrer"]
)
service_referred_to = reach(
    [SERVICE_STAFF], OWN_ORGANISATION, model=Referral, organisation=["service"]
)


@reach(access.HANDOVER_SENDER_ROLES | access.HANDOVER_RECEIVER_ROLES)
def notification_list(request: HttpRequest) -> HttpResponse:
    boxes = selectors.boxes(request.user)
    if not boxes:
        raise PermissionDenied("Your role neither sends nor receives notifications about children")
    box = request.GET.get("box", boxes[0])
    if box not in boxes:
        box = boxes[0]
    show = request.GET.get("show", "open")
    if show not in selectors.NOTIFICATION_FILTERS:
        show = "open"
    as_of = timezone.localdate()
    found = selectors.notification_list(request.user, box=box, show=show, as_of=as_of)
    page = Paginator(found.rows, settings.CHILD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "handovers/notification_list.jinja",
        {
            "page_title": "Notifications",
            "boxes": boxes,
            "box": box,
            "show": show,
            "filters": selectors.NOTIFICATION_FILTERS,
            "counts": found.counts,
            "page": page,
            "as_of": as_of,
            "query": f"box={box}&show={show}",
        },
    )


def _notification_page(
    request: HttpRequest, notification: Notification, **forms: Any
) -> HttpResponse:
    as_of = timezone.localdate()
    audit.record(request, AccessAction.VIEW, child=notification.child, detail="notification")
    receives = notification.recipient_id in access.receives_handovers(request.user)
    sends = notification.sender_id in access.sends_handovers(request.user)
    return render(
        request,
        "handovers/notification_detail.jinja",
        {
            "page_title": f"{notification.get_kind_display()} – {notification.child}",
            "n": notification,
            "child": notification.child,
            "package": selectors.package(notification, as_of=as_of),
            "thread": list(notification.messages.select_related("author", "organisation")),
            "receives": receives,
            "sends": sends,
            "open_bookings": ownership.open_bookings(
                notification.child, notification.recipient_id or 0, as_of
            )
            if receives and notification.kind == NotificationKind.TRANSFER
            else [],
            "can_book": access.acts_for_child(
                request.user, access.HEALTH_RECORD_ROLES, notification.child
            ),
            "as_of": as_of,
            "message_form": forms.get("message_form") or MessageForm(),
            "thread_action": reverse("handovers:notification_message", args=[notification.pk]),
            "form": forms.get("message_form"),
        },
    )


@sending_la
@health_parties
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _notification_page(request, selectors.visible_notification(request.user, pk))


@sending_la
def notification_send(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.visible_notification(request.user, pk)
    if notification.sender_id not in access.sends_handovers(request.user):
        raise PermissionDenied("Only the local authority that sends this notification can send it")
    if notification.status != NotificationStatus.AWAITING_CONSENT:
        messages.info(request, "This health request has already been sent")
        return redirect("handovers:notification_detail", pk=pk)
    form = SendRequestForm(request.POST if request.method == "POST" else None)
    after_entry = (request.POST.get("after") or request.GET.get("after")) == "entry"
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            services.send_health_request,
            f"Health request sent to {notification.recipient}",
            notification=notification,
            consent_given_by=form.cleaned_data["consent_given_by"],
            consent_on=form.cleaned_data["consent_on"],
        )
    ):
        if after_entry:
            return redirect("care:child_detail", pk=notification.child_id)
        return redirect("handovers:notification_detail", pk=pk)
    audit.record(request, AccessAction.VIEW, child=notification.child, detail="send health request")
    return render(
        request,
        "handovers/send.jinja",
        {
            "page_title": f"Send the health request – {notification.child}",
            "form": form,
            "after_entry": after_entry,
            "n": notification,
            "child": notification.child,
        },
    )


def _act(request: HttpRequest, pk: int, service: Any, success: str) -> HttpResponse:
    """A one-button change to a notification (acknowledge, accept the assessment request)."""
    notification = selectors.visible_notification(request.user, pk)
    if notification.recipient_id not in access.receives_handovers(request.user):
        raise PermissionDenied("Only the team this notification is addressed to can do this")
    try:
        service(by=request.user, request=request, notification=notification)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect("handovers:notification_detail", pk=pk)


@require_POST
@addressed_team
def notification_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.acknowledge, "Notification acknowledged")


@require_POST
@addressed_team
def notification_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.accept_assessment_request,
        "Assessment request accepted: book the assessment from the child's page",
    )


@addressed_team
def notification_reject(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.visible_notification(request.user, pk)
    if notification.recipient_id not in access.receives_handovers(request.user):
        raise PermissionDenied("Only the team this notification is addressed to can reject it")
    form = RejectForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            services.reject,
            "Notification rejected: the sender has been told why",
            notification=notification,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    ):
        return redirect("handovers:notification_detail", pk=pk)
    audit.record(request, AccessAction.VIEW, child=notification.child, detail="reject notification")
    return render(
        request,
        "handovers/reject.jinja",
        {
            "page_title": f"Reject a notification – {notification.child}",
            "form": form,
            "n": notification,
            "child": notification.child,
        },
    )


def _write_in_thread(
    request: HttpRequest, page: Any, back: str, about: Notification | Referral, **thread: Any
) -> HttpResponse:
    """Post a message in a notification's or referral's thread; on refusal, the page again."""
    form = MessageForm(request.POST)
    if form.is_valid() and call_service(
        form,
        request,
        services.post_message,
        "Message sent",
        text=form.cleaned_data["text"],
        **thread,
    ):
        return redirect(back, pk=about.pk)
    return page(request, about, message_form=form)


@require_POST
@sending_la
@health_parties
def notification_message(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.visible_notification(request.user, pk)
    return _write_in_thread(
        request,
        _notification_page,
        "handovers:notification_detail",
        notification,
        notification=notification,
    )


# Referrals


@reach(access.HEALTH_CHILD_ROLES | {SERVICE_STAFF})
def referral_list(request: HttpRequest) -> HttpResponse:
    if not access.sees_referrals(request.user):
        raise PermissionDenied("Your role neither makes nor receives referrals")
    show = request.GET.get("show", "waiting")
    if show not in selectors.REFERRAL_FILTERS:
        show = "waiting"
    rows = selectors.referral_list(request.user, show=show)
    page = Paginator(rows, settings.CHILD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    as_of = timezone.localdate()
    return render(
        request,
        "handovers/referral_list.jinja",
        {
            "page_title": "Referrals",
            "show": show,
            "filters": selectors.REFERRAL_FILTERS,
            "page": page,
            "rows": [(r, r.waiting(as_of)) for r in page.object_list],
            "query": f"show={show}",
        },
    )


@reach(access.REFERRAL_ROLES, OWN_AREA | PLACED_INTO_AREA, model=HealthPlanAction, key="action_pk")
def referral_create(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = selectors.referrable_action(request.user, action_pk)
    child = action.child
    if not access.acts_for_child(request.user, access.REFERRAL_ROLES, child):
        raise PermissionDenied("Only the child's health practitioners and administrators refer")
    choices = selectors.services_for(child)
    form = ReferralForm(request.POST if request.method == "POST" else None, services=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        referral = call_service(
            form,
            request,
            services.refer,
            f"Referred to {d['service']}",
            action=action,
            service=d["service"],
            kind=d["kind"],
            reason=d["reason"],
            urgency=d["urgency"],
        )
        if referral:
            return redirect("handovers:referral_detail", pk=referral.pk)
    audit.record(request, AccessAction.VIEW, child=child, detail="refer")
    return render(
        request,
        "handovers/referral_form.jinja",
        {
            "page_title": f"Refer – {child}",
            "form": form,
            "action": action,
            "child": child,
            "has_services": choices.exists(),
            "already": list(
                action.referrals.filter(access.referral_q(request.user)).select_related("service")
            ),
        },
    )


def _referral_page(request: HttpRequest, referral: Referral, **forms: Any) -> HttpResponse:
    audit.record(request, AccessAction.VIEW, child=referral.child, detail="referral")
    as_of = timezone.localdate()
    return render(
        request,
        "handovers/referral_detail.jinja",
        {
            "page_title": f"{referral.get_kind_display()} referral – {referral.child}",
            "r": referral,
            "child": referral.child,
            "wait": referral.waiting(as_of),
            "team": team.current(referral.child, as_of),
            "is_service": referral.service_id in access.scope_of(request.user).service_ids,
            "thread": list(referral.messages.select_related("author", "organisation")),
            "message_form": forms.get("message_form") or MessageForm(),
            "decline_form": forms.get("decline_form") or DeclineForm(),
            "seen_form": forms.get("seen_form") or FirstSeenForm(),
            "thread_action": reverse("handovers:referral_message", args=[referral.pk]),
            "form": forms.get("message_form")
            or forms.get("decline_form")
            or forms.get("seen_form"),
        },
    )


@referring_team
@service_referred_to
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, selectors.visible_referral(request.user, pk))


def _service_referral(request: HttpRequest, pk: int) -> Referral:
    referral = selectors.visible_referral(request.user, pk)
    if referral.service_id not in access.scope_of(request.user).service_ids:
        raise PermissionDenied("Only the service this referral was made to can do this")
    return referral


@require_POST
@service_referred_to
def referral_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _service_referral(request, pk)
    services.acknowledge_referral(by=request.user, referral=referral, request=request)
    messages.success(request, "Referral acknowledged")
    return redirect("handovers:referral_detail", pk=pk)


@require_POST
@service_referred_to
def referral_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (the button) or decline (with the reason form) a referral."""
    referral = _service_referral(request, pk)
    accept = request.POST.get("decision") == "accept"
    form = DeclineForm(request.POST)
    if (accept or form.is_valid()) and call_service(
        form,
        request,
        services.decide_referral,
        "Referral accepted" if accept else "Referral declined: the referrer has been told why",
        referral=referral,
        accept=accept,
        reason="" if accept else form.cleaned_data["reason"],
    ):
        return redirect("handovers:referral_detail", pk=pk)
    if accept:  # the service refused the change (the referral was decided already)
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect("handovers:referral_detail", pk=pk)
    return _referral_page(request, referral, decline_form=form)


@require_POST
@service_referred_to
def referral_seen(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _service_referral(request, pk)
    form = FirstSeenForm(request.POST)
    if form.is_valid() and call_service(
        form,
        request,
        services.record_first_seen,
        "First appointment recorded",
        referral=referral,
        on=form.cleaned_data["on"],
    ):
        return redirect("handovers:referral_detail", pk=pk)
    return _referral_page(request, referral, seen_form=form)


@require_POST
@referring_team
@service_referred_to
def referral_message(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.visible_referral(request.user, pk)
    return _write_in_thread(
        request, _referral_page, "handovers:referral_detail", referral, referral=referral
    )


# Settings


@reach(access.ADMIN_ROLES)
def settings_index(request: HttpRequest) -> HttpResponse:
    if not access.is_system_admin(request.user):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    areas = Area.objects.filter(organisations__isnull=False).distinct().order_by("name")
    own = set(HandoverSettings.objects.values_list("area_id", flat=True))
    return render(
        request,
        "handovers/settings_index.jinja",
        {"page_title": "Handover settings", "areas": areas, "own": own},
    )


@reach(access.ADMIN_ROLES, ANY, model=Area, key="code")
def settings_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not access.is_system_admin(request.user):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    area = get_object_or_404(Area, code=code)
    instance = HandoverSettings.objects.filter(area=area).first() or HandoverSettings(area=area)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
        if call_service(
            form,
            request,
            services.update_settings,
            f"Handover settings saved for {area.name}",
            area_code=area.code,
            values=values,
        ):
            return redirect("handovers:settings_edit", code=area.code)
    return render(
        request,
        "handovers/settings.jinja",
        {"page_title": f"Handover settings – {area.name}", "form": form, "area": area},
    )


def child_panel(request: HttpRequest, child: Child) -> dict[str, Any] | None:
    """The hand-offs section of the child's page: notifications and referrals with threads."""
    found = selectors.child_handovers(request.user, child)
    refers = access.acts_for_child(request.user, access.REFERRAL_ROLES, child)
    if not (found.notifications or found.referrals or refers):
        return None
    return {
        "handovers": found,
        "as_of": timezone.localdate(),
        "referrable": selectors.referrable_actions(child) if refers else [],
    }


def health_request_after_entry(request: HttpRequest, child: Child) -> str | None:
    """After recording a child entering care, the LA goes straight on to consent and the
    health request (`care.panels.register_next_step`)."""
    waiting = (
        Notification.objects.filter(
            child=child,
            kind=NotificationKind.HEALTH_REQUEST,
            status=NotificationStatus.AWAITING_CONSENT,
            sender_id__in=sorted(access.sends_handovers(request.user)),
        )
        .order_by("-pk")
        .first()
    )
    if waiting is None:
        return None
    return reverse("handovers:notification_send", args=[waiting.pk]) + "?after=entry"
