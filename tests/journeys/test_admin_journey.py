"""Two administrators give a new social worker a role that reaches children, and the social
worker chooses their own password at first sign-in, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from lachealth.people.models import Role, User

from ..factories import MembershipFactory, TOTPDeviceFactory
from .conftest import check_accessibility
from .test_journeys import sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

TEMPORARY = "a-long-temporary-pass"
OWN = "a-walk-by-the-canal-2026"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()


def test_a_role_that_reaches_children_takes_two_administrators_and_a_new_password(
    live_server, page: Page, world
):
    base = live_server.url
    first = world.users["sysadmin"]
    second = MembershipFactory(
        user__username="second.admin",
        user__first_name="Sam",
        organisation=world.orgs["la_a"],
        role=Role.SYSTEM_ADMIN,
    ).user
    for admin in (first, second):
        TOTPDeviceFactory(user=admin)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The first administrator adds the person and asks for the role.
    sign_in(page, base, first)
    page.goto(base + reverse("people:user_create"))
    page.get_by_label("Username").fill("nia.worker@example.org")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Worker")
    page.get_by_label("Email address").fill("nia.worker@example.org")
    page.get_by_label("Temporary password").fill(TEMPORARY)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", name="Nia Worker")).to_be_visible()
    page.get_by_label("Organisation").select_option(label="LA A")
    page.get_by_label("Role").select_option(label="LA social worker")
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_text("Role asked for")).to_be_visible()
    expect(page.get_by_text("No roles yet")).to_be_visible()
    check_accessibility(page)
    sign_out(page)

    # The second administrator approves it from their home page.
    sign_in(page, base, second)
    page.get_by_role("link", name="Waiting for a second administrator").click()
    asked = "LA social worker at LA A for Nia Worker (nia.worker@example.org)"
    expect(page.get_by_role("cell", name=asked, exact=True)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Approve LA social worker at LA A").click()
    expect(page.get_by_text("Role given")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for you")).to_be_visible()
    sign_out(page)

    # The social worker signs in with the temporary password, sets up their app, and must
    # choose a password of their own; a mistyped one is refused first.
    person = User.objects.get(username="nia.worker@example.org")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + reverse("people:sign_in"))
    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Password").fill(TEMPORARY)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    device = person.totpdevice_set.get(confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Security code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    expect(page.get_by_text("Your password was set by an administrator")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Your current password").fill(TEMPORARY)
    page.get_by_label("New password", exact=True).fill(OWN)
    page.get_by_label("Type the new password again").fill(OWN + "!")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("The two new passwords are not the same")
    page.get_by_label("Your current password").fill(TEMPORARY)
    page.get_by_label("New password", exact=True).fill(OWN)
    page.get_by_label("Type the new password again").fill(OWN)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Nia")).to_be_visible()
    page.goto(base + reverse("care:child_list"))
    expect(page.get_by_role("link", name=re.compile(r"^Ashby, "))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Bexley, "))).to_have_count(0)
    person.refresh_from_db()
    assert person.check_password(OWN) and not person.must_change_password
