"""The migration that moves each child's GP practice from their details into their team."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ..conftest import BRADFORD
from ..factories import ensure_areas

BEFORE = [("care", "0009_team_around_the_child")]
AFTER = [("care", "0010_gp_practices_into_team")]


@pytest.mark.django_db(transaction=True)
def test_each_childs_gp_practice_joins_their_team_from_when_care_began():
    ensure_areas()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Child, Episode = old.get_model("care", "Child"), old.get_model("care", "Episode")
    with_gp = Child.objects.create(
        la_child_id="GP1",
        date_of_birth=date(2015, 6, 1),
        sex="F",
        ethnicity="WBRI",
        responsible_area_id=BRADFORD,
        gp_practice_code="b86 001",
        gp_practice_name="Moor Surgery",
    )
    Episode.objects.create(
        child=with_gp,
        decom=date(2024, 1, 10),
        rne="S",
        ls="C2",
        cin="N1",
        place="U4",
        placement_area_id=BRADFORD,
    )
    no_episode = Child.objects.create(
        la_child_id="GP2",
        date_of_birth=date(2016, 2, 3),
        sex="M",
        ethnicity="WBRI",
        responsible_area_id=BRADFORD,
        gp_practice_name="Hill Surgery",
    )
    Child.objects.create(
        la_child_id="GP3",
        date_of_birth=date(2016, 2, 3),
        sex="M",
        ethnicity="WBRI",
        responsible_area_id=BRADFORD,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    TeamMember = new.get_model("care", "TeamMember")
    rows = {m.child_id: (m.role, m.organisation, m.code, m.start) for m in TeamMember.objects.all()}
    assert rows == {
        with_gp.pk: ("gp", "Moor Surgery", "B86001", date(2024, 1, 10)),
        no_episode.pk: ("gp", "Hill Surgery", "", date(2016, 2, 3)),
    }
    version = new.get_model("care", "HistoricalTeamMember").objects.get(child_id=with_gp.pk)
    assert version.history_change_reason.startswith("GP practice moved from the child's")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
