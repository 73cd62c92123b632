"""What commands' `--la` (or `--area`) and `--user` name: the SSDA903 commands, the passports'."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Area, User


def find_area(code: str, option: str = "--la") -> Area:
    """An LA by its ONS code (E08000032) or its DfE code (380)."""
    area = Area.english.filter(code=code).first() or Area.english.filter(dfe_code=code).first()
    if area is None:
        raise CommandError(f"{option}: no local authority has the code {code}")
    return area


def find_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--user: there is no active user {username}")
    return user
