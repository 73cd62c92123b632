"""The health check, the error pages, the security headers."""

from __future__ import annotations

from unittest import mock

from django.test import Client
from django.urls import reverse

from .conftest import sign_in


def test_health_says_the_database_answers(db):
    response = Client().get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_does_not_answer(db):
    with mock.patch("lachealth.views.connection.cursor", side_effect=Exception("down")):
        response = Client().get("/health")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_404_page_is_styled_and_leaks_nothing(world):
    client = sign_in(Client(), world.users["la_a_sw"])
    response = client.get("/children/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "nhsuk-header" in page and "Page not found" in page and "Traceback" not in page


def test_csrf_failure_shows_a_styled_page_and_saves_nothing(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("people:sign_in"), {"username": "la_a_sw", "password": "correct-horse-battery"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your form could not be sent" in page and "nhsuk-header" in page


def test_pages_carry_a_strict_content_security_policy(db):
    response = Client().get(reverse("people:sign_in"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


def test_migrations_match_the_models(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_production_settings_pass_djangos_deployment_checks():
    """Run `check --deploy` against the settings as production loads them (no DEBUG)."""
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LACHEALTH_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env |= {
        "SECRET_KEY": "x" * 60 + "production-like-key-for-the-check",
        "ALLOWED_HOSTS": "lachealth.example.nhs.uk",
        "DJANGO_SETTINGS_MODULE": "lachealth.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lachealth.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_demo_shows_lachealths_own_error_pages_not_the_frameworks(world, settings):
    """The demo runs with DEBUG on, which makes Django show its debug pages; users meet the
    NHS.UK pages instead, unless a developer asks for the debug ones."""
    settings.DEBUG = True
    client = sign_in(Client(raise_request_exception=False), world.users["la_a_sw"])
    for path in ("/no-such-page/", "/children/999999/"):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 404, path
        assert "nhsuk-header" in page and "Page not found" in page, path
        assert "URLconf" not in page and "DEBUG = True" not in page, path
    with mock.patch("lachealth.care.views.selectors.child_list", side_effect=RuntimeError("x")):
        response = client.get(reverse("care:child_list"))
    page = response.content.decode()
    assert response.status_code == 500 and "there is a problem with the service" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    # A request that does not accept HTML gets the page too, not the text report.
    with mock.patch("lachealth.care.views.selectors.child_list", side_effect=RuntimeError("x")):
        response = client.get(reverse("care:child_list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 500 and "Django Version" not in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    # A Host the site does not serve is refused before any view, with the page as well.
    response = client.get("/children/", HTTP_HOST="attacker.example")
    assert response.status_code == 400 and "could not be understood" in response.content.decode()
    assert "ALLOWED_HOSTS" not in response.content.decode()
    settings.DEBUG_PAGES = True
    assert "URLconf" in client.get("/no-such-page/").content.decode()


def test_the_remembered_header_names_each_user_and_signs_out_with_the_pages_token(world):
    import re

    for name, shown in [("la_a_sw", "la_a_sw"), ("prov_a_nurse", "prov_a_nurse")]:
        user = world.users[name]
        user.first_name, user.last_name = "", ""
        user.save()
        client = sign_in(Client(enforce_csrf_checks=True), user)
        page = client.get(reverse("care:child_list")).content.decode()
        header = page[page.index("<header") : page.index("</header>")]
        assert shown in header and "Children" in header
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)
        assert token and token.group(1) != "@@csrf@@"
        # The token in the header is this page's own: signing out with it works.
        response = client.post(reverse("people:sign_out"), {"csrfmiddlewaretoken": token.group(1)})
        assert response.status_code == 302
        assert client.get(reverse("care:child_list")).status_code == 302  # signed out


def test_the_header_marks_the_page_the_user_is_on(world):
    client = sign_in(Client(), world.users["prov_a_nurse"])
    for url in [reverse("health:worklist"), reverse("care:child_list")]:
        page = client.get(url).content.decode()
        assert page.count('aria-current="page"') == 1
        assert f'href="{url}" aria-current="page"' in page
