"""Every write of a hand-off: notifications from care events, sending with consent,
acknowledging or rejecting, referrals and their decisions, and the thread between teams.

One transaction each, access checked here (a view's 404 is the first guard, not the only one),
history kept by django-simple-history, and an access-log row for each change about a child.
A refused write raises `ValidationError` keyed by the form field at fault and writes nothing;
doing again what is already done (acknowledging twice) changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from lachealth.care.models import Child, Episode
from lachealth.health import ownership
from lachealth.health.models import ActionStatus, AssessmentTeam, HealthPlanAction, TakenHow
from lachealth.health.services import provider_for
from lachealth.people import access, audit
from lachealth.people.models import AccessAction, Membership, Organisation, OrganisationKind
from lachealth.versioning import create_versioned, save_versioned

from . import rules
from .models import (
    OPEN_STATUSES,
    ConsentGiver,
    HandoverSettings,
    Message,
    Notification,
    NotificationKind,
    NotificationStatus,
    RecipientKind,
    Referral,
    ReferralKind,
    ReferralStatus,
    RejectReason,
    Urgency,
)
from .selectors import serving, settings_for

#: Legal statuses under which the LA holds parental responsibility and may consent itself.
LA_CONSENT_LS = frozenset({"C1", "C2", "D1", "E1"})
MESSAGE_MAX = 2000


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def notify_care_events(child_ids: Iterable[int], *, by: Any, as_of: date) -> list[Notification]:
    """Create the notifications these children's recent care events call for (`rules.py`).

    Called whenever episodes change, typed in or imported. A notification already made for the
    same event and recipient is not made again, so re-importing a return sends nothing new,
    and events older than the area's horizon send nothing at all.
    """
    ids = sorted(set(child_ids))
    responsible: dict[int, str] = {}
    for chunk in _chunks(ids):
        responsible.update(
            Child.objects.filter(pk__in=chunk).values_list("pk", "responsible_area_id")
        )
    settings = settings_for(set(responsible.values()))
    if not settings:
        return []
    since = as_of - timedelta(days=max(s.horizon_days for s in settings.values()))
    episodes: dict[int, list[tuple[int, rules.PlacedEpisode]]] = defaultdict(list)
    recent: set[int] = set()
    for chunk in _chunks(ids):
        recent.update(
            Episode.objects.filter(child_id__in=chunk)
            .filter(Q(decom__gte=since) | Q(dec__gte=since))
            .values_list("child_id", flat=True)
        )
    for chunk in _chunks(sorted(recent)):
        rows = Episode.objects.filter(child_id__in=chunk).values_list(
            "child_id", "pk", "decom", "rne", "ls", "placement_area_id", "dec", "rec"
        )
        for child_id, pk, decom, rne, ls, placement_area, dec, rec in rows:
            episode = rules.PlacedEpisode(decom, rne, ls, placement_area, dec, rec or None)
            episodes[child_id].append((pk, episode))
    wanted: list[tuple[int, rules.Handover]] = []
    episode_ids: dict[tuple[int, date], int] = {}
    for child_id, placed in episodes.items():
        area = responsible[child_id]
        for pk, episode in placed:
            episode_ids[(child_id, episode.decom)] = pk
        for handover in rules.handovers_for(
            [e for _, e in placed], responsible_area=area, as_of=as_of, settings=settings[area]
        ):
            wanted.append((child_id, handover))
    if not wanted:
        return []
    existing: set[tuple[Any, ...]] = set()
    for chunk in _chunks(sorted({c for c, _ in wanted})):
        existing.update(
            Notification.objects.filter(child_id__in=chunk).values_list(
                "child_id", "kind", "episode_start", "recipient_kind", "recipient_area_id"
            )
        )
    recipient_areas = {h.area for _, h in wanted}
    organisations = {
        RecipientKind.PROVIDER: serving(OrganisationKind.HEALTH_PROVIDER, recipient_areas),
        RecipientKind.ICB: serving(OrganisationKind.ICB, recipient_areas),
    }
    senders = serving(OrganisationKind.LOCAL_AUTHORITY, set(responsible.values()))
    created = []
    for child_id, h in wanted:
        key = (child_id, h.kind.value, h.episode_start, h.recipient.value, h.area)
        if key in existing:
            continue
        existing.add(key)
        recipient = organisations[RecipientKind(h.recipient.value)].get(h.area)
        area_settings = settings[responsible[child_id]]
        notification = Notification(
            kind=h.kind.value,
            child_id=child_id,
            episode_id=episode_ids.get((child_id, h.episode_start)),
            episode_start=h.episode_start,
            event_date=h.event_date,
            sender_id=senders.get(responsible[child_id]),
            recipient_kind=h.recipient.value,
            recipient_area_id=h.area,
            recipient_id=recipient,
            send_by=h.send_by,
        )
        if recipient is None:
            notification.status = NotificationStatus.NO_RECIPIENT
        elif h.kind is rules.Kind.HEALTH_REQUEST:
            notification.status = NotificationStatus.AWAITING_CONSENT
        else:
            _mark_sent(notification, by, as_of, area_settings)
        created.append(notification)
    create_versioned(created, Notification, by=by, reason="care event")
    return created


def _mark_sent(notification: Notification, by: Any, as_of: date, settings: rules.Settings) -> None:
    notification.status = NotificationStatus.SENT
    notification.sent_on = as_of
    notification.sent_by = by if getattr(by, "pk", None) else None
    notification.acknowledge_by = settings.acknowledge_by(rules.Kind(notification.kind), as_of)


def _save(
    request: HttpRequest | None,
    obj: Notification | Referral,
    by: Any,
    detail: str,
    action: str = AccessAction.CHANGE,
) -> None:
    """Save a hand-off's new state, its version credited to `by`, and log the change."""
    save_versioned(obj, by)
    audit.record(request, action, user=by, child=obj.child, detail=detail)


def _today(as_of: date | None) -> date:
    return as_of or timezone.localdate()


def _locked(model: Any, obj: Any) -> Any:
    return model.objects.select_for_update().select_related("child").get(pk=obj.pk)


def _require_sender(by: Any, notification: Notification) -> None:
    if notification.sender_id is None or notification.sender_id not in access.sends_handovers(by):
        raise PermissionDenied("Only the local authority that sends this notification can do this")


def _require_receiver(by: Any, notification: Notification) -> None:
    if notification.recipient_id is None or notification.recipient_id not in (
        access.receives_handovers(by)
    ):
        raise PermissionDenied("Only the team this notification is addressed to can do this")


@transaction.atomic
def send_health_request(
    *,
    by: Any,
    notification: Notification,
    consent_given_by: str,
    consent_on: date | None,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Notification:
    """The LA sends the health request with the consent it holds; without consent, it may not."""
    _require_sender(by, notification)
    notification = _locked(Notification, notification)
    if notification.status != NotificationStatus.AWAITING_CONSENT:
        return notification  # already sent (or it never had a recipient): nothing to do
    as_of = _today(as_of)
    if consent_given_by not in ConsentGiver.values:
        raise ValidationError(
            {
                "consent_given_by": "Choose who gave consent: a health request cannot be sent "
                "without it"
            }
        )
    if consent_on is None:
        raise ValidationError({"consent_on": "Enter the date consent was given"})
    if consent_on > as_of:
        raise ValidationError({"consent_on": "The date consent was given must be today or before"})
    born = notification.child.date_of_birth
    if consent_on < born:
        raise ValidationError(
            {
                "consent_on": "The date consent was given must be on or after the date of "
                f"birth, {born:%-d %B %Y}"
            }
        )
    if consent_given_by == ConsentGiver.LOCAL_AUTHORITY:
        ls = _legal_status(notification)
        if ls not in LA_CONSENT_LS:
            raise ValidationError(
                {
                    "consent_given_by": f"The local authority can consent only under a care or "
                    f"placement order (legal status C1, C2, D1 or E1); this child's legal status "
                    f"is {ls or 'not recorded'}: ask a parent, or the young person"
                }
            )
    notification.consent_given_by = consent_given_by
    notification.consent_on = consent_on
    settings = settings_for([notification.child.responsible_area_id])
    _mark_sent(notification, by, as_of, settings[notification.child.responsible_area_id])
    _save(request, notification, by, "sent the health request")
    return notification


def _legal_status(notification: Notification) -> str:
    episode = notification.episode or (
        Episode.objects.filter(child_id=notification.child_id, dec__isnull=True).first()
    )
    return episode.ls if episode else ""


@transaction.atomic
def acknowledge(
    *,
    by: Any,
    notification: Notification,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Notification:
    """The receiving team says it has the notification. Doing it twice changes nothing."""
    _require_receiver(by, notification)
    notification = _locked(Notification, notification)
    if notification.status == NotificationStatus.ACKNOWLEDGED:
        return notification
    if notification.status == NotificationStatus.REJECTED:
        raise ValidationError(
            f"This notification was rejected on {notification.rejected_on:%-d %B %Y}; "
            "it cannot be acknowledged now"
        )
    if notification.status != NotificationStatus.SENT:
        raise ValidationError("This notification has not been sent yet")
    notification.status = NotificationStatus.ACKNOWLEDGED
    notification.acknowledged_on = _today(as_of)
    notification.acknowledged_by = by
    _save(request, notification, by, "acknowledged a notification")
    return notification


@transaction.atomic
def accept_assessment_request(
    *,
    by: Any,
    notification: Notification,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Notification:
    """The receiving provider takes on the child's next health assessment (acknowledging too)."""
    notification = acknowledge(by=by, notification=notification, request=request, as_of=as_of)
    if not notification.carries_assessment_request:
        raise ValidationError("This notification does not ask for a health assessment")
    if notification.assessment_accepted_on is None:
        notification.assessment_accepted_on = _today(as_of)
        _save(request, notification, by, "accepted the assessment request")
    ownership.take(
        child=notification.child,
        team=notification.recipient,  # type: ignore[arg-type]
        by=by,
        how=TakenHow.HEALTH_REQUEST
        if notification.kind == NotificationKind.HEALTH_REQUEST
        else TakenHow.OUT_OF_AREA,
        as_of=_today(as_of),
        request=request,
    )
    return notification


@transaction.atomic
def reject(
    *,
    by: Any,
    notification: Notification,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Notification:
    """The receiving team refuses a notification with a reason the sender can act on."""
    _require_receiver(by, notification)
    notification = _locked(Notification, notification)
    if notification.status == NotificationStatus.REJECTED:
        return notification
    if notification.status == NotificationStatus.ACKNOWLEDGED:
        raise ValidationError(
            f"This notification was acknowledged on {notification.acknowledged_on:%-d %B %Y}; "
            "write to the sender in the thread instead"
        )
    if notification.status != NotificationStatus.SENT:
        raise ValidationError("This notification has not been sent yet")
    if reason not in RejectReason.values:
        raise ValidationError({"reason": "Choose why you are rejecting this notification"})
    note = note.strip()
    if reason == RejectReason.OTHER and not note:
        raise ValidationError({"note": "Say why you are rejecting this notification"})
    notification.status = NotificationStatus.REJECTED
    notification.rejected_on = _today(as_of)
    notification.rejected_by = by
    notification.reject_reason = reason
    notification.reject_note = note
    _save(request, notification, by, f"rejected a notification ({reason})")
    return notification


def has_active_contact(service: Organisation) -> bool:
    """Whether anyone at the service can receive a referral on lachealth."""
    return (
        service.is_active
        and Membership.objects.filter(
            organisation=service,
            is_active=True,
            user__is_active=True,
            role__in=access.REFERRAL_ROLES,
        ).exists()
    )


@transaction.atomic
def refer(
    *,
    by: Any,
    action: HealthPlanAction,
    service: Organisation | None,
    kind: str,
    reason: str,
    urgency: str,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Referral:
    """A practitioner refers a child to a service, from an action of the health plan."""
    child = action.child
    if not access.acts_for_child(by, access.REFERRAL_ROLES, child):
        raise PermissionDenied("Your role does not let you refer this child")
    referrer = provider_for(by, access.REFERRAL_ROLES, child)
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError("This action is no longer needed: refer from a current action")
    if service is None or service.kind != OrganisationKind.SERVICE:
        raise ValidationError({"service": "Choose the service to refer to"})
    if not has_active_contact(service):
        raise ValidationError(
            {
                "service": f"{service.name} has no active contact on lachealth, so nobody there "
                "would receive this referral: refer another way, or ask a system administrator "
                "to add the service's team"
            }
        )
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": "Choose what the referral is for"})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "Choose whether the referral is routine or urgent"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are referring the child"})
    settings = settings_for([child.responsible_area_id])[child.responsible_area_id]
    referral = Referral(
        child=child,
        action=action,
        kind=kind,
        service=service,
        referrer=referrer,
        referred_by=by,
        referred_on=_today(as_of),
        reason=reason,
        urgency=urgency,
        target_weeks=settings.target_weeks(urgency),
    )
    _save(request, referral, by, f"referred to {service.name}", action=AccessAction.CREATE)
    return referral


def _require_service(by: Any, referral: Referral) -> None:
    if referral.service_id not in access.scope_of(by).service_ids:
        raise PermissionDenied("Only the service this referral was made to can do this")


@transaction.atomic
def acknowledge_referral(
    *, by: Any, referral: Referral, request: HttpRequest | None = None, as_of: date | None = None
) -> Referral:
    """The service says it has the referral. Doing it again changes nothing."""
    _require_service(by, referral)
    referral = _locked(Referral, referral)
    if referral.acknowledged_on is not None:
        return referral
    referral.acknowledged_on = _today(as_of)
    if referral.status == ReferralStatus.SENT:
        referral.status = ReferralStatus.ACKNOWLEDGED
    _save(request, referral, by, "acknowledged a referral")
    return referral


@transaction.atomic
def decide_referral(
    *,
    by: Any,
    referral: Referral,
    accept: bool,
    reason: str = "",
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Referral:
    """The service accepts the child onto its waiting list, or declines with a reason."""
    _require_service(by, referral)
    referral = _locked(Referral, referral)
    wanted = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    if referral.status == wanted:
        return referral
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED):
        raise ValidationError(
            f"This referral is already {referral.get_status_display().lower()}: "
            "write to the referrer in the thread instead"
        )
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": "Say why the service is declining the referral"})
    as_of = _today(as_of)
    referral.acknowledged_on = referral.acknowledged_on or as_of
    referral.status = wanted
    referral.decided_on = as_of
    referral.decided_by = by
    referral.decline_reason = "" if accept else reason
    _save(request, referral, by, "accepted a referral" if accept else "declined a referral")
    return referral


@transaction.atomic
def record_first_seen(
    *,
    by: Any,
    referral: Referral,
    on: date,
    request: HttpRequest | None = None,
    as_of: date | None = None,
) -> Referral:
    """The service saw the child: the wait from referral stops."""
    _require_service(by, referral)
    referral = _locked(Referral, referral)
    if referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.SEEN):
        raise ValidationError("Accept the referral before recording when the child was seen")
    if on < referral.referred_on:
        raise ValidationError(
            {
                "on": f"The date first seen must be on or after "
                f"{referral.referred_on:%-d %B %Y}, when the child was referred"
            }
        )
    if on > _today(as_of):
        raise ValidationError({"on": "The date first seen must be today or in the past"})
    if referral.first_seen_on == on:
        return referral
    referral.first_seen_on = on
    referral.status = ReferralStatus.SEEN
    _save(request, referral, by, f"recorded a referral's first appointment on {on.isoformat()}")
    return referral


def _side(by: Any, ours: Iterable[int | None]) -> int:
    """The user's organisation among a thread's two parties (PermissionDenied if neither)."""
    mine = access.scope_of(by).organisation_ids
    for organisation in ours:
        if organisation is not None and organisation in mine:
            return organisation
    raise PermissionDenied("Only the two teams of a hand-off write in its thread")


@transaction.atomic
def post_message(
    *,
    by: Any,
    text: str,
    notification: Notification | None = None,
    referral: Referral | None = None,
    request: HttpRequest | None = None,
) -> Message:
    """A message in the thread between the two teams; never edited afterwards."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter a message"})
    if len(text) > MESSAGE_MAX:
        raise ValidationError(
            {"text": f"A message can have at most {MESSAGE_MAX} characters; this has {len(text)}"}
        )
    if notification is not None:
        parties = [
            notification.sender_id
            if notification.sender_id in access.sends_handovers(by) | access.receives_handovers(by)
            else None,
            notification.recipient_id
            if notification.recipient_id in access.receives_handovers(by)
            else None,
        ]
        child = notification.child
    elif referral is not None:
        parties = [
            referral.referrer_id
            if referral.referrer_id in access.organisations_for(by, access.HEALTH_CHILD_ROLES)
            else None,
            referral.service_id if referral.service_id in access.scope_of(by).service_ids else None,
        ]
        child = referral.child
    else:
        raise ValueError("a message belongs to a notification or a referral")
    message = Message(
        notification=notification,
        referral=referral,
        author=by,
        organisation_id=_side(by, parties),
        text=text,
    )
    message.full_clean()
    message.save()
    audit.record(request, AccessAction.CREATE, user=by, child=child, detail="wrote in a thread")
    return message


@transaction.atomic
def update_settings(
    *, by: Any, area_code: str, values: dict[str, int], request: HttpRequest | None = None
) -> HandoverSettings:
    """A system administrator sets an area's own clocks for hand-offs."""
    if not access.is_system_admin(by):
        raise PermissionDenied("Only a system administrator changes an area's settings")
    found = HandoverSettings.objects.filter(area_id=area_code).first() or HandoverSettings(
        area_id=area_code
    )
    for name, value in values.items():
        setattr(found, name, value)
    save_versioned(found, by)
    audit.record(
        request, AccessAction.ADMIN, user=by, detail=f"changed handover settings for {area_code}"
    )
    return found


def follow_corrected_dates(
    *, child_id: int, corrections: Sequence[Any], by: Any, reason: str, as_of: date
) -> list[Notification]:
    """The LA corrected the dates of care events (`care.events.dates_corrected`): each
    notification of a corrected event takes the right date, an unsent one a new clock, and
    the team it went to is told in its thread. Returns the notifications changed."""
    changed = []
    settings = None
    for correction in corrections:
        for notice in Notification.objects.filter(
            child_id=child_id, episode_id=correction.episode_id
        ).select_related("child"):
            moves = {correction.old_start: correction.new_start}
            if correction.old_end is not None and correction.new_end is not None:
                moves[correction.old_end] = correction.new_end
            new_event = moves.get(notice.event_date, notice.event_date)
            new_start = moves.get(notice.episode_start, notice.episode_start)
            if (new_event, new_start) == (notice.event_date, notice.episode_start):
                continue
            old_event = notice.event_date
            notice.event_date, notice.episode_start = new_event, new_start
            if notice.status == NotificationStatus.AWAITING_CONSENT:
                if settings is None:
                    area = notice.child.responsible_area_id
                    settings = settings_for([area]).get(area) or rules.Settings()
                notice.send_by = settings.send_by(new_event)
            save_versioned(notice, by, reason=f"the event's date was corrected: {reason}")
            changed.append(notice)
            if notice.sent_on is not None and notice.sender_id in access.sends_handovers(by):
                post_message(
                    by=by,
                    notification=notice,
                    text=f"The date of this {notice.get_kind_display().lower()} was corrected "
                    f"from {old_event:%-d %B %Y} to {new_event:%-d %B %Y}. Why: {reason}",
                )
    return changed


def tell_previous_team(
    *, child: Child, previous: AssessmentTeam, current: AssessmentTeam, by: Any, as_of: date
) -> Notification:
    """A team took the child's health assessments from `previous.team`
    (`health.ownership.assessment_team_changed`): that team gets a notice to acknowledge, from
    the team that took them, with the reason in its thread. The notice's page offers to
    cancel the bookings it no longer needs."""
    old, new = previous.team, current.team
    served = set(old.areas.values_list("code", flat=True))
    area = next(
        (a for a in (child.responsible_area_id, child.current_placement_area_id) if a in served),
        child.responsible_area_id,
    )
    episode = Episode.objects.filter(child=child).order_by("-decom").first()
    start = episode.decom if episode else current.since
    notice = Notification.objects.filter(
        child=child,
        kind=NotificationKind.TRANSFER,
        episode_start=start,
        recipient_kind=RecipientKind.PROVIDER,
        recipient_area_id=area,
    ).first() or Notification(
        child=child,
        kind=NotificationKind.TRANSFER,
        episode_start=start,
        recipient_kind=RecipientKind.PROVIDER,
        recipient_area_id=area,
    )
    notice.episode = episode
    notice.event_date = as_of
    notice.sender = new
    notice.recipient = old
    notice.send_by = as_of
    notice.acknowledged_on = notice.acknowledged_by = None
    notice.rejected_on = notice.rejected_by = None
    notice.reject_reason = notice.reject_note = ""
    _mark_sent(notice, by, as_of, settings_for([area])[area])
    save_versioned(notice, by, reason=f"{new.name} {current.get_how_display()}")
    if current.reason:
        post_message(
            by=by,
            notification=notice,
            text=f"We took over the health assessments: {current.reason}",
        )
    return notice


def follow_withdrawn_episode(
    *, child_id: int, episode_id: int, by: Any, reason: str, as_of: date
) -> list[Notification]:
    """The LA withdrew an episode entered in error (`care.events.episode_withdrawn`): a notice
    about it still waiting (for consent, acknowledgement or a team) is withdrawn with it, and
    every team it reached is told in its thread. Leaving care, which the episode before now
    ends with on the same day, still stands: its notice moves to that episode, so the teams
    are not told it twice. Returns the notices changed or told."""
    touched = []
    current = list(Episode.objects.filter(child_id=child_id))
    for notice in Notification.objects.filter(child_id=child_id, episode_id=episode_id).order_by(
        "pk"
    ):
        if notice.status == NotificationStatus.WITHDRAWN:
            continue
        ending = next(
            (e for e in current if e.dec == notice.event_date and e.rec),
            None,
        )
        if notice.kind == NotificationKind.LEAVING_CARE and ending is not None:
            notice.episode, notice.episode_start = ending, ending.decom
            save_versioned(notice, by, reason=f"the episode before it was withdrawn: {reason}")
            continue
        if notice.status in (*OPEN_STATUSES, NotificationStatus.NO_RECIPIENT):
            notice.status = NotificationStatus.WITHDRAWN
            save_versioned(notice, by, reason=f"the care event was withdrawn: {reason}")
        touched.append(notice)
        if notice.sent_on is not None and notice.sender_id in access.sends_handovers(by):
            post_message(
                by=by,
                notification=notice,
                text=f"This {notice.get_kind_display().lower()} of "
                f"{notice.event_date:%-d %B %Y} was entered in error and has been withdrawn "
                f"from the child's record. Why: {reason}",
            )
    return touched
