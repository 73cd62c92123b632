"""Passwords: a password an administrator chose is changed at first sign-in, before anything
else opens; everyone changes their own from their account page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lachealth.people.models import AccessLog, User

from ..conftest import sign_in

NEW = "a-walk-by-the-canal-2026"


def change(client: Client, current: str, new: str = NEW, again: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("people:change_password"),
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


@pytest.fixture
def temporary(world, as_user) -> User:  # type: ignore[no-untyped-def]
    """Someone an administrator has just added, with the temporary password they chose."""
    as_user("sysadmin").post(
        reverse("people:user_create"),
        {
            "username": "new.worker@example.org",
            "first_name": "Nia",
            "last_name": "Worker",
            "email": "new.worker@example.org",
            "password": "a-long-temporary-pass",
        },
    )
    return User.objects.get(username="new.worker@example.org")


def test_a_temporary_password_must_be_changed_before_any_page_opens(world, temporary):
    assert temporary.must_change_password
    client = sign_in(Client(), temporary)
    for page in ("home", "people:account", "care:child_list"):
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response["Location"] == reverse("people:change_password")
    page = client.get(reverse("people:change_password")).content.decode()
    assert "Your password was set by an administrator" in page
    # Signing out still works.
    assert client.post(reverse("people:sign_out")).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong-password-typed", NEW, NEW, "Your current password is not right"),
        ("a-long-temporary-pass", NEW, NEW + "x", "The two new passwords are not the same"),
        ("a-long-temporary-pass", "short", "short", "This password is too short"),
        ("a-long-temporary-pass", "a-long-temporary-pass", None, "different from your current"),
        ("a-long-temporary-pass", "", "", "Enter new password"),
    ],
)
def test_a_bad_new_password_is_refused_naming_the_field_and_nothing_changes(
    world, temporary, current, new, again, message
):
    client = sign_in(Client(), temporary)
    response = change(client, current, new, again)
    assert response.status_code == 200
    assert message in response.content.decode()
    temporary.refresh_from_db()
    assert temporary.must_change_password
    assert temporary.check_password("a-long-temporary-pass")


def test_a_changed_password_opens_the_service_and_is_logged(world, temporary):
    client = sign_in(Client(), temporary)
    response = change(client, "a-long-temporary-pass")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    temporary.refresh_from_db()
    assert not temporary.must_change_password and temporary.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert AccessLog.objects.filter(
        user=temporary, action="change", detail="changed own password"
    ).exists()


@pytest.mark.parametrize("who", ["la_a_sw", "commissioner", "sysadmin", "norole"])
def test_everyone_changes_their_own_password_from_their_account(world, as_user, who):
    client = as_user(who)
    account = client.get(reverse("people:account")).content.decode()
    assert reverse("people:change_password") in account
    response = change(client, "correct-horse-battery")
    assert response.status_code == 302
    user = world.users[who]
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_the_account_page_needs_a_signed_in_user():
    response = Client().get(reverse("people:change_password"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_an_account_made_by_command_keeps_the_password_its_owner_typed(world, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("LACHEALTH_NEW_PASSWORD", "the-first-admins-own-pass")
    call_command(
        "createuser", "first.admin", organisation=world.orgs["la_a"].name, role="system_admin"
    )
    assert not User.objects.get(username="first.admin").must_change_password


def test_a_young_person_changes_their_own_password(world, young_person):
    from ..health.test_own_account import young_person_client

    client = young_person_client(world, young_person)
    assert "Change your password" in client.get(reverse("people:account")).content.decode()
    assert change(client, "correct-horse-battery").status_code == 302
    assert User.objects.get(username="sam.reed@example.org").check_password(NEW)


def test_a_refused_password_is_not_written_back_into_the_page(world, temporary):
    page = change(sign_in(Client(), temporary), "a-long-temporary-pass", NEW, NEW + "x")
    html = page.content.decode()
    assert "The two new passwords are not the same" in html
    assert "a-long-temporary-pass" not in html and NEW not in html


def test_a_wrong_sign_in_does_not_write_the_password_back(world):
    page = Client().post(
        reverse("people:sign_in"), {"username": "la_a_sw", "password": "my-secret-guess-123"}
    )
    html = page.content.decode()
    assert "The username or password is not right" in html
    assert "my-secret-guess-123" not in html
