"""The demo's hand-offs: notifications from the last weeks' care events in every state, the
services that take referrals, referrals at every step, and threads between teams.

Everything goes through the `handovers` services, day by day, as the teams would have acted:
a notification is made on the day of its event (or, for the imported area, on the day of
the import), most are acknowledged within a few working days, some late, some rejected, and
the out-of-area notices into the receiving area of the last fortnight wait for its team.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q

from lachealth.care import corrections
from lachealth.care import services as care
from lachealth.care.models import Episode
from lachealth.demo.accounts import demo_organisation
from lachealth.handovers import services
from lachealth.handovers.models import (
    Notification,
    NotificationStatus,
    ReferralKind,
    RejectReason,
    Urgency,
)
from lachealth.health.clocks import add_working_days
from lachealth.health.models import ActionStatus, HealthPlanAction
from lachealth.people.models import Area, Organisation, OrganisationKind, User

DAYS_BACK = 40
MESSAGES = [
    ("receiver", "Thank you. We have booked the assessment and will write to the carer."),
    (
        "sender",
        "The carer's new phone number is on the placement plan; please call before visiting.",
    ),
    ("receiver", "Could you send the consent form? The copy we have is unsigned."),
    ("sender", "Signed consent sent by secure e-mail today."),
]


def build_services(areas: list[tuple[str, str]], mark: str) -> dict[str, Organisation]:
    """A CAMHS per area with a clinician, and a substance misuse service with nobody on
    lachealth yet (so the demo shows a referral refused for want of a contact)."""
    found: dict[str, Organisation] = {}
    for code, username in areas:
        found[code] = demo_organisation(
            f"{username.capitalize()} CAMHS{mark}",
            OrganisationKind.SERVICE,
            [code],
            team_email=f"{username}.camhs.team@example.org",
        )
    demo_organisation(
        f"West Yorkshire Young People's Substance Misuse Service{mark}",
        OrganisationKind.SERVICE,
        [c for c, _ in areas],
    )
    return found


def build_handovers(
    *,
    seed: int,
    as_of: date,
    areas: list[str],
    receiving: str,
    staff: dict[str, dict[str, User]],
) -> int:
    """Notifications from every care event of the last `DAYS_BACK` days, then what the teams
    did with them; a few recent moves into `receiving` wait for its team. `staff[area]` holds
    the area's "socialworker", "nurse" and "camhs" users, and `staff["icb"]["designated"]`
    the ICB's designated nurse."""
    rng = random.Random(seed + 6)
    _recent_moves_into(receiving, rng=rng, as_of=as_of, areas=areas, staff=staff)
    since = as_of - timedelta(days=DAYS_BACK)
    events: dict[tuple[str, date], set[int]] = defaultdict(set)
    rows = (
        Episode.objects.filter(child__responsible_area__in=areas)
        .filter(Q(decom__gte=since) | Q(dec__gte=since))
        .values_list("child_id", "child__responsible_area_id", "decom", "dec")
    )
    for child_id, area, decom, dec in rows:
        for day in (decom, dec):
            if day is not None and since <= day <= as_of:
                events[(area, day)].add(child_id)
    for (area, day), child_ids in sorted(events.items(), key=lambda item: item[0][1]):
        services.notify_care_events(child_ids, by=staff[area]["socialworker"], as_of=day)
    count = _act(rng, as_of, staff, receiving)
    _withdraw_a_move(as_of, staff)
    return count


def _withdraw_a_move(as_of: date, staff: dict[str, dict[str, User]]) -> None:
    """One recent move, still unacknowledged, turns out to have been typed on the wrong child:
    its social worker withdraws it, and its notices follow."""
    waiting = (
        Notification.objects.filter(
            kind="move", status=NotificationStatus.SENT, episode__dec__isnull=True
        )
        .exclude(episode=None)
        .select_related("episode", "child")
        .order_by("-event_date", "pk")
    )
    for notice in waiting:
        if notice.episode is None:
            continue
        try:
            corrections.withdraw_episode(
                by=staff[notice.child.responsible_area_id]["socialworker"],
                episode=notice.episode,
                reason="Recorded on the wrong child's record",
                as_of=as_of,
            )
        except ValidationError:
            continue  # the record would not hold together without it: try another
        return


def _recent_moves_into(
    receiving: str,
    *,
    rng: random.Random,
    as_of: date,
    areas: list[str],
    staff: dict[str, dict[str, User]],
) -> None:
    """A few children of the other areas moved into the receiving area in the last fortnight,
    recorded by their social workers as the moves happened."""
    postcodes = list(
        Episode.objects.filter(placement_area=receiving)
        .exclude(pl_post="")
        .values_list("pl_post", flat=True)
        .distinct()
        .order_by("pl_post")[:50]
    )
    candidates = list(
        Episode.objects.filter(
            dec__isnull=True,
            decom__lt=as_of - timedelta(days=60),
            child__responsible_area__in=[a for a in areas if a != receiving],
            child__current_placement_area=F("child__responsible_area"),
            ls__in=["C1", "C2"],
            place__in=["U4", "U5", "U6"],
            child__date_of_birth__lt=as_of - timedelta(days=365 * 3),
            child__date_of_birth__gt=as_of - timedelta(days=365 * 16),
        )
        .select_related("child")
        .order_by("pk")
    )
    receiving_area = Area.objects.get(code=receiving)
    for episode in rng.sample(candidates, k=min(6, len(candidates))):
        on = as_of - timedelta(days=rng.randint(1, 12))
        care.record_change(
            by=staff[episode.child.responsible_area_id]["socialworker"],
            child=episode.child,
            on=on,
            ls=episode.ls,
            placement=care.PlacementDetails(
                place="U4",
                place_provider="PR1",
                placement_area=receiving_area,
                pl_post=rng.choice(postcodes) if postcodes else "",
            ),
            reason_place_change="CARPL",
            as_of=on,
        )


def _receiver(n: Notification, staff: dict[str, dict[str, User]]) -> User:
    return (
        staff["icb"]["designated"]
        if n.recipient_kind == "icb"
        else staff[n.recipient_area_id]["nurse"]
    )


def _act(rng: random.Random, as_of: date, staff: dict[str, dict[str, User]], receiving: str) -> int:
    """Send most health requests with consent; acknowledge most notices, reject a few, and
    leave recent out-of-area notices into the receiving area waiting."""
    demo = Notification.objects.filter(child__responsible_area__in=[a for a in staff if a != "icb"])
    requests = demo.filter(status=NotificationStatus.AWAITING_CONSENT).select_related("child")
    for n in requests.order_by("pk"):
        if rng.random() < 0.15:
            continue  # still waiting for consent; overdue after three working days
        sent_on = min(add_working_days(n.event_date, rng.choice([0, 1, 1, 2, 2, 3, 5])), as_of)
        ls = n.episode.ls if n.episode else "V2"
        giver = rng.choice(
            ["local_authority", "local_authority", "parent", "young_person"]
            if ls in services.LA_CONSENT_LS
            else ["parent", "parent", "young_person"]
        )
        services.send_health_request(
            by=staff[n.child.responsible_area_id]["socialworker"],
            notification=n,
            consent_given_by=giver,
            consent_on=n.event_date,
            as_of=sent_on,
        )
    # Each team's answer, acted on in the order of the days they were given, as teams would.
    answers: list[tuple[date, int, Any, dict[str, Any]]] = []
    for n in demo.filter(status=NotificationStatus.SENT).select_related("child").order_by("pk"):
        assert n.sent_on is not None
        waiting = (as_of - n.sent_on).days
        fresh_arrival = n.kind == "out_of_area" and n.recipient_area_id == receiving
        if fresh_arrival and waiting <= 14:
            continue  # the demo's unacknowledged out-of-area notices into Calderdale
        roll = rng.random()
        if roll < 0.08:
            on = min(add_working_days(n.sent_on, 1), as_of)
            reason = rng.choice([RejectReason.DUPLICATE, RejectReason.NOT_OUR_AREA])
            answers.append((on, n.pk, services.reject, {"reason": reason, "note": ""}))
        elif roll < 0.85 or waiting > 20:
            lag = rng.choice([0, 1, 1, 2, 3, 4, 6, 8])
            on = min(add_working_days(n.sent_on, lag), as_of)
            act = (
                services.accept_assessment_request
                if n.carries_assessment_request
                else services.acknowledge
            )
            answers.append((on, n.pk, act, {}))
    answers.sort(key=lambda a: (a[0], a[1]))
    for on, pk, act, extra in answers:
        n = Notification.objects.select_related("child").get(pk=pk)
        act(by=_receiver(n, staff), notification=n, as_of=on, **extra)
    _threads(rng, demo, staff)
    return demo.count()


def _threads(rng: random.Random, demo: Any, staff: dict[str, dict[str, User]]) -> None:
    chosen = list(demo.exclude(recipient=None).exclude(status="awaiting_consent").order_by("pk"))
    for n in rng.sample(chosen, k=min(12, len(chosen))):
        sender = staff[n.child.responsible_area_id]["socialworker"]
        for who, text in MESSAGES[: rng.choice([1, 2, 4])]:
            services.post_message(
                by=sender if who == "sender" else _receiver(n, staff), notification=n, text=text
            )


REASONS = {
    ReferralKind.EMOTIONAL_WELLBEING: "Low mood and angry outbursts since the last move; "
    "SDQ total difficulties in the high band.",
    ReferralKind.NEURODEVELOPMENTAL: "School and carer describe poor attention and impulsivity "
    "in every setting.",
}


def build_referrals(
    *,
    seed: int,
    as_of: date,
    areas: list[str],
    staff: dict[str, dict[str, User]],
    camhs: dict[str, Organisation],
) -> int:
    """Referrals from the plans' emotional wellbeing actions, at every step of the way."""
    rng = random.Random(seed + 7)
    actions = (
        HealthPlanAction.objects.filter(
            child__responsible_area__in=areas,
            child__looked_after=True,
            need="Emotional wellbeing",
            status=ActionStatus.OPEN,
        )
        .select_related("child")
        .order_by("pk")
    )
    made = 0
    for action in actions:
        area = action.child.responsible_area_id
        referred_on = max(
            action.assessment.completed_on, as_of - timedelta(days=rng.randint(5, 200))
        )
        urgency = Urgency.URGENT if rng.random() < 0.2 else Urgency.ROUTINE
        kind = (
            ReferralKind.EMOTIONAL_WELLBEING
            if rng.random() < 0.8
            else ReferralKind.NEURODEVELOPMENTAL
        )
        referral = services.refer(
            by=staff[area]["nurse"],
            action=action,
            service=camhs[area],
            kind=kind,
            reason=REASONS[kind],
            urgency=urgency,
            as_of=referred_on,
        )
        clinician = staff[area]["camhs"]
        waited = (as_of - referred_on).days
        step = rng.random()
        if waited > 3 and step < 0.9:
            services.acknowledge_referral(
                by=clinician,
                referral=referral,
                as_of=referred_on + timedelta(days=rng.randint(1, 3)),
            )
        if waited > 10 and step < 0.8:
            decided = referred_on + timedelta(days=rng.randint(5, 10))
            if step < 0.08:
                services.decide_referral(
                    by=clinician,
                    referral=referral,
                    accept=False,
                    reason="Needs are being met by the school's mental health support team; "
                    "please refer again if they worsen.",
                    as_of=decided,
                )
            else:
                services.decide_referral(
                    by=clinician, referral=referral, accept=True, as_of=decided
                )
                target = referral.target_weeks * 7
                seen_after = rng.randint(target // 3, int(target * 1.4))
                if referred_on + timedelta(days=seen_after) <= as_of:
                    services.record_first_seen(
                        by=clinician,
                        referral=referral,
                        on=referred_on + timedelta(days=seen_after),
                        as_of=as_of,
                    )
        made += 1
    return made


def demo_staff(areas: list[tuple[str, str]]) -> dict[str, dict[str, User]]:
    """The demo users who act in the hand-offs, by area code."""
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    staff = {
        code: {
            "socialworker": users[f"{username}.socialworker"],
            "nurse": users[f"{username}.nurse"],
            "camhs": users[f"{username}.camhs"],
        }
        for code, username in areas
    }
    staff["icb"] = {"designated": users["wy.designatednurse"]}
    return staff
