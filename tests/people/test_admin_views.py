"""System administration: organisations, users and roles, the access log; only for admins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lachealth.people.models import AccessLog, Membership, Organisation, Role, RoleRequest, User

from ..conftest import BRADFORD, LEEDS

ADMIN_PAGES = [
    "people:organisation_list",
    "people:organisation_create",
    "people:user_list",
    "people:user_create",
    "people:access_log",
]
NOT_ADMINS = [
    "la_a_sw",
    "la_a_data",
    "prov_a_nurse",
    "prov_a_admin",
    "icb_designated",
    "commissioner",
    "norole",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_are_for_system_administrators_only(world, as_user, page):
    assert as_user("sysadmin").get(reverse(page)).status_code == 200
    for user in NOT_ADMINS:
        assert as_user(user).get(reverse(page)).status_code == 403, user
    response = Client().get(reverse(page))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_detail_pages_are_for_system_administrators_only(world, as_user):
    org = world.orgs["la_a"]
    user = world.users["la_a_sw"]
    for page, pk in [("people:organisation_edit", org.pk), ("people:user_detail", user.pk)]:
        assert as_user("sysadmin").get(reverse(page, args=[pk])).status_code == 200
        assert as_user("la_a_sw").get(reverse(page, args=[pk])).status_code == 403


def test_admin_creates_an_organisation_tied_to_areas(world, as_user):
    response = as_user("sysadmin").post(
        reverse("people:organisation_create"),
        {
            "name": "Leeds Community Healthcare LAC team",
            "kind": "PROVIDER",
            "ods_code": "RY6",
            "areas": [LEEDS, BRADFORD],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Leeds Community Healthcare LAC team")
    assert set(org.areas.values_list("code", flat=True)) == {LEEDS, BRADFORD}
    assert AccessLog.objects.filter(
        action="admin", detail__contains="created organisation"
    ).exists()


def test_organisation_without_areas_is_refused(world, as_user):
    response = as_user("sysadmin").post(
        reverse("people:organisation_create"),
        {
            "name": "No areas",
            "kind": "ICB",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Choose at least one area" in response.content.decode()
    assert not Organisation.objects.filter(name="No areas").exists()


def test_admin_adds_a_user_then_gives_two_roles_in_two_organisations(world, as_user):
    client = as_user("sysadmin")
    response = client.post(
        reverse("people:user_create"),
        {
            "username": "new.nurse@example.org",
            "first_name": "Nell",
            "last_name": "Nurse",
            "email": "new.nurse@example.org",
            "password": "a-long-temporary-pass",
        },
    )
    user = User.objects.get(username="new.nurse@example.org")
    assert response["Location"] == reverse("people:user_detail", args=[user.pk])
    detail = reverse("people:user_detail", args=[user.pk])
    client.post(
        detail,
        {"form": "role", "organisation": world.orgs["prov_a"].pk, "role": Role.HEALTH_PRACTITIONER},
    )
    client.post(
        detail,
        {
            "form": "role",
            "organisation": world.orgs["icb"].pk,
            "role": Role.DESIGNATED_PROFESSIONAL,
        },
    )
    # Both roles reach children: each waits for a second administrator (test_two_person_rule).
    assert not Membership.objects.filter(user=user, is_active=True).exists()
    assert set(RoleRequest.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.HEALTH_PRACTITIONER,
        Role.DESIGNATED_PROFESSIONAL,
    }
    assert user.must_change_password


def test_a_role_the_organisation_cannot_grant_is_refused(world, as_user):
    user = world.users["norole"]
    response = as_user("sysadmin").post(
        reverse("people:user_detail", args=[user.pk]),
        {
            "form": "role",
            "organisation": world.orgs["la_a"].pk,
            "role": Role.HEALTH_PRACTITIONER,
        },
    )
    assert response.status_code == 200
    assert "cannot grant the role" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_weak_password_is_refused(world, as_user):
    response = as_user("sysadmin").post(
        reverse("people:user_create"),
        {
            "username": "weak",
            "first_name": "W",
            "last_name": "P",
            "email": "w@example.org",
            "password": "short",
        },
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_revoking_a_role_removes_access(world, as_user):
    membership = Membership.objects.get(user=world.users["la_a_sw"])
    as_user("sysadmin").post(
        reverse("people:user_detail", args=[membership.user_id]),
        {"form": "revoke", "membership": membership.pk},
    )
    membership.refresh_from_db()
    assert not membership.is_active
    assert as_user("la_a_sw").get(reverse("care:child_list")).status_code == 403


def test_access_log_is_searchable_by_user_child_and_date(world, as_user):
    child = world.children["child_a"]
    as_user("la_a_sw").get(reverse("care:child_detail", args=[child.pk]))
    as_user("prov_c_nurse").get(reverse("care:child_detail", args=[world.children["child_c"].pk]))
    admin = as_user("sysadmin")
    page = admin.get(reverse("people:access_log"), {"user": "la_a_sw"}).content.decode()
    record = 'aria-hidden="true">Record </span>{}</td>'  # the record's number, not who they are
    assert record.format(child.pk) in page and child.reference not in page
    assert record.format(world.children["child_c"].pk) not in page
    # A pure administrator finds a child by the record's number, not its reference.
    page = admin.get(reverse("people:access_log"), {"child": str(child.pk)}).content.decode()
    assert "la_a_sw" in page and "prov_c_nurse" not in page
    page = admin.get(
        reverse("people:access_log"),
        {
            "date_from_0": "1",
            "date_from_1": "1",
            "date_from_2": "2001",
            "date_to_0": "31",
            "date_to_1": "12",
            "date_to_2": "2001",
        },
    ).content.decode()
    assert "0 entries" in page
    csv = admin.get(reverse("people:access_log"), {"child": str(child.pk), "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and f",{child.pk}," in csv.content.decode()
    assert child.reference not in csv.content.decode()
    assert AccessLog.objects.filter(action="export", detail="access log CSV").exists()


def test_access_log_refuses_a_backwards_date_range(world, as_user):
    response = as_user("sysadmin").get(
        reverse("people:access_log"),
        {
            "date_from_0": "2",
            "date_from_1": "1",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "1",
            "date_to_2": "2026",
        },
    )
    assert "must be on or after" in response.content.decode()


def test_an_administrator_cannot_give_themselves_a_role(world, as_user):
    admin = world.users["sysadmin"]
    response = as_user("sysadmin").post(
        reverse("people:user_detail", args=[admin.pk]),
        {"form": "role", "organisation": world.orgs["la_a"].pk, "role": Role.SOCIAL_WORKER},
    )
    assert "You cannot give yourself a role" in response.content.decode()
    assert not Membership.objects.filter(user=admin, role=Role.SOCIAL_WORKER).exists()
    assert as_user("sysadmin").get(reverse("care:child_list")).status_code == 403


def test_access_log_csv_neutralises_spreadsheet_formulas(world, as_user):
    Client().post(
        reverse("people:sign_in"),
        {"username": '=HYPERLINK("http://x")', "password": "wrong-password"},
    )
    csv = as_user("sysadmin").get(reverse("people:access_log"), {"format": "csv"})
    body = csv.content.decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
