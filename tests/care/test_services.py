"""Care services: entry, change, leaving and corrections, and that a refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lachealth.care import services
from lachealth.care.models import Child, Episode
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area

AS_OF = date(2026, 11, 23)
DETAILS = {
    "la_child_id": "NEW1",
    "first_name": "Ada",
    "last_name": "Example",
    "date_of_birth": date(2016, 5, 4),
    "sex": "F",
    "ethnicity": "WBRI",
    "nhs_number": "9990000018",
    "upn": "",
}


def placement(code: str = BRADFORD, place: str = "U4") -> services.PlacementDetails:
    return services.PlacementDetails(
        place=place, place_provider="PR1", placement_area=area(code), pl_post="BD1 1AA"
    )


def enter(world, **overrides):  # type: ignore[no-untyped-def]
    kwargs = {
        "by": world.users["la_a_sw"],
        "responsible_area": area(BRADFORD),
        "child_details": dict(DETAILS),
        "decom": date(2026, 1, 5),
        "ls": "C1",
        "cin": "N1",
        "placement": placement(),
        "as_of": AS_OF,
    } | overrides
    return services.record_entry_to_care(**kwargs)


def snapshot() -> tuple[int, int, int]:
    return Child.objects.count(), Episode.objects.count(), Child.history.count()


def test_entry_creates_child_first_episode_history_and_audit(world):
    child = enter(world)
    episode = child.episodes.get()
    assert (episode.rne, episode.ls, episode.dec) == ("S", "C1", None)
    assert child.looked_after and child.current_placement_area_id == BRADFORD
    assert child.history.first().history_user == world.users["la_a_sw"]
    log = AccessLog.objects.get(child_id=child.pk, action="create")
    assert log.organisation == world.orgs["la_a"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decom": date(2016, 5, 3)}, "decom"),  # before birth
        ({"decom": date(2026, 12, 1)}, "decom"),  # in the future
        ({"child_details": DETAILS | {"date_of_birth": date(2027, 1, 1)}}, "date_of_birth"),
        ({"child_details": DETAILS | {"nhs_number": "9990000019"}}, "nhs_number"),
        ({"child_details": DETAILS | {"la_child_id": "A1"}}, "la_child_id"),  # already used
        ({"placement": "Z1"}, "place"),  # retired code
    ],
)
def test_refused_entry_names_the_field_and_writes_nothing(world, overrides, field):
    if isinstance(overrides.get("placement"), str):
        overrides = {"placement": placement(place=overrides["placement"])}
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        enter(world, **overrides)
    assert field in exc.value.message_dict
    assert snapshot() == before


def test_only_the_childs_own_la_can_record(world):
    with pytest.raises(PermissionDenied):
        enter(world, by=world.users["la_b_sw"])
    with pytest.raises(PermissionDenied):
        enter(world, by=world.users["prov_a_nurse"])


def test_move_out_of_area_derives_rne_and_moves_visibility(world):
    child = enter(world)
    episode = services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 6, 1),
        ls="C1",
        placement=placement(CALDERDALE, "U6"),
        same_carer=False,
        reason_place_change="CARPL",
        as_of=AS_OF,
    )
    child.refresh_from_db()
    assert episode.rne == "P"
    assert child.current_placement_area_id == CALDERDALE and child.is_placed_out_of_area
    first = child.episodes.order_by("decom").first()
    assert (first.dec, first.rec, first.reason_place_change) == (date(2026, 6, 1), "X1", "CARPL")
    assert Child.objects.visible_to(world.users["prov_c_nurse"]).filter(pk=child.pk).exists()


def test_legal_status_change_keeps_the_placement(world):
    child = enter(world)
    episode = services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 3, 1),
        ls="C2",
        placement=None,
        as_of=AS_OF,
    )
    assert (episode.rne, episode.place, episode.placement_area_id) == ("L", "U4", BRADFORD)


def test_overlapping_change_is_refused_naming_the_episode_and_writes_nothing(world):
    child = enter(world)
    before = (snapshot(), list(child.episodes.values_list("dec", "rec")))
    with pytest.raises(ValidationError) as exc:
        services.record_change(
            by=world.users["la_a_sw"],
            child=child,
            on=date(2025, 12, 1),
            ls="C2",
            placement=None,
            as_of=AS_OF,
        )
    assert "5 January 2026" in exc.value.message_dict["decom"][0]
    assert (snapshot(), list(child.episodes.values_list("dec", "rec"))) == before


def test_leaving_care_then_returning(world):
    child = enter(world)
    services.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 4, 1), rec="E4A", as_of=AS_OF
    )
    child.refresh_from_db()
    assert not child.looked_after and child.current_placement_area is None
    services.record_new_period_of_care(
        by=world.users["la_a_sw"],
        child=child,
        decom=date(2026, 9, 1),
        ls="V2",
        cin="N4",
        placement=placement(),
        as_of=AS_OF,
    )
    child.refresh_from_db()
    assert child.looked_after
    assert list(child.episodes.values_list("rne", flat=True)) == ["S", "S"]


def test_detail_correction_refuses_birth_after_care_started(world):
    child = enter(world)
    with pytest.raises(ValidationError) as exc:
        services.update_child_details(
            by=world.users["la_a_sw"],
            child=child,
            details=DETAILS | {"date_of_birth": date(2026, 2, 1)},
            as_of=AS_OF,
        )
    assert "date_of_birth" in exc.value.message_dict
    child.refresh_from_db()
    assert child.date_of_birth == date(2016, 5, 4)


def test_reentering_on_the_day_a_one_day_episode_started_is_refused_not_crashed(world):
    child = enter(world, decom=date(2026, 5, 1))
    services.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 5, 1), rec="E4A", as_of=AS_OF
    )
    with pytest.raises(ValidationError) as exc:
        services.record_new_period_of_care(
            by=world.users["la_a_sw"],
            child=child,
            decom=date(2026, 5, 1),
            ls="V2",
            cin="N1",
            placement=placement(),
            as_of=AS_OF,
        )
    assert "already starts on 1 May 2026" in exc.value.message_dict["decom"][0]
    assert child.episodes.count() == 1


def test_a_placement_change_that_changes_nothing_is_refused(world):
    child = enter(world)
    with pytest.raises(ValidationError) as exc:
        services.record_change(
            by=world.users["la_a_sw"],
            child=child,
            on=date(2026, 6, 1),
            ls="C1",
            placement=placement(),
            reason_place_change="CARPL",
            as_of=AS_OF,
        )
    assert "same as now" in exc.value.message_dict["place"][0]
    assert child.episodes.count() == 1


def test_services_refuse_unknown_codes(world):
    child = enter(world)
    with pytest.raises(ValidationError) as exc:
        services.record_leaving_care(
            by=world.users["la_a_sw"], child=child, on=date(2026, 6, 1), rec="EZZ", as_of=AS_OF
        )
    assert "rec" in exc.value.message_dict
    child.refresh_from_db()
    assert child.looked_after and child.episodes.get().dec is None


def test_a_stale_details_edit_does_not_undo_a_move(world):
    child = enter(world)
    stale = Child.objects.get(pk=child.pk)  # loaded before the move
    services.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 6, 1),
        ls="C1",
        placement=placement(CALDERDALE, "U6"),
        same_carer=False,
        reason_place_change="CARPL",
        as_of=AS_OF,
    )
    services.update_child_details(
        by=world.users["la_a_sw"],
        child=stale,
        details=DETAILS | {"first_name": "Adaline"},
        as_of=AS_OF,
    )
    child.refresh_from_db()
    assert child.first_name == "Adaline" and child.current_placement_area_id == CALDERDALE


@pytest.mark.parametrize("event", ["change", "leave", "details", "return"])
def test_every_change_is_versioned_and_logged_with_who_did_it(world, event):
    user = world.users["la_a_data"]
    child = enter(world)
    if event == "change":
        services.record_change(
            by=user, child=child, on=date(2026, 3, 1), ls="C2", placement=None, as_of=AS_OF
        )
    elif event == "leave":
        services.record_leaving_care(
            by=user, child=child, on=date(2026, 3, 1), rec="E4A", as_of=AS_OF
        )
    elif event == "details":
        services.update_child_details(
            by=user, child=child, details=DETAILS | {"upn": ""}, as_of=AS_OF
        )
    else:
        services.record_leaving_care(
            by=user, child=child, on=date(2026, 3, 1), rec="E4A", as_of=AS_OF
        )
        services.record_new_period_of_care(
            by=user,
            child=child,
            decom=date(2026, 6, 1),
            ls="V2",
            cin="N1",
            placement=placement(),
            as_of=AS_OF,
        )
    assert AccessLog.objects.filter(child_id=child.pk, action="change", user=user).exists()
    latest = [*Child.history.filter(id=child.pk), *Episode.history.filter(child_id=child.pk)]
    assert max(latest, key=lambda h: h.history_date).history_user == user


def test_leaving_care_takes_the_child_off_the_receiving_providers_view(world):
    child = enter(world, placement=placement(CALDERDALE))
    nurse = world.users["prov_c_nurse"]
    assert Child.objects.visible_to(nurse).filter(pk=child.pk).exists()
    services.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 3, 1), rec="E4A", as_of=AS_OF
    )
    assert not Child.objects.visible_to(nurse).filter(pk=child.pk).exists()
