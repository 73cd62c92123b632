"""The migration that chains the access log seals the rows already written, in id order,
so that an installation's existing log verifies from its first row; and it can be undone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lachealth.people.models import AccessLog

BEFORE = [("people", "0007_longer_change_reasons")]
AFTER = [("people", "0009_access_log_append_only")]


def trigger_exists() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'people_accesslog_append_only'")
        return cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_the_rows_already_written_are_sealed_in_id_order():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert not trigger_exists()
    old = executor.loader.project_state(BEFORE).apps
    OldAccessLog = old.get_model("people", "AccessLog")
    for i, ip in enumerate(["10.0.0.1", "2001:DB8:0:0:0:0:0:7", None, "::ffff:10.10.10.10"]):
        OldAccessLog.objects.create(action="view", detail=f"before the chain {i}", ip_address=ip)
    OldAccessLog.objects.filter(detail="before the chain 1").delete()  # as the demo once did

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    rows = list(AccessLog.objects.order_by("id"))
    assert [r.detail for r in rows] == [
        "before the chain 0",
        "before the chain 2",
        "before the chain 3",
    ]
    assert [r.position for r in rows] == [1, 2, 3]
    assert trigger_exists() == (connection.vendor == "postgresql")
    out = StringIO()
    call_command("verify-audit", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("The access log's 3 rows are intact.")
    # rows written after it follow on
    AccessLog.objects.create(action="view", detail="after the chain")
    call_command("verify-audit", stdout=StringIO(), stderr=StringIO())
