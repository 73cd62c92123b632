"""The demo's organisations and accounts, kept from one `lachealth demo --reset` to the next.

The access log is append-only and names the users and organisations that acted, so a
rebuild cannot delete them: it retires them (no roles, no authenticator, no password,
inactive) and takes the same rows up again by name. An account or organisation the demo no
longer builds stays retired, with its log rows.
"""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.people.models import Area, Membership, Organisation, User

DEMO_PASSWORD = "demo-password-2026"
# One authenticator secret for every demo account, so one app entry signs in as any of them.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # hex of "12345678901234567890"


def demo_organisation(
    name: str, kind: str, area_codes: list[str], *, team_email: str = ""
) -> Organisation:
    """The demo organisation called `name` (a name with the demo's mark), active, serving
    `area_codes`: the one an earlier demo made, or a new one."""
    organisation, _ = Organisation.objects.update_or_create(
        name=name, defaults={"kind": kind, "team_email": team_email, "is_active": True}
    )
    organisation.areas.set(Area.objects.filter(code__in=area_codes))
    return organisation


def demo_account(username: str, first_name: str, last_name: str, *, password: str) -> User:
    """The demo account `username`, active with `password`: the one an earlier demo made, or
    a new one. A real (not demo) account of that name is never taken over: creating the demo
    one then fails on the unique username."""
    user, _ = User.objects.update_or_create(
        username=username,
        is_demo=True,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@example.org",
            "is_active": True,
        },
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def retire_demo_accounts(mark: str) -> None:
    """Take every role, authenticator and password from the demo's accounts and
    organisations (those named with `mark`) and make them inactive."""
    organisations = Organisation.objects.filter(name__endswith=mark)
    users = User.objects.filter(is_demo=True)
    Membership.objects.filter(user__in=users).delete()
    Membership.objects.filter(organisation__in=organisations).delete()
    TOTPDevice.objects.filter(user__in=users).delete()
    for user in users:
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    for organisation in organisations:
        organisation.areas.clear()
        organisation.is_active = False
        organisation.save(update_fields=["is_active"])
