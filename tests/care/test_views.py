"""Care pages: who may reach what, the access log, forms refusing bad input, query counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lachealth.care.models import Child, Episode
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area, child_in_care

#: who sees which child (by name in the world fixture)
VISIBLE = {
    "la_a_sw": {"child_a", "child_a_out"},
    "la_a_data": {"child_a", "child_a_out"},
    "la_b_sw": {"child_b"},
    "la_c_sw": {"child_c"},
    "prov_a_nurse": {"child_a", "child_a_out"},
    "prov_a_admin": {"child_a", "child_a_out"},
    "prov_c_nurse": {"child_a_out", "child_c"},
    "icb_designated": {"child_a", "child_a_out", "child_b", "child_c"},
}
NO_CHILD_ACCESS = ["commissioner", "sysadmin", "norole"]
CHILD_PAGES = [
    "care:child_detail",
    "care:child_history",
    "care:child_edit",
    "care:change_create",
    "care:leaving_create",
    "care:period_create",
]


@pytest.mark.parametrize("page", ["care:child_list", "care:child_create", *CHILD_PAGES])
def test_anonymous_is_sent_to_sign_in(world, page):
    args = [world.children["child_a"].pk] if page in CHILD_PAGES else []
    response = Client().get(reverse(page, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:sign_in"))


def test_password_without_code_is_sent_to_the_code_step(world):
    client = Client()
    client.force_login(world.users["la_a_sw"])
    response = client.get(reverse("care:child_list"))
    assert response.status_code == 302 and response["Location"] == reverse("people:sign_in_code")


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_child_list_shows_exactly_the_children_the_policy_allows(world, as_user, user):
    response = as_user(user).get(reverse("care:child_list"))
    assert response.status_code == 200
    shown = {
        name
        for name, child in world.children.items()
        if reverse("care:child_detail", args=[child.pk]) in response.content.decode()
    }
    assert shown == VISIBLE[user]


@pytest.mark.parametrize("user", NO_CHILD_ACCESS)
@pytest.mark.parametrize("page", ["care:child_list", "care:child_create", *CHILD_PAGES])
def test_roles_without_child_access_get_403(world, as_user, user, page):
    args = [world.children["child_a"].pk] if page in CHILD_PAGES else []
    response = as_user(user).get(reverse(page, args=args))
    assert response.status_code == 403
    assert "nhsuk-header" in response.content.decode()
    assert "Ashby" not in response.content.decode()


@pytest.mark.parametrize("user", sorted(VISIBLE))
@pytest.mark.parametrize("child", ["child_a", "child_a_out", "child_b", "child_c"])
@pytest.mark.parametrize("page", ["care:child_detail", "care:child_history"])
def test_child_page_is_404_by_changed_url_and_logged_when_seen(world, as_user, user, child, page):
    target = world.children[child]
    response = as_user(user).get(reverse(page, args=[target.pk]))
    if child in VISIBLE[user]:
        assert response.status_code == 200
        assert target.last_name in response.content.decode()
        log = AccessLog.objects.get(child_id=target.pk, action="view")
        assert log.user == world.users[user] and log.ip_address == "127.0.0.1"
        assert log.organisation is not None
    else:
        assert response.status_code == 404
        assert target.last_name not in response.content.decode()
        assert not AccessLog.objects.filter(child_id=target.pk, action="view").exists()


@pytest.mark.parametrize("user", sorted(VISIBLE))
@pytest.mark.parametrize("page", CHILD_PAGES[2:])
def test_only_the_childs_la_reaches_the_recording_pages(world, as_user, user, page):
    child = world.children["child_a"]
    response = as_user(user).get(reverse(page, args=[child.pk]))
    if user in {"la_a_sw", "la_a_data"}:
        assert response.status_code == 200
    elif "child_a" in VISIBLE[user]:
        assert response.status_code == 403  # health sees the child but does not record care
    else:
        assert response.status_code == 404


POSTS = {
    "care:leaving_create": {"dec_0": "1", "dec_1": "2", "dec_2": "2025", "rec": "E4A"},
    "care:change_create": {
        "what": "legal_status",
        "decom_0": "1",
        "decom_1": "2",
        "decom_2": "2025",
        "ls": "C1",
    },
    "care:child_edit": {
        "la_child_id": "A1",
        "first_name": "X",
        "last_name": "Y",
        "date_of_birth_0": "1",
        "date_of_birth_1": "6",
        "date_of_birth_2": "2015",
        "sex": "F",
        "ethnicity": "WBRI",
    },
}


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 403),
        ("icb_designated", 403),
        ("la_b_sw", 404),
        ("la_c_sw", 404),
        ("prov_c_nurse", 404),
        ("commissioner", 403),
    ],
)
@pytest.mark.parametrize("page", sorted(POSTS))
def test_non_recorders_cannot_post_a_change(world, as_user, user, status, page):
    child = world.children["child_a"]
    before = (Episode.objects.count(), Child.history.count())
    response = as_user(user).post(reverse(page, args=[child.pk]), POSTS[page])
    assert response.status_code == status
    assert (Episode.objects.count(), Child.history.count()) == before
    assert Child.objects.get(pk=child.pk).looked_after


def test_create_form_is_only_for_la_staff(world, as_user):
    assert as_user("la_a_sw").get(reverse("care:child_create")).status_code == 200
    assert as_user("prov_a_nurse").get(reverse("care:child_create")).status_code == 403


ENTRY = {
    "responsible_area": BRADFORD,
    "la_child_id": "NEW9",
    "first_name": "Mo",
    "last_name": "Testchild",
    "date_of_birth_0": "14",
    "date_of_birth_1": "2",
    "date_of_birth_2": "2018",
    "sex": "M",
    "ethnicity": "WBRI",
    "nhs_number": "999 000 0018",
    "upn": "",
    "decom_0": "3",
    "decom_1": "11",
    "decom_2": "2026",
    "ls": "C1",
    "cin": "N1",
    "home_post": "bd5 0ab",
    "place": "U6",
    "place_provider": "PR1",
    "placement_area": BRADFORD,
    "pl_post": "BD71AA",
    "urn": "",
}


def test_a_boy_cannot_be_recorded_as_a_mother(world, as_user):
    response = as_user("la_a_sw").post(reverse("care:child_create"), ENTRY | {"mother": "yes"})
    assert "Only a girl or young woman is recorded as a mother" in response.content.decode()
    assert not Child.objects.filter(la_child_id="NEW9").exists()


def test_recording_whether_a_young_woman_is_a_mother(world, as_user):
    as_user("la_a_sw").post(reverse("care:child_create"), ENTRY | {"sex": "F", "mother": "no"})
    assert Child.objects.get(la_child_id="NEW9").mother is False


@time_machine.travel(datetime(2026, 11, 4, 9), tick=False)
def test_recording_entry_through_the_form(world, as_user):
    response = as_user("la_a_sw").post(reverse("care:child_create"), ENTRY)
    child = Child.objects.get(la_child_id="NEW9")
    assert response.status_code == 302
    # on, in one journey, to consent and the child's health request
    request = child.notifications.get(kind="health_request")
    assert response["Location"] == (
        reverse("handovers:notification_send", args=[request.pk]) + "?after=entry"
    )
    assert child.nhs_number == "9990000018"
    assert request.status == "awaiting_consent"
    episode = child.episodes.get()
    assert (episode.home_post, episode.pl_post) == ("BD5 0AB", "BD7 1AA")  # as SSDA903 spells


@time_machine.travel(datetime(2027, 1, 11, 9), tick=False)
def test_an_entry_recorded_long_after_it_asks_no_consent_and_opens_the_childs_page(world, as_user):
    response = as_user("la_a_sw").post(reverse("care:child_create"), ENTRY)
    child = Child.objects.get(la_child_id="NEW9")
    assert not child.notifications.exists()  # older than the area's horizon: nothing to send
    assert response["Location"] == reverse("care:child_detail", args=[child.pk])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nhs_number": "999 000 0019"}, "nhs_number", "valid NHS number"),
        ({"date_of_birth_2": "2030"}, "date_of_birth", "today or in the past"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "date_of_birth", "real date"),
        ({"decom_2": "2017"}, "decom", "date of birth"),
        ({"ls": "ZZ"}, "ls", "from the list"),
        ({"place": ""}, "place", "Choose the placement type"),
        ({"pl_post": "BD7"}, "pl_post", "Enter a full UK postcode"),
        ({"placement_area": "E99999999"}, "placement_area", "from the list"),
    ],
)
def test_bad_entry_shows_the_error_beside_the_field_and_saves_nothing(
    world, as_user, change, field, message
):
    before = (Child.objects.count(), Episode.objects.count())
    response = as_user("la_a_sw").post(reverse("care:child_create"), ENTRY | change)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "nhsuk-error-summary" in page
    assert message in page
    assert f'id="id_{field}' in page and "nhsuk-error-message" in page
    assert page.count("nhsuk-form-group--error") >= 1
    assert (Child.objects.count(), Episode.objects.count()) == before


def test_moving_out_of_area_through_the_form_shows_on_the_timeline(world, as_user):
    child = world.children["child_a"]
    client = as_user("la_a_sw")
    response = client.post(
        reverse("care:change_create", args=[child.pk]),
        {
            "what": "placement",
            "decom_0": "1",
            "decom_1": "6",
            "decom_2": "2025",
            "ls": "",
            "place": "K2",
            "place_provider": "PR4",
            "placement_area": CALDERDALE,
            "pl_post": "HX1 1AA",
            "urn": "SC123456",
            "same_carer": "no",
            "reason_place_change": "CARPL",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert "Placed out of area in Calderdale" in page
    assert "Change of placement and carer(s) only (P)" in page
    assert "Last changed by" in page


def test_a_change_dated_before_the_current_episode_is_refused_on_the_form(world, as_user):
    child = world.children["child_a"]
    response = as_user("la_a_sw").post(
        reverse("care:change_create", args=[child.pk]),
        {
            "what": "legal_status",
            "decom_0": "1",
            "decom_1": "1",
            "decom_2": "2024",
            "ls": "C1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "must be after 10 January 2024" in page and "overlap" in page
    assert child.episodes.count() == 1


def test_child_list_query_count_does_not_grow_with_children(world, as_user):
    client = as_user("prov_a_nurse")
    client.get(reverse("care:child_list"))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("care:child_list")).status_code == 200
        return len(ctx)

    few = count()
    for i in range(60):
        child_in_care(
            area(BRADFORD),
            area(CALDERDALE) if i % 3 else None,
            la_child_id=f"Q{i}",
            date_of_birth=date(2010, 1, 1),
        )
    assert count() == few


def test_search_is_logged(world, as_user):
    as_user("la_a_sw").get(reverse("care:child_list"), {"q": "Ashby"})
    assert AccessLog.objects.filter(action="search", detail__contains="Ashby").exists()


def test_error_summary_lists_problems_in_the_order_of_the_page(world, as_user):
    page = as_user("la_a_sw").post(reverse("care:child_create"), {}).content.decode()
    summary = page[page.index("nhsuk-error-summary__list") :]
    order = [
        summary.index(text)
        for text in (
            "Enter the LA child ID",
            "Enter the date of birth",
            "Enter the date the child started",
            "Choose the placement type",
        )
    ]
    assert order == sorted(order)


def test_opening_a_recording_form_is_logged_as_a_view(world, as_user):
    child = world.children["child_a"]
    as_user("la_a_sw").get(reverse("care:change_create", args=[child.pk]))
    assert AccessLog.objects.filter(
        child_id=child.pk, action="view", detail="change_create"
    ).exists()
