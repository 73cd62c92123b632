"""The session gets a new key at the one-time-code step, as it does at the password step: a
key someone knew before the code was entered (planted in the browser, or seen on the way)
opens nothing afterwards. The session's data is kept; a wrong code changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.people.models import AccessLog

from ..factories import TOTPDeviceFactory
from ..health.test_own_account import accept_data, invite, link_in
from .test_sign_in import current_code, password_step


def _key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _opens_nothing(key: str) -> bool:
    """A browser holding only the old key is sent to sign in, and the key is gone."""
    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = key
    response = stranger.get(reverse("home"))
    gone = not Session.objects.filter(session_key=key).exists()
    return gone and response.status_code == 302 and "/sign-in/" in response["Location"]


def test_the_right_code_gives_the_session_a_new_key_and_keeps_its_data(world):
    user = world.users["la_a_sw"]
    device = TOTPDeviceFactory(user=user)
    client = Client()
    child_list = reverse("care:child_list")
    client.post(
        reverse("people:sign_in") + f"?next={child_list}",
        {"username": "la_a_sw", "password": "correct-horse-battery", "next": child_list},
    )
    before = _key(client)
    response = client.post(reverse("people:sign_in_code"), {"code": current_code(device)})
    after = _key(client)
    assert after != before
    # Kept across the new key: where the user was going, and that they signed in and
    # passed the code.
    assert response["Location"] == child_list
    assert client.get(reverse("home")).status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk) and client.session["otp_device_id"]
    assert AccessLog.objects.filter(user=user, action="sign_in").count() == 1
    assert _opens_nothing(before)


def test_a_wrong_code_keeps_the_key_and_the_session_unverified(world):
    device = TOTPDeviceFactory(user=world.users["la_a_sw"])
    client = Client()
    password_step(client, "la_a_sw")
    before = _key(client)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(reverse("people:sign_in_code"), {"code": wrong})
    assert response.status_code == 200 and _key(client) == before
    assert client.get(reverse("home"))["Location"] == reverse("people:sign_in_code")


def test_setting_up_an_authenticator_app_gives_the_session_a_new_key(world):
    user = world.users["la_b_sw"]
    client = Client()
    password_step(client, "la_b_sw")
    client.get(reverse("people:enrol"))
    before = _key(client)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("people:enrol"), {"code": current_code(device)})
    assert response.status_code == 302 and _key(client) != before
    assert client.get(reverse("home")).status_code == 200
    assert _opens_nothing(before)


def test_a_young_persons_code_by_email_gives_their_session_a_new_key(world, as_user, young_person):
    invite(as_user, young_person)
    visitor = Client()
    visitor.post(link_in(mail.outbox[0]), accept_data(second_step="email"))
    visitor.get(reverse("people:sign_in_code"))
    code = re.search(r"security code is (\d{6})", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    before = _key(visitor)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # after the throttle
        signed_in = visitor.post(reverse("people:sign_in_code"), {"code": code})
    assert signed_in["Location"] == reverse("health:my_home") and _key(visitor) != before
    assert visitor.get(reverse("health:my_home")).status_code == 200
    assert _opens_nothing(before)
