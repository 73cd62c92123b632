"""One administrator alone cannot reach a child: a role that reaches children (or administers
lachealth) waits for a second administrator, and an authenticator reset for the user's own
confirmation or a second administrator (people/approvals.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.people.models import (
    AccessLog,
    AuthenticatorReset,
    Decision,
    Membership,
    Role,
    RoleRequest,
    User,
)

from ..conftest import sign_in
from ..factories import MembershipFactory, TOTPDeviceFactory


def ask(client: Client, person, organisation, role):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("people:user_detail", args=[person.pk]),
        {"form": "role", "organisation": organisation.pk, "role": role},
        follow=True,
    )


def decide(client: Client, asked, decision: str, kind: str = "role"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("people:waiting"),
        {"kind": kind, "pk": asked.pk, "decision": decision},
        follow=True,
    )


@pytest.fixture
def admins(world):  # type: ignore[no-untyped-def]
    """A second administrator at LA A (the world's `sysadmin` is the first) and one at
    Provider A."""
    return {
        "la_a": MembershipFactory(organisation=world.orgs["la_a"], role=Role.SYSTEM_ADMIN).user,
        "prov_a": MembershipFactory(organisation=world.orgs["prov_a"], role=Role.SYSTEM_ADMIN).user,
    }


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.DATA_OFFICER, Role.SYSTEM_ADMIN], ids=str
)
def test_a_role_that_reaches_children_waits_for_a_second_administrator(world, as_user, role):
    person = world.users["norole"]
    page = ask(as_user("sysadmin"), person, world.orgs["la_a"], role).content.decode()
    assert "given once another system administrator approves it (an administrator of LA A" in page
    assert not Membership.objects.filter(user=person).exists()
    asked = RoleRequest.objects.get(user=person, role=role)
    assert asked.status == Decision.PENDING
    assert AccessLog.objects.filter(
        action="admin", detail__startswith="asked for", detail__contains=f"request {asked.pk}"
    ).exists()
    # The waiting role is not a role: the person still sees no child.
    assert sign_in(Client(), person).get(reverse("care:child_list")).status_code == 403


def test_a_commissioners_role_sees_no_child_and_is_given_at_once(world, as_user):
    person = world.users["norole"]
    page = ask(as_user("sysadmin"), person, world.orgs["icb"], Role.COMMISSIONER)
    assert "Role added" in page.content.decode()
    assert Membership.objects.filter(user=person, role=Role.COMMISSIONER, is_active=True).exists()
    assert not RoleRequest.objects.exists()


def test_the_organisations_other_administrator_approves_and_the_role_is_given(
    world, as_user, admins
):
    person = world.users["norole"]
    ask(as_user("sysadmin"), person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    asked = RoleRequest.objects.get(user=person)
    second = sign_in(Client(), admins["la_a"])
    assert "LA social worker at LA A for" in second.get(reverse("people:waiting")).content.decode()
    page = decide(second, asked, "approve").content.decode()
    assert "Role given" in page
    assert Membership.objects.filter(user=person, role=Role.SOCIAL_WORKER, is_active=True).exists()
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == (Decision.APPROVED, admins["la_a"])
    assert AccessLog.objects.filter(
        user=admins["la_a"], detail__contains=f"(request {asked.pk} by sysadmin)"
    ).exists()
    # Now they reach LA A's children, and no one else's.
    reached = sign_in(Client(), person)
    assert (
        reached.get(reverse("care:child_detail", args=[world.children["child_a"].pk])).status_code
        == 200
    )
    assert (
        reached.get(reverse("care:child_detail", args=[world.children["child_b"].pk])).status_code
        == 404
    )
    # A decided request cannot be decided again.
    page = decide(second, asked, "decline").content.decode()
    assert "already been decided" in page
    assert Membership.objects.filter(user=person, is_active=True).count() == 1


def test_nobody_approves_their_own_request_one_about_themselves_or_another_organisations(
    world, as_user, admins
):
    person = world.users["norole"]
    ask(as_user("sysadmin"), person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    asked = RoleRequest.objects.get(user=person)
    # the one who asked; an administrator of another organisation while LA A has its own
    for who in (as_user("sysadmin"), sign_in(Client(), admins["prov_a"])):
        response = decide(who, asked, "approve")
        assert response.status_code == 403
    # a non-administrator
    assert decide(as_user("la_a_sw"), asked, "approve").status_code == 403
    assert not Membership.objects.filter(user=person).exists()
    # the subject, even an administrator, cannot approve a role for themselves
    ask(sign_in(Client(), admins["la_a"]), admins["prov_a"], world.orgs["la_a"], Role.DATA_OFFICER)
    about_them = RoleRequest.objects.get(user=admins["prov_a"])
    assert decide(sign_in(Client(), admins["prov_a"]), about_them, "approve").status_code == 403
    assert not Membership.objects.filter(user=admins["prov_a"], role=Role.DATA_OFFICER).exists()
    assert RoleRequest.objects.filter(status=Decision.PENDING).count() == 2


def test_an_organisation_without_another_administrator_is_approved_by_any_other(
    world, as_user, admins
):
    """The ICB has no administrator: any other system administrator approves."""
    person = world.users["norole"]
    ask(as_user("sysadmin"), person, world.orgs["icb"], Role.DESIGNATED_PROFESSIONAL)
    asked = RoleRequest.objects.get(user=person)
    decide(sign_in(Client(), admins["prov_a"]), asked, "approve")
    assert Membership.objects.filter(user=person, organisation=world.orgs["icb"]).exists()


def test_declined_and_withdrawn_requests_give_nothing(world, as_user, admins):
    person = world.users["norole"]
    first = as_user("sysadmin")
    ask(first, person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    ask(first, person, world.orgs["la_a"], Role.DATA_OFFICER)
    social, data = (
        RoleRequest.objects.get(role=Role.SOCIAL_WORKER),
        RoleRequest.objects.get(role=Role.DATA_OFFICER),
    )
    decide(sign_in(Client(), admins["la_a"]), social, "decline")
    decide(first, data, "decline")
    social.refresh_from_db()
    data.refresh_from_db()
    assert (social.status, data.status) == (Decision.DECLINED, Decision.WITHDRAWN)
    assert not Membership.objects.filter(user=person).exists()


def test_the_same_role_asked_for_twice_is_refused_naming_it(world, as_user):
    person = world.users["norole"]
    client = as_user("sysadmin")
    ask(client, person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    page = ask(client, person, world.orgs["la_a"], Role.SOCIAL_WORKER).content.decode()
    assert "already waiting for a second administrator" in page
    assert RoleRequest.objects.count() == 1


def test_an_unknown_decision_changes_nothing(world, as_user):
    person = world.users["norole"]
    ask(as_user("sysadmin"), person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    response = as_user("sysadmin").post(
        reverse("people:waiting"), {"kind": "role", "pk": "x", "decision": "grant"}, follow=True
    )
    assert "Choose Approve or Decline" in response.content.decode()
    assert RoleRequest.objects.get().status == Decision.PENDING


# ---- authenticator resets ------------------------------------------------------------------


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def ask_reset(client: Client, person) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("people:user_detail", args=[person.pk]), {"form": "reset_2fa"})


def test_a_reset_waits_for_the_users_confirmation_with_their_password(world, as_user):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    ask_reset(as_user("sysadmin"), person)
    assert TOTPDevice.objects.filter(user=person).exists()
    (message,) = mail.outbox
    assert message.to == [person.email]
    url = link_in(message)
    anonymous = Client()
    assert "Confirm the reset" in anonymous.get(url).content.decode()
    # A wrong password is refused and logged; the app still works.
    page = anonymous.post(url, {"password": "not-their-password"}).content.decode()
    assert "The password is not right" in page
    assert TOTPDevice.objects.filter(user=person).exists()
    assert AccessLog.objects.filter(
        action="sign_in_failed", detail__contains="authenticator reset"
    ).exists()
    response = anonymous.post(url, {"password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == reverse("people:sign_in")
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuthenticatorReset.objects.get().status == Decision.CONFIRMED
    # The link works once.
    assert "does not work any more" in anonymous.get(url).content.decode()


def test_a_second_administrator_approves_a_reset_the_first_cannot(world, as_user, admins):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    ask_reset(as_user("sysadmin"), person)
    reset = AuthenticatorReset.objects.get()
    assert decide(as_user("sysadmin"), reset, "approve", kind="reset").status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()
    decide(sign_in(Client(), admins["prov_a"]), reset, "approve", kind="reset")
    assert not TOTPDevice.objects.filter(user=person).exists()
    reset.refresh_from_db()
    assert (reset.status, reset.decided_by) == (Decision.APPROVED, admins["prov_a"])


def test_an_expired_link_does_nothing_and_a_new_reset_can_be_asked(world, as_user):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    ask_reset(as_user("sysadmin"), person)
    url = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        page = Client().post(url, {"password": "correct-horse-battery"}).content.decode()
        assert "does not work any more" in page
        assert TOTPDevice.objects.filter(user=person).exists()
        ask_reset(as_user("sysadmin"), person)
    assert AuthenticatorReset.objects.filter(status=Decision.PENDING).count() == 1
    assert AuthenticatorReset.objects.filter(status=Decision.WITHDRAWN).count() == 1


def test_an_administrator_cannot_reset_their_own_authenticator(world, as_user):
    admin = world.users["sysadmin"]
    client = as_user("sysadmin")
    page = client.post(
        reverse("people:user_detail", args=[admin.pk]), {"form": "reset_2fa"}, follow=True
    ).content.decode()
    assert "You cannot reset your own authenticator app" in page
    assert not AuthenticatorReset.objects.exists()


def test_an_account_an_administrator_added_never_approves_their_requests(world, as_user, admins):
    """An administrator knew the first password of every account they added: such an account,
    made an administrator, cannot be the second person for them."""
    first = as_user("sysadmin")
    first.post(
        reverse("people:user_create"),
        {
            "username": "bob@example.org",
            "first_name": "Bob",
            "last_name": "Puppet",
            "email": "bob@example.org",
            "password": "a-long-temporary-pass",
        },
    )
    bob = User.objects.get(username="bob@example.org")
    ask(first, bob, world.orgs["la_a"], Role.SYSTEM_ADMIN)
    decide(sign_in(Client(), admins["la_a"]), RoleRequest.objects.get(user=bob), "approve")
    assert Membership.objects.filter(user=bob, role=Role.SYSTEM_ADMIN, is_active=True).exists()
    person = world.users["norole"]
    ask(first, person, world.orgs["la_a"], Role.SOCIAL_WORKER)
    asked = RoleRequest.objects.get(user=person)
    bob.must_change_password = False
    bob.save()
    assert decide(sign_in(Client(), bob), asked, "approve").status_code == 403
    assert not Membership.objects.filter(user=person).exists()
    decide(sign_in(Client(), admins["la_a"]), asked, "approve")
    assert Membership.objects.filter(user=person, role=Role.SOCIAL_WORKER).exists()


def test_a_deactivated_account_loses_its_roles_that_reach_children(world, as_user):
    person = world.users["la_b_sw"]
    client = as_user("sysadmin")
    details = {"form": "details", "first_name": "Bea", "last_name": "Worker"}
    assert Membership.objects.filter(user=person, is_active=True).exists()
    client.post(
        reverse("people:user_detail", args=[person.pk]),
        {**details, "email": person.email, "is_active": ""},
    )
    client.post(
        reverse("people:user_detail", args=[person.pk]),
        {**details, "email": person.email, "is_active": "on"},
    )
    person.refresh_from_db()
    assert person.is_active
    assert not Membership.objects.filter(user=person, is_active=True).exists()
    assert AccessLog.objects.filter(detail__contains="ended LA social worker at LA B").exists()


def test_a_reset_is_not_e_mailed_to_an_address_changed_this_week(world, as_user, admins):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    client = as_user("sysadmin")
    client.post(
        reverse("people:user_detail", args=[person.pk]),
        {
            "form": "details",
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": "attacker@example.org",
            "is_active": "on",
        },
    )
    assert AccessLog.objects.filter(
        detail__contains=f"e-mail {person.email} to attacker@example.org"
    ).exists()
    page = client.post(
        reverse("people:user_detail", args=[person.pk]), {"form": "reset_2fa"}, follow=True
    ).content.decode()
    assert "no e-mail was sent" in page
    assert not mail.outbox
    assert TOTPDevice.objects.filter(user=person).exists()


def test_the_links_secret_is_never_in_the_access_log(world, as_user):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    ask_reset(as_user("sysadmin"), person)
    url = link_in(mail.outbox[0])
    secret = url.rstrip("/").rsplit("/", 1)[1]
    Client().post(url, {"password": "wrong-password-here"})
    Client().post(url, {"password": "correct-horse-battery"})
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not AccessLog.objects.filter(path__contains=secret).exists()
    assert not AccessLog.objects.filter(detail__contains=secret).exists()


def test_an_expired_reset_cannot_be_approved(world, as_user, admins):
    person = world.users["la_b_sw"]
    TOTPDeviceFactory(user=person)
    ask_reset(as_user("sysadmin"), person)
    reset = AuthenticatorReset.objects.get()
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        page = decide(sign_in(Client(), admins["prov_a"]), reset, "approve", kind="reset")
    assert "This reset has expired" in page.content.decode()
    assert TOTPDevice.objects.filter(user=person).exists()
