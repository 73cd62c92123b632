"""Rebuilding the demo (`lachealth demo --reset`) leaves the access log as it was: its rows
are never deleted, so the demo's accounts and organisations they name are kept and taken up
again, and the log still verifies."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.demo.management.commands.demo import DEMO_MARK, DEMO_PASSWORD
from lachealth.people import audit
from lachealth.people.models import AccessAction, AccessLog, Organisation, User

DEMO = ["demo", "--scale", "0.02", "--seed", "7", "--as-of", "2026-11-23"]


def load(*extra: str) -> str:
    out = StringIO()
    call_command(*DEMO, *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_rebuilds_and_every_access_log_row_stays(areas):
    load()
    nurse = User.objects.get(username="bradford.nurse")
    audit.record(None, AccessAction.SIGN_IN, user=nurse)
    logged = list(AccessLog.objects.order_by("id").values_list())
    accounts = dict(User.objects.filter(is_demo=True).values_list("username", "pk"))
    organisations = dict(Organisation.objects.values_list("name", "pk"))

    assert "Demo data loaded" in load("--reset")

    assert list(AccessLog.objects.order_by("id").values_list())[: len(logged)] == logged
    # the same accounts and organisations, taken up again, with their roles and sign-in
    assert dict(User.objects.filter(is_demo=True).values_list("username", "pk")) == accounts
    assert dict(Organisation.objects.values_list("name", "pk")) == organisations
    nurse.refresh_from_db()
    assert nurse.is_active and nurse.check_password(DEMO_PASSWORD)
    assert [str(m) for m in nurse.memberships.all()] == [
        f"Health practitioner at Bradford LAC Health Team{DEMO_MARK}"
    ]
    assert TOTPDevice.objects.filter(user=nurse).count() == 1
    assert not Organisation.objects.filter(name__endswith=DEMO_MARK, is_active=False).exists()
    assert Organisation.objects.get(name=f"Leeds CAMHS{DEMO_MARK}").areas.count() == 1
    out = StringIO()
    call_command("verify-audit", stdout=out, stderr=StringIO())
    assert f"The access log's {AccessLog.objects.count():,} rows are intact." in out.getvalue()
