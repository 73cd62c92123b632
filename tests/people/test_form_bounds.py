"""Bounds of the sign-in and administration forms, in NHS.UK words (found by the form fuzzer,
tests/fuzz: an email address longer than the account's column was refused in Django's words,
"Ensure this value has at most 254 characters")."""

from __future__ import annotations

from django.urls import reverse

from lachealth.people.models import User


def test_an_email_address_longer_than_an_account_holds_is_refused_in_nhs_words(world, as_user):
    person = world.users["la_b_sw"]
    response = as_user("sysadmin").post(
        reverse("people:user_detail", args=[person.pk]),
        {
            "form": "details",
            "first_name": "Bea",
            "last_name": "Example",
            "email": "a" * 300 + "@example.org",
            "is_active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in page
    assert "Ensure this value" not in page
    assert User.objects.get(pk=person.pk).first_name != "Bea"


def test_a_password_of_any_sensible_length_is_checked_without_a_server_error(world, client):
    response = client.post(
        reverse("people:sign_in"), {"username": "la_a_sw", "password": "p" * 10_000}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Password must be 256 characters or fewer" in page
