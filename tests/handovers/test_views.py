"""Hand-off pages per role: the sender (the child's LA), the receiver (the team addressed), an
unrelated provider, another LA, the commissioner; what each sees, and that a URL changed to
another team's notification or referral is a 404."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lachealth.handovers import services
from lachealth.handovers.models import HandoverSettings, Notification, Referral
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE, sign_in
from .helpers import camhs_with_clinician, enter_care, plan_action

AS_OF = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield


@dataclass
class Handed:
    request: Notification  # the health request to Provider A, not sent yet
    notice: Notification  # the out-of-area notice to Provider C
    to_icb: Notification
    referral: Referral
    clinician: object  # a CAMHS clinician


def _enter(world, la_child_id: str, placed: str):  # type: ignore[no-untyped-def]
    return enter_care(
        world,
        placed=placed,
        la_child_id=la_child_id,
        first_name="Nia",
        last_name=f"Moved{la_child_id}",
        date_of_birth=date(2013, 2, 3),
    )


@pytest.fixture
def handed(world) -> Handed:  # type: ignore[no-untyped-def]
    child = _enter(world, "OUT1", CALDERDALE)
    camhs, clinician = camhs_with_clinician()
    action = plan_action(
        world,
        child,
        "Low mood",
        completed_on=date(2026, 11, 21),
        due_on=date(2026, 12, 18),
        health_needs="Clinical note: nightmares since the move",
    )
    referral = services.refer(
        by=world.users["prov_a_nurse"],
        action=action,
        service=camhs,
        kind="emotional_wellbeing",
        reason="Low mood since the move",
        urgency="routine",
    )
    found = Notification.objects.filter(child=child)
    return Handed(
        request=found.get(kind="health_request"),
        notice=found.get(kind="out_of_area", recipient_kind="provider"),
        to_icb=found.get(kind="out_of_area", recipient_kind="icb"),
        referral=referral,
        clinician=clinician,
    )


def get(client: Client, name: str, pk: int | None = None, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse(name, args=[pk] if pk else None), params)


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("la_a_sw", 200),
        ("prov_c_nurse", 200),
        ("prov_a_admin", 200),
        ("icb_designated", 200),
        ("commissioner", 403),
        ("sysadmin", 403),
        ("norole", 403),
    ],
)
def test_the_notification_lists_are_for_senders_and_receivers(handed, as_user, user, status):
    assert get(as_user(user), "handovers:notification_list").status_code == status


def test_every_handover_page_needs_sign_in(handed):
    n, r = handed.notice.pk, handed.referral.pk
    for name, pk in [
        ("handovers:notification_list", None),
        ("handovers:notification_detail", n),
        ("handovers:notification_send", n),
        ("handovers:notification_reject", n),
        ("handovers:referral_list", None),
        ("handovers:referral_detail", r),
        ("handovers:settings_index", None),
    ]:
        response = get(Client(), name, pk)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], name


def test_the_receiver_sees_what_was_sent_to_it_and_the_sender_what_it_sent(handed, as_user):
    received = get(as_user("prov_c_nurse"), "handovers:notification_list").content.decode()
    assert "MovedOUT1" in received and "Out-of-area placement" in received
    # The health request is not sent until the LA records consent: Provider A has nothing yet.
    waiting = get(as_user("prov_a_nurse"), "handovers:notification_list").content.decode()
    assert "MovedOUT1" not in waiting
    sent = get(as_user("la_a_sw"), "handovers:notification_list").content.decode()
    assert "Health request" in sent and "Send by 25 November 2026" in sent
    assert "Not sent: consent needed" in sent
    other_la = get(as_user("la_b_sw"), "handovers:notification_list").content.decode()
    assert "MovedOUT1" not in other_la


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("la_a_sw", 200),  # sender
        ("la_a_data", 200),
        ("prov_c_nurse", 200),  # receiver
        ("prov_a_nurse", 404),  # a provider the notice is not addressed to
        ("icb_designated", 404),  # the ICB has its own notice, not this one
        ("la_b_sw", 404),  # another LA
        ("la_c_sw", 404),  # the LA of the receiving area
        ("commissioner", 404),
        ("camhs", 404),
    ],
)
def test_a_notification_is_for_its_two_teams_only(handed, as_user, world, user, status):
    client = as_user(user) if user != "camhs" else sign_in(Client(), handed.clinician)
    response = get(client, "handovers:notification_detail", handed.notice.pk)
    assert response.status_code == status
    logged = AccessLog.objects.filter(child_id=handed.notice.child_id, detail="notification")
    assert logged.exists() == (status == 200)


def test_the_receiving_team_gets_what_it_needs_and_the_la_no_clinical_notes(handed, as_user):
    page = get(as_user("prov_c_nurse"), "handovers:notification_detail", handed.notice.pk)
    text = page.content.decode()
    for needed in (
        "Nia MovedOUT1",
        "3 February 2013",
        "LA A",  # responsible LA
        "ICB",
        "Provider A",  # the responsible area's LAC health team
        "Review health assessment",  # the next assessment clock, as the IHA is done
        "Low mood: Refer to CAMHS",  # the health plan
        "Acknowledge and accept the assessment request",
    ):
        assert needed in text, needed
    sender = get(as_user("la_a_sw"), "handovers:notification_detail", handed.notice.pk)
    assert "nightmares" not in sender.content.decode()
    assert "Acknowledge" not in sender.content.decode().split("The notification")[0]


def test_the_receiver_acknowledges_and_the_sender_sees_it(handed, as_user):
    nurse = as_user("prov_c_nurse")
    url = reverse("handovers:notification_acknowledge", args=[handed.notice.pk])
    assert nurse.get(url).status_code == 405
    for _ in range(2):  # twice is harmless
        assert nurse.post(url).status_code == 302
    handed.notice.refresh_from_db()
    assert handed.notice.status == "acknowledged" and handed.notice.history.count() == 2
    page = get(as_user("la_a_sw"), "handovers:notification_detail", handed.notice.pk)
    assert (
        "Acknowledged" in page.content.decode() and "23 November 2026 by" in page.content.decode()
    )


@pytest.mark.parametrize(("user", "status"), [("la_a_sw", 403), ("prov_a_nurse", 404)])
def test_only_the_receiver_acknowledges(handed, as_user, user, status):
    for name in ("notification_acknowledge", "notification_accept"):
        url = reverse(f"handovers:{name}", args=[handed.notice.pk])
        assert as_user(user).post(url).status_code == status
    handed.notice.refresh_from_db()
    assert handed.notice.status == "sent"


def test_the_receiver_accepts_the_assessment_request(handed, as_user):
    url = reverse("handovers:notification_accept", args=[handed.notice.pk])
    assert as_user("prov_c_nurse").post(url).status_code == 302
    handed.notice.refresh_from_db()
    assert handed.notice.assessment_accepted_on == AS_OF


def test_the_icb_acknowledges_its_notice_but_is_not_asked_to_assess(handed, as_user):
    client = as_user("icb_designated")
    page = get(client, "handovers:notification_detail", handed.to_icb.pk).content.decode()
    assert "Acknowledge" in page and "accept the assessment request" not in page
    client.post(reverse("handovers:notification_acknowledge", args=[handed.to_icb.pk]))
    handed.to_icb.refresh_from_db()
    assert handed.to_icb.status == "acknowledged"


def test_a_rejection_without_a_reason_is_refused_and_with_one_the_sender_reads_it(handed, as_user):
    nurse = as_user("prov_c_nurse")
    url = reverse("handovers:notification_reject", args=[handed.notice.pk])
    refused = nurse.post(url, {"reason": "other", "note": ""})
    assert refused.status_code == 200
    assert "Say why you are rejecting this notification" in refused.content.decode()
    handed.notice.refresh_from_db()
    assert handed.notice.status == "sent"
    nurse.post(url, {"reason": "not_our_area", "note": "The carer lives in Kirklees"})
    page = get(as_user("la_a_sw"), "handovers:notification_detail", handed.notice.pk)
    assert "Not our area. The carer lives in Kirklees" in page.content.decode()
    assert as_user("la_a_sw").get(url).status_code == 403


def test_the_la_sends_the_health_request_only_with_consent(handed, as_user):
    sw = as_user("la_a_sw")
    detail = get(sw, "handovers:notification_detail", handed.request.pk).content.decode()
    assert "Record who gave consent to send it. It is due by" in detail
    url = reverse("handovers:notification_send", args=[handed.request.pk])
    assert sw.get(url).status_code == 200
    refused = sw.post(url, {"consent_on_0": "20", "consent_on_1": "11", "consent_on_2": "2026"})
    assert "a health request cannot be sent without it" in refused.content.decode()
    handed.request.refresh_from_db()
    assert handed.request.status == "awaiting_consent"
    sw.post(
        url,
        {
            "consent_given_by": "parent",
            "consent_on_0": "20",
            "consent_on_1": "11",
            "consent_on_2": "2026",
        },
    )
    handed.request.refresh_from_db()
    assert (handed.request.status, handed.request.consent_given_by) == ("sent", "parent")
    received = get(as_user("prov_a_nurse"), "handovers:notification_list").content.decode()
    assert "MovedOUT1" in received
    assert as_user("prov_a_nurse").get(url).status_code == 403  # visible now, but not theirs


def test_the_two_teams_write_in_the_thread_and_it_shows_on_the_childs_page(handed, as_user):
    url = reverse("handovers:notification_message", args=[handed.notice.pk])
    as_user("prov_c_nurse").post(url, {"text": "Booked the review for 2 December"})
    as_user("la_a_sw").post(url, {"text": "Thank you, carer told"})
    empty = as_user("la_a_sw").post(url, {"text": ""})
    assert empty.status_code == 200 and "Enter a message" in empty.content.decode()
    assert as_user("prov_a_nurse").post(url, {"text": "Hello"}).status_code == 404
    child_page = get(as_user("la_a_sw"), "care:child_detail", handed.notice.child_id)
    text = child_page.content.decode()
    assert "Notifications and referrals" in text
    assert "Booked the review for 2 December" in text and "Thank you, carer told" in text
    # Provider C sees its own notice on the child's page, not the request to Provider A.
    theirs = get(as_user("prov_c_nurse"), "care:child_detail", handed.notice.child_id)
    panel = theirs.content.decode().split("Notifications and referrals")[1]
    assert "Out-of-area placement" in panel and "Health request" not in panel


def test_the_received_list_costs_the_same_queries_for_more_notifications(world, handed, as_user):
    client = as_user("prov_c_nurse")
    client.get(reverse("handovers:notification_list"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("handovers:notification_list")).status_code == 200
        return len(ctx)

    few = count()
    for i in range(30):
        _enter(world, f"MANY{i}", CALDERDALE)
    assert Notification.objects.filter(recipient=world.orgs["prov_c"]).count() == 31
    assert count() == few


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),  # referrer
        ("camhs", 200),  # the service
        ("prov_c_nurse", 404),
        ("la_a_sw", 404),
        ("commissioner", 404),
    ],
)
def test_a_referral_is_for_the_referrer_and_the_service_only(handed, as_user, user, status):
    client = as_user(user) if user != "camhs" else sign_in(Client(), handed.clinician)
    assert get(client, "handovers:referral_detail", handed.referral.pk).status_code == status


@pytest.mark.parametrize(
    ("user", "status"),
    [("prov_a_nurse", 200), ("camhs", 200), ("la_a_sw", 403), ("commissioner", 403)],
)
def test_the_referral_list(handed, as_user, user, status):
    client = as_user(user) if user != "camhs" else sign_in(Client(), handed.clinician)
    response = get(client, "handovers:referral_list")
    assert response.status_code == status
    if status == 200:
        assert "MovedOUT1" in response.content.decode()


def test_the_service_acknowledges_accepts_and_records_first_seen(handed, as_user):
    service = sign_in(Client(), handed.clinician)
    pk = handed.referral.pk
    page = get(service, "handovers:referral_detail", pk).content.decode()
    assert "Low mood since the move" in page and "to be seen within 18 weeks" in page
    service.post(reverse("handovers:referral_acknowledge", args=[pk]))
    service.post(reverse("handovers:referral_decide", args=[pk]), {"decision": "accept"})
    service.post(
        reverse("handovers:referral_seen", args=[pk]),
        {"on_0": "23", "on_1": "11", "on_2": "2026"},
    )
    handed.referral.refresh_from_db()
    assert (handed.referral.status, handed.referral.first_seen_on) == ("seen", AS_OF)
    # The referrer cannot act for the service, even by posting.
    referrer = as_user("prov_a_nurse")
    for name in ("referral_acknowledge", "referral_decide", "referral_seen"):
        assert referrer.post(reverse(f"handovers:{name}", args=[pk])).status_code == 403


def test_a_decline_without_a_reason_is_refused(handed):
    service = sign_in(Client(), handed.clinician)
    # The service finds the decline form, with its reason, under "Decline the referral".
    page = get(service, "handovers:referral_detail", handed.referral.pk).content.decode()
    summary = page.index('<span class="nhsuk-details__summary-text">')
    assert page.index("Decline the referral", summary) < page.index('name="reason"', summary)
    url = reverse("handovers:referral_decide", args=[handed.referral.pk])
    refused = service.post(url, {"decision": "decline", "reason": ""})
    assert "Say why the service is declining the referral" in refused.content.decode()
    assert re.search(r"<details class=\"nhsuk-details\"\s+open>", refused.content.decode())
    handed.referral.refresh_from_db()
    assert handed.referral.status == "sent"


def test_referring_from_the_health_plan(handed, as_user):
    action = handed.referral.action
    url = reverse("handovers:referral_create", args=[action.pk])
    nurse = as_user("prov_a_nurse")
    page = nurse.get(url).content.decode()
    assert "Bradford CAMHS" in page and "Low mood: Refer to CAMHS" in page
    # The action was referred already: the form says so, with a link to that referral.
    assert 'id="already-referred"' in page
    assert reverse("handovers:referral_detail", args=[handed.referral.pk]) in page
    assert as_user("la_a_sw").get(url).status_code == 403
    assert as_user("prov_c_nurse").get(url).status_code == 200  # serves the child where placed
    assert as_user("la_b_sw").get(url).status_code == 404
    handed.referral.service.memberships.update(is_active=False)
    refused = nurse.post(
        url,
        {
            "service": handed.referral.service_id,
            "kind": "emotional_wellbeing",
            "urgency": "urgent",
            "reason": "Worse this week",
        },
    )
    assert "has no active contact on lachealth" in refused.content.decode()
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "status"), [("sysadmin", 200), ("la_a_data", 403), ("commissioner", 403)]
)
def test_handover_settings_are_for_system_administrators(handed, as_user, user, status):
    assert get(as_user(user), "handovers:settings_edit", "E08000032").status_code == status
    assert get(as_user(user), "handovers:settings_index").status_code == status


def test_settings_out_of_range_are_refused_and_good_ones_saved(handed, as_user):
    admin = as_user("sysadmin")
    url = reverse("handovers:settings_edit", args=[BRADFORD])
    values = {
        "send_working_days": 3,
        "health_request_working_days": 3,
        "move_working_days": 5,
        "legal_status_working_days": 5,
        "out_of_area_working_days": 0,
        "leaving_care_working_days": 10,
        "horizon_days": 30,
        "routine_referral_weeks": 18,
        "urgent_referral_weeks": 4,
    }
    refused = admin.post(url, values)
    assert refused.status_code == 200 and (
        "Working days to acknowledge an out-of-area notice must be 1 or more"
        in refused.content.decode()
    )
    assert not HandoverSettings.objects.exists()
    admin.post(url, values | {"out_of_area_working_days": 7})
    saved = HandoverSettings.objects.get(area_id=BRADFORD)
    assert saved.out_of_area_working_days == 7 and saved.history.count() == 1


def test_an_action_never_referred_opens_the_form_without_the_warning(handed, as_user, world):
    child = handed.referral.child
    fresh = plan_action(
        world, child, "Sleep", completed_on=date(2026, 11, 22), due_on=date(2026, 12, 18)
    )
    page = get(as_user("prov_a_nurse"), "handovers:referral_create", fresh.pk).content.decode()
    assert "Refer to a service" in page and 'id="already-referred"' not in page
