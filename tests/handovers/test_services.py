"""Hand-off services: which care writes (typed or imported) notify whom, sending with consent,
acknowledging, rejecting, referrals and threads; refusals write nothing, repeats change nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from lachealth.care import services as care
from lachealth.handovers import services
from lachealth.handovers.models import (
    HandoverSettings,
    Message,
    Notification,
    Referral,
)
from lachealth.health.clocks import add_working_days
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE, LEEDS
from ..factories import area
from ..interop.helpers import exported, import_return, rows, to_csv
from .helpers import camhs_with_clinician, enter_care, plan_action

AS_OF = date(2026, 11, 23)  # a Monday


def placement(code: str, pl_post: str = "") -> care.PlacementDetails:
    return care.PlacementDetails(
        place="U4", place_provider="PR1", placement_area=area(code), pl_post=pl_post
    )


def enter(world, **kwargs):  # type: ignore[no-untyped-def]
    return enter_care(world, as_of=AS_OF, **kwargs)


def sent(child) -> list[tuple[str, str, str, str | None]]:  # type: ignore[no-untyped-def]
    return sorted(
        (n.kind, n.recipient_kind, n.recipient_area_id, n.recipient.name if n.recipient else None)
        for n in Notification.objects.filter(child=child).select_related("recipient")
    )


def test_entering_care_asks_for_consent_before_the_health_request_goes(world):
    child = enter(world)
    n = Notification.objects.get(child=child)
    assert (n.kind, n.recipient, n.sender) == (
        "health_request",
        world.orgs["prov_a"],
        world.orgs["la_a"],
    )
    assert n.status == "awaiting_consent" and n.sent_on is None
    assert n.send_by == date(2026, 11, 25)  # 3 working days from Friday 20th
    assert n.history.get().history_user == world.users["la_a_sw"]


def test_entering_care_out_of_area_tells_the_receiving_provider_and_icb(world):
    child = enter(world, placed=CALDERDALE)
    assert sent(child) == [
        ("health_request", "provider", BRADFORD, "Provider A"),
        ("out_of_area", "icb", CALDERDALE, "ICB"),
        ("out_of_area", "provider", CALDERDALE, "Provider C"),
    ]
    notice = Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")
    assert notice.status == "sent" and notice.sent_on == AS_OF
    assert notice.acknowledge_by == add_working_days(AS_OF, 5)


def test_a_move_out_of_area_tells_both_providers_and_the_new_icb(world):
    child = enter(world, decom=date(2026, 9, 1))  # its health request is older than 30 days
    assert not Notification.objects.filter(child=child).exists()
    care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 16),
        ls="C2",
        placement=placement(CALDERDALE, "HX1 1AA"),
        reason_place_change="CARPL",
        as_of=AS_OF,
    )
    assert sent(child) == [
        ("move", "provider", BRADFORD, "Provider A"),
        ("out_of_area", "icb", CALDERDALE, "ICB"),
        ("out_of_area", "provider", CALDERDALE, "Provider C"),
    ]
    # Moving back home: the responsible provider and the provider losing the child are told.
    care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 23),
        ls="C2",
        placement=placement(BRADFORD, "BD1 1AA"),
        reason_place_change="CARPL",
        as_of=AS_OF,
    )
    moves = Notification.objects.filter(child=child, kind="move", event_date=date(2026, 11, 23))
    assert sorted(moves.values_list("recipient_area_id", flat=True)) == [BRADFORD, CALDERDALE]


def test_a_change_of_legal_status_and_leaving_care_notify_the_provider(world):
    child = enter(world, decom=date(2026, 9, 1), ls="V2")
    care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 2),
        ls="C1",
        placement=None,
        as_of=AS_OF,
    )
    care.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 11, 20), rec="E13", as_of=AS_OF
    )
    assert sent(child) == [
        ("leaving_care", "provider", BRADFORD, "Provider A"),
        ("legal_status", "provider", BRADFORD, "Provider A"),
    ]
    leaving = Notification.objects.get(child=child, kind="leaving_care")
    assert leaving.acknowledge_by == add_working_days(AS_OF, 10)


def test_an_area_no_team_serves_is_said_not_sent(world):
    child = enter(world, placed=LEEDS)  # Leeds has an ICB on lachealth but no LAC health team
    notice = Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")
    assert notice.status == "no_recipient" and notice.recipient is None
    assert not notice.is_overdue(date(2027, 1, 1))


def test_an_areas_own_settings_time_its_notifications(world):
    HandoverSettings.objects.create(
        area=area(BRADFORD), send_working_days=1, out_of_area_working_days=2
    )
    child = enter(world, placed=CALDERDALE)
    request = Notification.objects.get(child=child, kind="health_request")
    assert request.send_by == date(2026, 11, 23)
    notice = Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")
    assert notice.acknowledge_by == date(2026, 11, 25)


@time_machine.travel(date(2026, 3, 10), tick=False)
def test_an_import_notifies_recent_moves_only_and_a_repeat_notifies_nothing(world):
    officer = world.users["la_a_data"]
    files = exported(BRADFORD, 2026)
    episodes = rows(files["Episodes.csv"])
    # A1 (in care since 2024) moves to Calderdale on 1 March 2026: 9 days ago.
    a1 = next(e for e in episodes if e["CHILD"] == "A1")
    a1.update(DEC="01/03/2026", REC="X1", REASON_PLACE_CHANGE="CARPL")
    moved = dict(a1, DECOM="01/03/2026", RNE="P", DEC="", REC="", PL_POST="HX1 1AA")
    moved["REASON_PLACE_CHANGE"] = ""
    episodes.insert(1, moved)
    files["Episodes.csv"] = to_csv(episodes)
    import_return(officer, BRADFORD, 2026, files)
    a1_child = Notification.objects.filter(child__la_child_id="A1")
    assert sorted(a1_child.values_list("kind", "recipient_kind", "recipient_area_id")) == [
        ("move", "provider", BRADFORD),
        ("out_of_area", "icb", CALDERDALE),
        ("out_of_area", "provider", CALDERDALE),
    ]
    # The children's entries in 2024 are long past: no health request floods the inbox.
    assert not Notification.objects.filter(kind="health_request").exists()
    history = Notification.history.count()
    import_return(officer, BRADFORD, 2026, files)
    assert Notification.history.count() == history


@pytest.fixture
def request_to_send(world):  # type: ignore[no-untyped-def]
    return Notification.objects.get(child=enter(world, ls="V2"), kind="health_request")


@pytest.mark.parametrize(
    ("given_by", "on", "field"),
    [
        ("", date(2026, 11, 20), "consent_given_by"),  # no consent recorded
        ("parent", None, "consent_on"),
        ("parent", date(2026, 11, 24), "consent_on"),  # tomorrow
        ("local_authority", date(2026, 11, 20), "consent_given_by"),  # V2: no care order
    ],
)
def test_a_health_request_without_valid_consent_is_refused(
    world, request_to_send, given_by, on, field
):
    with pytest.raises(ValidationError) as refused:
        services.send_health_request(
            by=world.users["la_a_sw"],
            notification=request_to_send,
            consent_given_by=given_by,
            consent_on=on,
            as_of=AS_OF,
        )
    assert field in refused.value.message_dict
    request_to_send.refresh_from_db()
    assert request_to_send.status == "awaiting_consent" and request_to_send.history.count() == 1


def test_the_la_consents_under_a_care_order(world):
    n = Notification.objects.get(child=enter(world, ls="C2"), kind="health_request")
    services.send_health_request(
        by=world.users["la_a_sw"],
        notification=n,
        consent_given_by="local_authority",
        consent_on=date(2026, 11, 20),
        as_of=AS_OF,
    )
    n.refresh_from_db()
    assert (n.status, n.consent_given_by) == ("sent", "local_authority")


def test_sending_the_health_request_starts_the_acknowledgement_clock_once(world, request_to_send):
    for _ in range(2):
        services.send_health_request(
            by=world.users["la_a_sw"],
            notification=request_to_send,
            consent_given_by="young_person",
            consent_on=date(2026, 11, 20),
            as_of=AS_OF,
        )
    request_to_send.refresh_from_db()
    assert (request_to_send.status, request_to_send.sent_on, request_to_send.sent_by) == (
        "sent",
        AS_OF,
        world.users["la_a_sw"],
    )
    assert request_to_send.acknowledge_by == date(2026, 11, 26)  # 3 working days
    assert request_to_send.history.count() == 2  # created, then sent once


def test_only_the_sending_la_sends(world, request_to_send):
    for name in ("la_b_sw", "prov_a_nurse"):
        with pytest.raises(PermissionDenied):
            services.send_health_request(
                by=world.users[name],
                notification=request_to_send,
                consent_given_by="parent",
                consent_on=date(2026, 11, 20),
                as_of=AS_OF,
            )


@pytest.fixture
def notice(world):  # type: ignore[no-untyped-def]
    child = enter(world, placed=CALDERDALE, la_child_id="NEW2")
    return Notification.objects.get(child=child, kind="out_of_area", recipient_kind="provider")


def test_acknowledging_twice_is_harmless_and_versioned_once(world, notice):
    nurse = world.users["prov_c_nurse"]
    for _ in range(2):
        services.acknowledge(by=nurse, notification=notice, as_of=AS_OF)
    notice.refresh_from_db()
    assert (notice.status, notice.acknowledged_on, notice.acknowledged_by) == (
        "acknowledged",
        AS_OF,
        nurse,
    )
    assert notice.history.count() == 2
    assert AccessLog.objects.filter(detail="acknowledged a notification").count() == 1


def test_only_the_addressed_team_acknowledges(world, notice):
    for name in ("prov_a_nurse", "la_a_sw", "commissioner"):
        with pytest.raises(PermissionDenied):
            services.acknowledge(by=world.users[name], notification=notice, as_of=AS_OF)
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_accepting_the_assessment_request_acknowledges_it_too(world, notice):
    services.accept_assessment_request(
        by=world.users["prov_c_nurse"], notification=notice, as_of=AS_OF
    )
    notice.refresh_from_db()
    assert (notice.status, notice.assessment_accepted_on) == ("acknowledged", AS_OF)


def test_the_icb_is_not_asked_to_assess(world):
    child = enter(world, placed=CALDERDALE)
    to_icb = Notification.objects.get(child=child, recipient_kind="icb")
    with pytest.raises(ValidationError):
        services.accept_assessment_request(
            by=world.users["icb_designated"], notification=to_icb, as_of=AS_OF
        )
    to_icb.refresh_from_db()
    assert to_icb.assessment_accepted_on is None and to_icb.status == "sent"


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [("", "", "reason"), ("other", " ", "note"), ("maybe", "", "reason")],
)
def test_a_rejection_needs_a_reason(world, notice, reason, note, field):
    with pytest.raises(ValidationError) as refused:
        services.reject(
            by=world.users["prov_c_nurse"], notification=notice, reason=reason, note=note
        )
    assert field in refused.value.message_dict
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_rejected_notice_cannot_then_be_acknowledged(world, notice):
    nurse = world.users["prov_c_nurse"]
    services.reject(by=nurse, notification=notice, reason="not_our_area", as_of=AS_OF)
    with pytest.raises(ValidationError, match="rejected on 23 November 2026"):
        services.acknowledge(by=nurse, notification=notice, as_of=AS_OF)
    notice.refresh_from_db()
    assert (notice.status, notice.reject_reason) == ("rejected", "not_our_area")


def test_overdue_is_the_senders_until_sent_then_the_receivers(world, request_to_send, notice):
    assert not request_to_send.is_overdue(date(2026, 11, 25))
    assert request_to_send.is_overdue(date(2026, 11, 26))
    assert not notice.is_overdue(notice.acknowledge_by)
    assert notice.is_overdue(date(2026, 12, 1))


def test_the_thread_is_for_the_two_teams_only(world, notice):
    message = services.post_message(
        by=world.users["prov_c_nurse"], notification=notice, text=" Seen, booking. "
    )
    assert (message.organisation, message.text) == (world.orgs["prov_c"], "Seen, booking.")
    reply = services.post_message(by=world.users["la_a_sw"], notification=notice, text="Thanks")
    assert reply.organisation == world.orgs["la_a"]
    with pytest.raises(PermissionDenied):
        services.post_message(by=world.users["prov_a_nurse"], notification=notice, text="Hello")
    for text, field in (("   ", "text"), ("x" * 2001, "text")):
        with pytest.raises(ValidationError) as refused:
            services.post_message(by=world.users["la_a_sw"], notification=notice, text=text)
        assert field in refused.value.message_dict
    assert Message.objects.count() == 2


@pytest.fixture
def camhs(world):  # type: ignore[no-untyped-def]
    return camhs_with_clinician("camhs_clinician")[0]


@pytest.fixture
def action(world):  # type: ignore[no-untyped-def]
    return plan_action(
        world,
        world.children["child_a"],
        "Low mood and poor sleep",
        completed_on=date(2026, 11, 2),
        due_on=date(2026, 11, 10),
    )


def refer(world, action, service, urgency="urgent"):  # type: ignore[no-untyped-def]
    return services.refer(
        by=world.users["prov_a_nurse"],
        action=action,
        service=service,
        kind="emotional_wellbeing",
        reason="Low mood for three months, poor sleep",
        urgency=urgency,
        as_of=AS_OF,
    )


def test_a_referral_runs_to_first_seen_against_its_target(world, action, camhs):
    referral = refer(world, action, camhs)
    assert (referral.referrer, referral.target_weeks, referral.status) == (
        world.orgs["prov_a"],
        4,
        "sent",
    )
    clinician = camhs.memberships.get().user
    services.acknowledge_referral(by=clinician, referral=referral, as_of=AS_OF)
    services.acknowledge_referral(by=clinician, referral=referral, as_of=date(2026, 11, 24))
    referral.refresh_from_db()
    assert (referral.status, referral.acknowledged_on) == ("acknowledged", AS_OF)
    with pytest.raises(ValidationError, match="Accept the referral"):
        services.record_first_seen(by=clinician, referral=referral, on=AS_OF, as_of=AS_OF)
    services.decide_referral(by=clinician, referral=referral, accept=True, as_of=AS_OF)
    with pytest.raises(ValidationError) as early:
        services.record_first_seen(
            by=clinician, referral=referral, on=date(2026, 11, 1), as_of=date(2027, 1, 4)
        )
    assert "on" in early.value.message_dict
    services.record_first_seen(
        by=clinician, referral=referral, on=date(2026, 12, 28), as_of=date(2027, 1, 4)
    )
    referral.refresh_from_db()
    wait = referral.waiting(date(2027, 6, 1))
    assert (referral.status, wait.days, wait.weeks, wait.breached) == ("seen", 35, 5, True)
    assert referral.history.count() == 4  # referred, acknowledged, accepted, seen


def test_a_routine_referral_uses_the_areas_target(world, action, camhs):
    HandoverSettings.objects.create(area=area(BRADFORD), routine_referral_weeks=12)
    assert refer(world, action, camhs, urgency="routine").target_weeks == 12


def test_a_service_with_no_active_contact_is_refused(world, action, camhs):
    camhs.memberships.update(is_active=False)
    with pytest.raises(ValidationError, match="no active contact on lachealth") as refused:
        refer(world, action, camhs)
    assert "service" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_only_a_service_takes_referrals(world, action):
    with pytest.raises(ValidationError) as refused:
        refer(world, action, world.orgs["prov_c"])
    assert "service" in refused.value.message_dict


def test_a_decline_needs_a_reason_and_only_the_service_decides(world, action, camhs):
    referral = refer(world, action, camhs)
    with pytest.raises(PermissionDenied):
        services.decide_referral(by=world.users["prov_a_nurse"], referral=referral, accept=True)
    clinician = camhs.memberships.get().user
    with pytest.raises(ValidationError) as refused:
        services.decide_referral(by=clinician, referral=referral, accept=False, reason=" ")
    assert "reason" in refused.value.message_dict
    services.decide_referral(
        by=clinician, referral=referral, accept=False, reason="Refer to the school nurse first"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (
        "declined",
        "Refer to the school nurse first",
    )
    with pytest.raises(ValidationError, match="already declined"):
        services.decide_referral(by=clinician, referral=referral, accept=True)


def test_only_the_childs_practitioners_refer(world, action, camhs):
    for name in ("prov_c_nurse", "la_a_sw", "commissioner"):
        with pytest.raises(PermissionDenied):
            services.refer(
                by=world.users[name],
                action=action,
                service=camhs,
                kind="emotional_wellbeing",
                reason="Low mood",
                urgency="routine",
            )
    assert not Referral.objects.exists()
