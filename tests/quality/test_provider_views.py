"""The provider pages, for every role: providers, the visit timetable, the concerns register,
the children placed with a provider of concern and a child's joint funding. Allowed roles get
the page, other roles 403, another area's visit or concern 404, anonymous users sign in; child
lists are logged and commissioners see no child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from lachealth.care.models import Episode
from lachealth.people.models import AccessLog
from lachealth.quality import providers
from lachealth.quality.models import Concern, JointFunding, Provider, QualityAction, Visit

from ..conftest import BRADFORD, LEEDS

AS_OF = date(2026, 12, 2)
STAFF = [
    "la_a_sw",
    "la_a_data",
    "la_b_sw",
    "prov_a_nurse",
    "prov_a_admin",
    "icb_designated",
    "commissioner",
]
NOT_STAFF = ["sysadmin", "norole"]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


@dataclass
class Scene:
    home: Provider
    other: Provider
    bradford_visit: Visit
    leeds_visit: Visit
    bradford_concern: Concern
    leeds_concern: Concern


def split(name: str, day: date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def scene(world) -> Scene:  # type: ignore[no-untyped-def]
    def add(name: str, urn: str, where: str) -> Provider:
        return providers.add_provider(
            by=world.users["la_a_data"],
            name=name,
            kind="childrens_home",
            urn=urn,
            area_code=where,
            postcode="",
            opened_on=date(2020, 1, 1),
            as_of=AS_OF,
        )

    home, other = add("Willow House", "SC111111", BRADFORD), add("Oak Lodge", "SC222222", LEEDS)
    Episode.objects.filter(child=world.children["child_a"]).update(urn=home.urn)
    Episode.objects.filter(child=world.children["child_b"]).update(urn=home.urn)

    def visit(who: str, org: str, where: str, on: date) -> Visit:
        return providers.schedule_visit(
            by=world.users[who],
            provider=home,
            organisation=world.orgs[org],
            area_code=where,
            planned_on=on,
            purpose="Annual quality visit",
            as_of=AS_OF,
        )

    def concern(who: str, org: str, where: str, summary: str) -> Concern:
        return providers.raise_concern(
            by=world.users[who],
            provider=home,
            area_code=where,
            raised_by=world.orgs[org],
            raised_on=date(2026, 11, 20),
            severity="serious",
            summary=summary,
            details="",
            as_of=AS_OF,
        )

    return Scene(
        home=home,
        other=other,
        bradford_visit=visit("la_a_data", "la_a", BRADFORD, date(2026, 11, 30)),
        leeds_visit=visit("la_b_data", "la_b", LEEDS, date(2026, 12, 3)),
        bradford_concern=concern("la_a_sw", "la_a", BRADFORD, "Restraint not recorded"),
        leeds_concern=concern("la_b_sw", "la_b", LEEDS, "Missing overnight twice"),
    )


def status(client: Client, url: str) -> int:
    return client.get(url).status_code


# --- who reaches each page ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["providers", "timetable", "concerns", "concern_raise"])
def test_every_staff_role_reaches_the_lists_and_no_one_else(world, as_user, scene, name):
    url = reverse(f"quality:{name}")
    for who in STAFF:
        assert status(as_user(who), url) == 200, who
    for who in NOT_STAFF:
        assert status(as_user(who), url) == 403, who


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        (
            "provider_add",
            ["la_a_sw", "la_a_data", "commissioner", "icb_designated"],
            ["prov_a_nurse", "prov_a_admin", "sysadmin", "norole"],
        ),
        (
            "visit_schedule",
            ["la_a_data", "la_b_data", "commissioner", "icb_designated"],
            ["la_a_sw", "prov_a_nurse", "prov_a_admin", "sysadmin"],
        ),
        (
            "placed_with_concerns",
            ["prov_a_nurse", "prov_a_admin", "prov_c_nurse", "icb_designated"],
            ["la_a_sw", "la_a_data", "commissioner", "sysadmin"],
        ),
    ],
)
def test_pages_for_some_roles(world, as_user, scene, name, allowed, refused):
    url = reverse(f"quality:{name}")
    for who in allowed:
        assert status(as_user(who), url) == 200, who
    for who in refused:
        assert status(as_user(who), url) == 403, who


def test_a_provider_page_is_national_and_its_edit_page_for_editors(world, as_user, scene):
    page, edit = (
        reverse(f"quality:{n}", args=[scene.other.pk]) for n in ("provider", "provider_edit")
    )
    for who in STAFF:
        assert status(as_user(who), page) == 200, who
    for who in NOT_STAFF:
        assert status(as_user(who), page) == 403, who
    for who in ("la_b_sw", "commissioner", "icb_designated"):
        assert status(as_user(who), edit) == 200, who
    for who in ("prov_a_nurse", "sysadmin"):
        assert status(as_user(who), edit) == 403, who
    assert status(as_user("la_a_sw"), reverse("quality:provider", args=[999])) == 404


def test_another_areas_visit_is_not_found(world, as_user, scene):
    bradford = reverse("quality:visit", args=[scene.bradford_visit.pk])
    leeds = reverse("quality:visit", args=[scene.leeds_visit.pk])
    for who in ("la_a_sw", "prov_a_nurse", "icb_designated", "commissioner"):
        assert status(as_user(who), bradford) == 200, who
    assert status(as_user("la_b_sw"), bradford) == 404
    assert status(as_user("prov_c_nurse"), bradford) == 404
    assert status(as_user("la_a_sw"), leeds) == 404
    assert status(as_user("la_b_sw"), leeds) == 200
    assert status(as_user("sysadmin"), bradford) == 403


@pytest.mark.parametrize("name", ["visit_outcome", "visit_cancel"])
def test_only_the_visiting_organisation_records_or_cancels(world, as_user, scene, name):
    url = reverse(f"quality:{name}", args=[scene.bradford_visit.pk])
    for who in ("la_a_sw", "la_a_data"):
        assert status(as_user(who), url) == 200, who
    for who in ("icb_designated", "commissioner", "prov_a_nurse", "sysadmin"):
        assert status(as_user(who), url) == 403, who
    assert status(as_user("la_b_sw"), url) == 404


def test_another_areas_concern_is_not_found_unless_told(world, as_user, scene):
    url = reverse("quality:concern", args=[scene.bradford_concern.pk])
    update = reverse("quality:concern_update", args=[scene.bradford_concern.pk])
    assert status(as_user("la_a_sw"), url) == 200
    assert status(as_user("la_b_sw"), url) == 404
    assert status(as_user("la_b_sw"), update) == 404
    scene.bradford_concern.told.add(scene.leeds_concern.raised_by)
    assert status(as_user("la_b_sw"), url) == 200
    assert status(as_user("la_b_sw"), update) == 403  # told, but not one who updates it
    for who in ("la_a_sw", "la_a_data", "icb_designated", "commissioner"):
        assert status(as_user(who), update) == 200, who
    for who in ("prov_a_nurse", "prov_a_admin", "sysadmin"):
        assert status(as_user(who), update) == 403, who


def test_joint_funding_is_for_the_childs_la_and_designated_professionals(world, as_user, scene):
    url = reverse("quality:joint_funding", args=[world.children["child_a"].pk])
    for who in ("la_a_sw", "la_a_data", "icb_designated"):
        assert status(as_user(who), url) == 200, who
    for who in ("prov_a_nurse", "prov_a_admin", "commissioner", "sysadmin"):
        assert status(as_user(who), url) == 403, who
    assert status(as_user("la_b_sw"), url) == 404
    assert AccessLog.objects.filter(
        user=world.users["la_a_sw"], child_id=world.children["child_a"].pk, action="view"
    ).exists()


def test_anonymous_users_are_sent_to_sign_in(world, scene):
    child = world.children["child_a"].pk
    for url in [
        reverse("quality:providers"),
        reverse("quality:provider_add"),
        reverse("quality:provider", args=[scene.home.pk]),
        reverse("quality:provider_edit", args=[scene.home.pk]),
        reverse("quality:timetable"),
        reverse("quality:visit_schedule"),
        reverse("quality:visit", args=[scene.bradford_visit.pk]),
        reverse("quality:visit_outcome", args=[scene.bradford_visit.pk]),
        reverse("quality:visit_cancel", args=[scene.bradford_visit.pk]),
        reverse("quality:concerns"),
        reverse("quality:concern_raise"),
        reverse("quality:concern", args=[scene.bradford_concern.pk]),
        reverse("quality:concern_update", args=[scene.bradford_concern.pk]),
        reverse("quality:placed_with_concerns"),
        reverse("quality:joint_funding", args=[child]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


# --- what the pages show -----------------------------------------------------------------


def test_the_provider_page_shows_children_only_to_those_who_see_them_and_logs_it(
    world, as_user, scene
):
    url = reverse("quality:provider", args=[scene.home.pk])
    page = as_user("la_a_sw").get(url).content.decode()
    assert "Ashby" in page and "Bexley" not in page  # Leeds's child, placed there too
    assert "2 open serious concerns" in page
    assert "Restraint not recorded" in page  # on Bradford's register: reachable
    assert "ask LA B for the details" in page and "Missing overnight twice" not in page
    logged = AccessLog.objects.filter(user=world.users["la_a_sw"], action="view")
    assert list(logged.values_list("child_id", "detail")) == [
        (world.children["child_a"].pk, "placed with Willow House")
    ]
    page = as_user("commissioner").get(url).content.decode()
    assert "Ashby" not in page and "Bexley" not in page and "Children placed here" not in page
    assert "Missing overnight twice" in page  # the ICB serves Leeds too
    assert not AccessLog.objects.filter(user=world.users["commissioner"], action="view").exists()


def test_the_timetable_flags_a_chance_to_visit_together(world, as_user, scene):
    providers.schedule_visit(
        by=world.users["icb_designated"],
        provider=scene.home,
        organisation=world.orgs["icb"],
        area_code=BRADFORD,
        planned_on=date(2026, 12, 8),
        purpose="Health needs review",
        as_of=AS_OF,
    )
    page = as_user("la_a_sw").get(reverse("quality:timetable"), {"month": "2026-12"})
    text = page.content.decode()
    assert "Chance to visit together" in text and "LA A, 30 November 2026" in text
    assert "LA B, 3 December 2026" in text  # Leeds's visit, named but not a link for Bradford
    assert reverse("quality:visit", args=[scene.leeds_visit.pk]) not in text
    november = as_user("la_a_sw").get(reverse("quality:timetable"), {"month": "2026-11"})
    assert "ICB, 8 December 2026" in november.content.decode()
    filtered = as_user("la_a_sw").get(
        reverse("quality:timetable"), {"month": "2026-12", "provider": scene.other.pk}
    )
    assert "0 visits in December 2026" in filtered.content.decode()


def test_health_teams_see_children_placed_with_a_provider_of_concern_logged(world, as_user, scene):
    page = as_user("prov_a_nurse").get(reverse("quality:placed_with_concerns")).content.decode()
    assert "Ashby" in page and "Bexley" not in page
    assert AccessLog.objects.filter(
        user=world.users["prov_a_nurse"],
        child_id=world.children["child_a"].pk,
        detail="placed with a provider with an open serious concern",
    ).exists()
    home = as_user("prov_a_nurse").get(reverse("home")).content.decode()
    assert "Children placed with a provider with an open serious concern" in home
    child = as_user("la_a_sw").get(
        reverse("care:child_detail", args=[world.children["child_a"].pk])
    )
    text = child.content.decode()
    assert "Placed with" in text and "2 open serious concerns about this provider" in text
    assert "Record joint funding" in text


def test_commissioner_pages_show_no_child(world, as_user, scene):
    commissioner = as_user("commissioner")
    for url in [
        reverse("quality:providers"),
        reverse("quality:provider", args=[scene.home.pk]),
        reverse("quality:timetable") + "?month=2026-12",
        reverse("quality:concerns"),
        reverse("quality:concern", args=[scene.bradford_concern.pk]),
        reverse("quality:visit", args=[scene.bradford_visit.pk]),
    ]:
        page = commissioner.get(url).content.decode()
        for name in ("Ashby", "Outram", "Bexley", "Calder"):
            assert name not in page, (url, name)


# --- writing through the pages -----------------------------------------------------------


def test_adding_and_changing_a_provider(world, as_user, scene):
    client = as_user("commissioner")
    data = {
        "name": "Beech Court",
        "kind": "supported",
        "urn": "SC333333",
        "area": LEEDS,
        "postcode": "ls1 4ap",
    } | split("opened_on", date(2018, 5, 1))
    response = client.post(reverse("quality:provider_add"), data)
    made = Provider.objects.get(urn="SC333333")
    assert response["Location"] == reverse("quality:provider", args=[made.pk])
    refused = client.post(reverse("quality:provider_add"), data | {"name": "Again"})
    assert "Ofsted URN SC333333 is already Beech Court&#39;s" in refused.content.decode()
    assert Provider.objects.filter(urn="SC333333").count() == 1
    response = client.post(
        reverse("quality:provider_edit", args=[made.pk]), data | {"name": "Beech Court Flats"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.name == "Beech Court Flats"


def test_scheduling_a_visit_before_the_provider_opened_is_refused_with_the_reason(
    world, as_user, scene
):
    client = as_user("la_a_data")
    data = {"provider": scene.home.pk, "purpose": "Annual visit"} | split(
        "planned_on", date(2019, 6, 1)
    )
    page = client.post(reverse("quality:visit_schedule"), data).content.decode()
    assert "The visit date must be on or after 1 January 2020, when Willow House opened" in page
    assert Visit.objects.count() == 2
    response = client.post(
        reverse("quality:visit_schedule"), data | split("planned_on", date(2027, 2, 1))
    )
    made = Visit.objects.latest("pk")
    assert response["Location"] == reverse("quality:visit", args=[made.pk])
    assert (made.organisation, made.area_id) == (world.orgs["la_a"], BRADFORD)  # the only ones


def test_the_icb_chooses_whose_timetable(world, as_user, scene):
    client = as_user("icb_designated")
    data = {"provider": scene.home.pk, "purpose": "Review"} | split("planned_on", date(2027, 1, 4))
    page = client.post(reverse("quality:visit_schedule"), data).content.decode()
    assert "Choose whose timetable the visit is on" in page
    response = client.post(reverse("quality:visit_schedule"), data | {"area": LEEDS})
    assert response.status_code == 302
    assert Visit.objects.latest("pk").area_id == LEEDS


def test_recording_a_visit_and_its_actions(world, as_user, scene):
    client = as_user("la_a_data")
    url = reverse("quality:visit_outcome", args=[scene.bradford_visit.pk])
    data = {
        "visitors": "Dani Data (LA quality officer)",
        "findings": "Medication records incomplete.",
        "outcome": "requires_improvement",
        "action_1_text": "Audit medication records",
        "action_1_owner": "Registered manager",
        "action_2_text": "Book dental checks",
    } | split("action_1_due", date(2027, 1, 15))
    page = client.post(url, data).content.decode()
    assert "Say who owns action 2" in page and "Enter when action 2 is due" in page
    assert not QualityAction.objects.exists()
    del data["action_2_text"]
    # Only the third row filled, due before the visit: the refusal is beside that row.
    third = {k: v for k, v in data.items() if not k.startswith("action_1_")}
    third |= {"action_3_text": "Check", "action_3_owner": "Manager"}
    page = client.post(url, third | split("action_3_due", date(2026, 11, 1))).content.decode()
    summary = " ".join(page[page.index("nhsuk-error-summary__list") :].split())[:300]
    assert (
        '<a href="#id_action_3_due_0" > The due date must be on or after 30 November 2026, the '
        "date of the visit </a>" in summary
    )
    assert client.post(url, data).status_code == 302
    visit = Visit.objects.get(pk=scene.bradford_visit.pk)
    assert visit.status == "done" and visit.actions.get().owner == "Registered manager"
    shown = client.get(reverse("quality:visit", args=[visit.pk])).content.decode()
    assert "Audit medication records" in shown and "Requires improvement" in shown
    page = client.post(url, data | {"findings": "x" * 3001}).content.decode()
    assert "must be 3000 characters or fewer" in page
    assert Visit.objects.get(pk=visit.pk).findings == "Medication records incomplete."


def test_a_visit_not_yet_made_cannot_be_recorded_but_can_be_cancelled(world, as_user, scene):
    client = as_user("la_b_sw")
    url = reverse("quality:visit_outcome", args=[scene.leeds_visit.pk])
    page = client.post(
        url, {"visitors": "Sam", "findings": "Fine", "outcome": "good"}
    ).content.decode()
    assert (
        "The visit is planned for 3 December 2026: record what it found on the day or after" in page
    )
    cancel = reverse("quality:visit_cancel", args=[scene.leeds_visit.pk])
    assert "Say why the visit is cancelled" in client.post(cancel, {}).content.decode()
    assert client.post(cancel, {"reason": "Home closed for refurbishment"}).status_code == 302
    assert Visit.objects.get(pk=scene.leeds_visit.pk).status == "cancelled"


def test_raising_and_updating_a_concern(world, as_user, scene):
    client = as_user("prov_a_nurse")
    data = {
        "provider": scene.other.pk,
        "severity": "moderate",
        "summary": "Appointments missed",
        "details": "",
        "told": [world.orgs["la_a"].pk],
        "told_other": world.orgs["la_b"].pk,
    } | split("raised_on", date(2026, 12, 3))
    page = client.post(reverse("quality:concern_raise"), data).content.decode()
    assert "The date raised must be today or in the past" in page
    response = client.post(reverse("quality:concern_raise"), data | split("raised_on", AS_OF))
    made = Concern.objects.latest("pk")
    assert response["Location"] == reverse("quality:concern", args=[made.pk])
    assert (made.area_id, made.raised_by) == (BRADFORD, world.orgs["prov_a"])
    assert set(made.told.all()) == {world.orgs["la_a"], world.orgs["la_b"]}
    assert status(as_user("la_b_sw"), response["Location"]) == 200  # told

    update = reverse("quality:concern_update", args=[made.pk])
    page = client.post(update, {"status": "open"}).content.decode()
    assert "Nothing was changed" in page
    response = client.post(
        update,
        {"status": "monitoring", "action_1_text": "Follow-up visit", "action_1_owner": "ICB"}
        | split("action_1_due", date(2027, 1, 20)),
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == "monitoring" and made.actions.count() == 1


def test_recording_and_ending_joint_funding(world, as_user, scene):
    child = world.children["child_a"]
    client = as_user("la_a_sw")
    url = reverse("quality:joint_funding", args=[child.pk])
    data = (
        {
            "form": "new",
            "council_share": "70",
            "council_responsibilities": "Fees and education",
            "icb_responsibilities": "Therapy",
        }
        | split("starts_on", date(2026, 4, 1))
        | split("agreed_on", date(2026, 3, 1))
    )
    assert client.post(url, data)["Location"] == reverse("care:child_detail", args=[child.pk])
    funding = JointFunding.objects.get()
    assert (funding.council, funding.icb, funding.council_share) == (
        world.orgs["la_a"],
        world.orgs["icb"],
        70,
    )
    page = client.post(url, data | split("starts_on", date(2026, 9, 1))).content.decode()
    assert "The agreement from 1 April 2026 with no end date overlaps this one" in page
    page = client.post(url, data | {"council_share": "120"}).content.decode()
    assert "The council&#39;s share must be between 0 and 100%" in page
    assert JointFunding.objects.count() == 1
    ended = client.post(url, {"form": "end"} | split("ends_on", date(2026, 12, 31)))
    assert ended.status_code == 302
    funding.refresh_from_db()
    assert funding.ends_on == date(2026, 12, 31)
    shown = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert "LA A 70%, ICB 30%" in shown and "Change the joint funding" in shown
