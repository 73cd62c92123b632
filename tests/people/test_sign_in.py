"""Signing in: password then TOTP code, first-time enrolment, lockout, idle expiry, sign-out."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.people.models import AccessLog

from ..factories import TOTPDeviceFactory

PASSWORD = "correct-horse-battery"


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def password_step(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("people:sign_in"), {"username": username, "password": password})


def test_every_page_but_sign_in_and_health_needs_login(db):
    client = Client()
    assert client.get(reverse("people:sign_in")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
    for name in ["home", "care:child_list", "people:user_list", "people:access_log"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_password_then_code_signs_in_and_is_logged(world):
    user = world.users["la_a_sw"]
    device = TOTPDeviceFactory(user=user)
    client = Client()
    response = password_step(client, "la_a_sw")
    assert response["Location"] == reverse("people:sign_in_code")
    assert client.get(reverse("home")).status_code == 302  # code not yet entered
    response = client.post(reverse("people:sign_in_code"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AccessLog.objects.filter(user=user, action="sign_in").exists()


def test_wrong_code_is_refused_with_a_message(world):
    device = TOTPDeviceFactory(user=world.users["la_a_sw"])
    client = Client()
    password_step(client, "la_a_sw")
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(reverse("people:sign_in_code"), {"code": wrong})
    assert response.status_code == 200
    assert "security code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_without_saying_which(world):
    response = password_step(Client(), "la_a_sw", "not-the-password")
    page = response.content.decode()
    assert response.status_code == 200 and "username or password is not right" in page
    assert AccessLog.objects.filter(action="sign_in_failed", detail="la_a_sw").exists()


def test_first_sign_in_enrols_an_authenticator_with_a_qr_code(world):
    user = world.users["la_b_sw"]
    client = Client()
    password_step(client, "la_b_sw")
    response = client.get(reverse("people:sign_in_code"))
    assert response["Location"] == reverse("people:enrol")
    page = client.get(reverse("people:enrol")).content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("people:enrol"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_five_failures_lock_the_account_for_15_minutes(world):
    TOTPDeviceFactory(user=world.users["la_a_sw"])
    client = Client()
    for _ in range(5):
        password_step(client, "la_a_sw", "wrong-password")
    response = password_step(client, "la_a_sw")  # right password, but locked
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    # Another account is not affected.
    assert password_step(Client(), "la_b_sw")["Location"] == reverse("people:sign_in_code")


def test_lock_lifts_after_15_minutes(world):
    import datetime as dt

    TOTPDeviceFactory(user=world.users["la_a_sw"])
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = Client()
        for _ in range(5):
            password_step(client, "la_a_sw", "wrong-password")
        assert password_step(client, "la_a_sw").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = password_step(Client(), "la_a_sw")
        assert response.status_code == 302


def test_sessions_end_after_30_minutes_idle(world):
    import datetime as dt

    from ..conftest import sign_in

    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = sign_in(Client(), world.users["la_a_sw"])
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200  # activity renews the session
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get(reverse("home")).status_code == 200  # an hour on, still active
    with time_machine.travel(start + dt.timedelta(minutes=58 + 31), tick=False):
        assert client.get(reverse("home")).status_code == 302  # 31 minutes idle


def test_a_session_in_use_is_saved_at_most_once_a_minute(world):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..conftest import sign_in

    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = sign_in(Client(), world.users["la_a_sw"])
        client.get(reverse("home"))
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        assert expiry == start + dt.timedelta(minutes=30)
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        assert Session.objects.get(session_key=key).expire_date == expiry
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        assert client.get(reverse("home")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == start + dt.timedelta(minutes=31)


def test_a_session_ends_30_minutes_after_its_last_renewal_whatever_the_pages_between(world):
    import datetime as dt

    from ..conftest import sign_in

    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = sign_in(Client(), world.users["la_a_sw"])
        assert client.get(reverse("home")).status_code == 200  # renewed: ends at 9:30
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert client.get(reverse("home")).status_code == 200  # within the minute: not saved
    with time_machine.travel(start + dt.timedelta(minutes=30, seconds=1), tick=False):
        assert client.get(reverse("home")).status_code == 302  # 29.5 minutes after the last page


def test_sign_out_needs_post_and_ends_the_session(world):
    from ..conftest import sign_in

    client = sign_in(Client(), world.users["la_a_sw"])
    assert client.get(reverse("people:sign_out")).status_code == 405
    response = client.post(reverse("people:sign_out"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert AccessLog.objects.filter(action="sign_out").exists()


@pytest.mark.parametrize("debug", [True, False])
def test_demo_code_hint_only_in_debug_for_demo_users(world, settings, debug):
    settings.DEBUG = debug
    settings.DEMO_OTP_HINT = True
    user = world.users["la_a_sw"]
    user.is_demo = True
    user.save()
    TOTPDeviceFactory(user=user)
    client = Client()
    password_step(client, "la_a_sw")
    page = client.get(reverse("people:sign_in_code")).content.decode()
    assert ('id="demo-code"' in page) is debug


def test_next_url_is_followed_only_on_this_site(world):
    device = TOTPDeviceFactory(user=world.users["la_a_sw"])
    client = Client()
    client.post(
        reverse("people:sign_in") + "?next=https://evil.example/",
        {"username": "la_a_sw", "password": PASSWORD, "next": "https://evil.example/"},
    )
    response = client.post(reverse("people:sign_in_code"), {"code": current_code(device)})
    assert response["Location"] == reverse("home")
