"""What the SSDA903 commands' `--la` and `--user` name."""

from __future__ import annotations

from django.core.management.base import CommandError

from lachealth.people.models import Area, User


def find_area(code: str) -> Area:
    """An LA by its ONS code (E08000032) or its DfE code (380)."""
    area = Area.english.filter(code=code).first() or Area.english.filter(dfe_code=code).first()
    if area is None:
        raise CommandError(f"--la: no local authority has the code {code}")
    return area


def find_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--user: there is no active user {username}")
    return user
