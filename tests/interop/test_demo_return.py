"""The demo's returns: the DfE validator finds nothing wrong, and export → import into an empty
record → export gives the same bytes, for every demo LA."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from lachealth.care.models import Child
from lachealth.health.models import YoungPersonAccount
from lachealth.interop import validator
from lachealth.interop.export import build_return
from lachealth.people.models import Organisation, User
from lachealth.quality.models import QaSample

from .helpers import import_return

YEAR = 2026  # 2025/26, the last year ended when the demo is dated


def test_the_demo_returns_pass_the_validator_and_survive_a_round_trip(areas):
    call_command(
        "demo", "--as-of", "2026-11-23", stdout=StringIO(), stderr=StringIO()
    )  # as `make demo` builds it, on the day it is dated
    las = Organisation.objects.filter(kind="LA").prefetch_related("areas")
    returns = {}
    for la in las:
        area = la.areas.get()
        result = build_return(area.code, YEAR)
        assert result.oc2_children > 0
        found = validator.validate(result.files, local_authority=area.code, collection_year=YEAR)
        assert found.by_rule() == {}, (area.name, found.findings[:5])
        returns[area.code] = (la, result.files)
    kept = {name for _, files in returns.values() for name in files}
    assert {"Missing.csv", "Reviews.csv"} <= kept  # the area loaded through the import
    YoungPersonAccount.objects.all().delete()  # a child with an account is never deleted
    QaSample.objects.all().delete()  # nor one whose assessment is in a QA sample
    Child.objects.all().delete()
    for code, (la, files) in returns.items():
        officer = User.objects.get(memberships__organisation=la, memberships__role="data_officer")
        import_return(officer, code, YEAR, files)
    for code, (_, files) in returns.items():
        assert build_return(code, YEAR).files == files
