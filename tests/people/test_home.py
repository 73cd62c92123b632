"""Each role's home page shows its work as counts, and each count is what the list it links to
holds: a nurse's clocks, bookings today and notifications; a health administrator's unbooked
assessments; a practitioner's own initial assessments; a social worker's health requests
waiting for consent and the LA's actions; a designated professional's timeliness; a
service's referrals. Roles with no children see no counts."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lachealth.handovers import services as handovers
from lachealth.health import services as health
from lachealth.health.models import HealthAssessment, HealthPlanAction

from ..care.test_views import ENTRY
from ..conftest import CALDERDALE, sign_in
from ..factories import MembershipFactory
from ..handovers.helpers import camhs_with_clinician, enter_care, plan_action

NOW = datetime(2026, 11, 23, 9)  # a Monday
TODAY = NOW.date()
CARD = re.compile(
    r'<a class="nhsuk-card__link" href="([^"]+)"><span class="app-count__number">([^<]+)</span>'
    r' <span class="app-count__label">([^<]+)</span>'
)
DONE = {"completed_on": date(2026, 3, 2), "due_on": date(2026, 3, 9), "immunisations": "yes"}
CAPTION = re.compile(r'<caption class="nhsuk-table__caption">(?:[^<:]*: )?(\d+)')


def counts(client) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The home page's counts: label -> (number as shown, link)."""
    page = client.get("/").content.decode()
    return {
        label: (number, href.replace("&amp;", "&")) for href, number, label in CARD.findall(page)
    }


def listed(client, href: str) -> int:  # type: ignore[no-untyped-def]
    """How many rows the list a count links to says it holds (its table caption)."""
    page = client.get(href)
    assert page.status_code == 200, href
    return int(CAPTION.search(page.content.decode()).group(1))


@pytest.fixture
def busy(world):  # type: ignore[no-untyped-def]
    """A Bradford morning: a new child whose health request waits for consent, an
    appointment today and one next week, an overdue plan action for each side."""
    with time_machine.travel(datetime(2026, 11, 20, 9), tick=False):
        enter_care(world, decom=date(2026, 11, 20))
    child = world.children["child_a"]
    nurse = world.users["prov_a_nurse"]
    with time_machine.travel(datetime(2026, 11, 16, 9), tick=False):
        for day in (TODAY, date(2026, 11, 30)):
            health.book_appointment(
                by=nurse,
                child=child,
                kind="IHA",
                starts_at=timezone.make_aware(datetime(day.year, day.month, day.day, 14)),
                venue="Bradford clinic",
                practitioner=nurse,
            )
    action = plan_action(world, child, "Eyesight", **DONE)
    HealthPlanAction.objects.filter(pk=action.pk).update(due_on=date(2026, 11, 1))
    HealthPlanAction.objects.create(
        assessment=action.assessment,
        child=child,
        need="School",
        action="Ask the school for an EHCP review",
        owner=world.orgs["la_a"],
        owner_kind="la",
        due_on=date(2026, 10, 1),
    )
    return child


@time_machine.travel(NOW, tick=False)
def test_a_nurses_counts_are_what_their_lists_hold(world, as_user, busy):
    nurse = as_user("prov_a_nurse")
    found = counts(nurse)
    assert set(found) >= {
        "Clocks overdue",
        "Clocks due within 10 working days",
        "Assessments not booked, overdue or due in 4 weeks",
        "Appointments today",
        "Initial health assessments booked with you",
        "Actions your organisation follows up, overdue",
        "Notifications to acknowledge",
        "Notifications overdue for acknowledgement",
        "Referrals waiting to be seen",
    }
    for label, (number, href) in found.items():
        assert int(number) == listed(nurse, href), label
    assert found["Appointments today"][0] == "1"
    assert found["Initial health assessments booked with you"][0] == "2"
    assert found["Actions your organisation follows up, overdue"][0] == "1"
    assert int(found["Clocks overdue"][0]) > 0
    assert "app-count--urgent" in nurse.get("/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_health_administrator_sees_unbooked_assessments_but_books_no_one_of_their_own(
    world, as_user, busy
):
    admin = as_user("prov_a_admin")
    found = counts(admin)
    assert "Initial health assessments booked with you" not in found
    number, href = found["Assessments not booked, overdue or due in 4 weeks"]
    assert href == "/worklist/?booked=no" and int(number) == listed(admin, href)


@time_machine.travel(NOW, tick=False)
def test_a_social_workers_counts(world, as_user, busy):
    sw = as_user("la_a_sw")
    found = counts(sw)
    assert found["Health requests waiting for consent"][0] == "1"
    assert found["Actions your organisation follows up, overdue"][0] == "1"
    assert "Appointments today" not in found and "Notifications to acknowledge" not in found
    for label, (number, href) in found.items():
        assert int(number) == listed(sw, href), label
    # the LA's worklist holds its own children's clocks only
    worklist = sw.get("/worklist/").content.decode()
    assert f'href="/children/{world.children["child_a"].pk}/"' in worklist
    for other in ("child_b", "child_c"):
        assert f'href="/children/{world.children[other].pk}/"' not in worklist
    assert 'href="/children/' in worklist and "/book/" not in worklist


@time_machine.travel(NOW, tick=False)
def test_a_designated_professional_sees_timeliness(world, as_user):
    child = world.children["child_a"]
    for on, due in ((date(2026, 3, 2), date(2026, 3, 9)), (date(2026, 5, 4), date(2026, 4, 27))):
        HealthAssessment.objects.create(
            child=child if on.month == 3 else world.children["child_a_out"],
            kind="IHA",
            completed_on=on,
            due_on=due,
            provider=world.orgs["prov_a"],
            practitioner=world.users["prov_a_nurse"],
            professional="medical",
            immunisations="yes",
        )
    found = counts(as_user("icb_designated"))
    assert found["Initial health assessments on time, last 12 months"] == (
        "50% (1 of 2)",
        "/measures/",
    )


@time_machine.travel(NOW, tick=False)
def test_a_service_sees_referrals_to_acknowledge(world, as_user):
    camhs, clinician = camhs_with_clinician()
    action = plan_action(world, world.children["child_a"], "Low mood", **DONE)
    handovers.refer(
        by=world.users["prov_a_nurse"],
        action=action,
        kind="emotional_wellbeing",
        service=camhs,
        reason="Low mood",
        urgency="routine",
        as_of=TODAY,
    )
    service = sign_in(Client(), clinician)
    found = counts(service)
    assert found["Referrals to acknowledge"][0] == "1"
    for label, (number, href) in found.items():
        assert int(number) == listed(service, href), label


@pytest.mark.parametrize("user", ["commissioner", "sysadmin", "norole"])
def test_roles_without_children_see_no_counts(world, as_user, user):
    assert counts(as_user(user)) == {}


@time_machine.travel(NOW, tick=False)
def test_recording_a_child_entering_care_goes_on_to_consent_and_the_health_request(world, as_user):
    sw = as_user("la_a_sw")
    made = sw.post(
        "/children/new/",
        ENTRY | {"la_child_id": "J1", "decom_0": "23", "placement_area": CALDERDALE},
    )
    assert made.status_code == 302, re.findall(
        r"#([a-z_0-9-]+)\">\s*([^<]+)", made.content.decode()
    )
    assert made["Location"].endswith("/send/?after=entry")
    got = sw.get(made["Location"])
    assert got.status_code == 200, got.get("Location")
    form = got.content.decode()
    assert "Next, the health request" in form and 'name="after" value="entry"' in form
    sent = sw.post(
        made["Location"].split("?")[0],
        {
            "after": "entry",
            "consent_given_by": "parent",
            "consent_on_0": "23",
            "consent_on_1": "11",
            "consent_on_2": "2026",
        },
    )
    assert sent.status_code == 302 and re.fullmatch(r"/children/\d+/", sent["Location"])


def test_the_access_log_finds_a_child_as_the_child_list_does(world, as_user):
    child = world.children["child_a"]
    other = world.children["child_b"]
    as_user("la_a_sw").get(f"/children/{child.pk}/")
    as_user("la_b_sw").get(f"/children/{other.pk}/")
    # only among the children the reader's own roles see (Bradford's, as its social worker)
    sysadmin = world.users["sysadmin"]
    MembershipFactory(user=sysadmin, organisation=world.orgs["la_a"], role="social_worker")
    admin = as_user("sysadmin")
    for typed in (
        f"{child.first_name} {child.last_name}",
        f"{child.last_name}, {child.first_name}",
        f"{child.date_of_birth:%-d/%-m/%Y} {child.last_name}",
        child.la_child_id,
    ):
        page = admin.get("/admin/access-log/", {"child": typed}).content.decode()
        assert child.reference in page, typed
        assert other.reference not in page, typed
    nothing = admin.get("/admin/access-log/", {"child": "Nobody Atall"}).content.decode()
    assert child.reference not in nothing


@pytest.mark.parametrize(
    ("user", "worklist", "appointments"),
    [
        ("prov_a_nurse", True, True),
        ("icb_designated", True, True),
        ("la_a_sw", True, False),
        ("commissioner", False, False),
    ],
)
def test_the_header_leads_each_role_to_its_lists(world, as_user, user, worklist, appointments):
    header = as_user(user).get("/").content.decode().split("<main")[0]
    page = header
    assert ('href="/worklist/"' in page) is worklist
    assert ('href="/appointments/"' in page) is appointments
