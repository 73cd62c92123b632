"""`lachealth passports`: an area's latest passports as PDFs, each logged; refused for a user
outside the area's health teams; no LA child ID writes outside the folder."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lachealth.health import passport
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD


def give(world, child, as_of=date(2026, 12, 2)):  # type: ignore[no-untyped-def]
    return passport.give(
        by=world.users["prov_a_nurse"],
        child=child,
        choices=passport.Choices(included=["about_me", "my_words"], agreed=True),
        written=passport.Written(own_words="Ask me first."),
        as_of=as_of,
    )


def test_the_latest_passport_of_each_young_person_is_written_and_logged(
    world, young_person, tmp_path
):
    give(world, young_person)
    give(world, young_person, as_of=date(2026, 12, 3))
    young_person.la_child_id = "../P/1"
    young_person.save()
    out = tmp_path / "passports"
    said = StringIO()
    call_command(
        "passports",
        "--area",
        BRADFORD,
        "--user",
        "prov_a_nurse",
        "--out",
        str(out),
        stdout=said,
        stderr=StringIO(),
    )
    (written,) = out.iterdir()  # the latest version only, inside --out
    assert written.name == f"___P_1-{young_person.pk}-health-passport-v2.pdf"
    assert written.read_bytes()[:5] == b"%PDF-"
    assert "1 passports written" in said.getvalue()
    assert AccessLog.objects.filter(
        child_id=young_person.pk,
        action="export",
        detail="health passport version 2 as PDF from the command line",
    ).exists()


@pytest.mark.parametrize("user", ["la_a_sw", "prov_c_nurse", "commissioner"])
def test_only_the_areas_health_team_runs_it(world, young_person, tmp_path, user):
    give(world, young_person)
    with pytest.raises(CommandError, match="is not in a health team serving"):
        call_command(
            "passports",
            "--area",
            BRADFORD,
            "--user",
            user,
            "--out",
            str(tmp_path / "x"),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not (tmp_path / "x").exists()
