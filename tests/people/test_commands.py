"""First set-up from the command line: createorganisation and createuser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lachealth.people.management.commands.serve import default_workers
from lachealth.people.models import Membership, Organisation, User


def test_first_administrator_can_be_created_from_the_command_line(areas, monkeypatch):
    call_command(
        "createorganisation",
        "Example Council",
        "--kind",
        "LA",
        "--area",
        "E08000032",
        stdout=StringIO(),
    )
    monkeypatch.setenv("LACHEALTH_NEW_PASSWORD", "a-long-first-password")
    out = StringIO()
    call_command(
        "createuser",
        "first.admin",
        "--organisation",
        "Example Council",
        "--role",
        "system_admin",
        stdout=out,
    )
    user = User.objects.get(username="first.admin")
    assert user.check_password("a-long-first-password")
    assert Membership.objects.get(user=user).role == "system_admin"
    assert "authenticator app" in out.getvalue()


def test_unknown_area_is_refused_and_nothing_is_written(areas):
    with pytest.raises(CommandError, match="unknown ONS code"):
        call_command("createorganisation", "Nowhere", "--kind", "LA", "--area", "E99999999")
    assert not Organisation.objects.filter(name="Nowhere").exists()


def test_a_role_the_organisation_cannot_grant_leaves_no_user_behind(areas, monkeypatch):
    call_command(
        "createorganisation",
        "Example Council",
        "--kind",
        "LA",
        "--area",
        "E08000032",
        stdout=StringIO(),
    )
    monkeypatch.setenv("LACHEALTH_NEW_PASSWORD", "a-long-first-password")
    with pytest.raises(CommandError, match="cannot grant"):
        call_command(
            "createuser",
            "nurse",
            "--organisation",
            "Example Council",
            "--role",
            "health_practitioner",
        )
    assert not User.objects.filter(username="nurse").exists()


def test_weak_password_is_refused(areas, monkeypatch):
    call_command(
        "createorganisation",
        "Example Council",
        "--kind",
        "LA",
        "--area",
        "E08000032",
        stdout=StringIO(),
    )
    monkeypatch.setenv("LACHEALTH_NEW_PASSWORD", "short")
    with pytest.raises(CommandError, match="password"):
        call_command(
            "createuser", "weak", "--organisation", "Example Council", "--role", "data_officer"
        )


@pytest.mark.parametrize(
    ("environ", "cpus", "workers"),
    [
        ({}, 2, 3),  # the CI machine: one per core and one more
        ({}, None, 2),  # the CPU count unknown: as for one core
        ({}, 64, 17),  # a large server: capped, the database is the limit
        ({"WEB_CONCURRENCY": "8"}, 2, 8),
        ({"WEB_CONCURRENCY": " 3 "}, 2, 3),
        ({"WEB_CONCURRENCY": "0"}, 2, 3),  # nonsense falls back to the default
        ({"WEB_CONCURRENCY": "many"}, 2, 3),
    ],
)
def test_the_worker_count_comes_from_the_environment(environ, cpus, workers):
    assert default_workers(environ, cpus) == workers
