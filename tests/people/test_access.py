"""The access policy itself: scopes per role, placement-area reach, inactive memberships."""

from __future__ import annotations

from lachealth.care.models import Child
from lachealth.people import access
from lachealth.people.models import Membership

from ..conftest import BRADFORD, CALDERDALE


def names(world, user_key):  # type: ignore[no-untyped-def]
    visible = set(Child.objects.visible_to(world.users[user_key]).values_list("pk", flat=True))
    return {name for name, child in world.children.items() if child.pk in visible}


def test_health_reaches_children_placed_into_its_area(world):
    assert names(world, "prov_c_nurse") == {"child_a_out", "child_c"}


def test_la_reaches_its_own_children_wherever_placed(world):
    assert names(world, "la_a_sw") == {"child_a", "child_a_out"}


def test_la_does_not_reach_children_other_las_place_into_its_area(world):
    assert names(world, "la_c_sw") == {"child_c"}


def test_commissioner_admin_and_roleless_users_reach_no_child(world):
    for key in ("commissioner", "sysadmin", "norole"):
        assert names(world, key) == set()
        assert not access.can_see_children(world.users[key])


def test_inactive_membership_and_inactive_user_reach_nothing(world):
    Membership.objects.filter(user=world.users["la_a_sw"]).update(is_active=False)
    access.forget_scope(world.users["la_a_sw"])
    assert names(world, "la_a_sw") == set()
    user = world.users["prov_a_nurse"]
    user.is_active = False
    access.forget_scope(user)
    assert names(world, "prov_a_nurse") == set()


def test_only_la_staff_record_care_and_only_for_their_area(world):
    assert access.can_record_care(world.users["la_a_sw"], BRADFORD)
    assert not access.can_record_care(world.users["la_a_sw"], CALDERDALE)
    assert not access.can_record_care(world.users["prov_a_nurse"], BRADFORD)
    assert not access.can_record_care(world.users["icb_designated"])


def test_a_person_in_two_organisations_reaches_both(world):
    from ..factories import MembershipFactory

    user = world.users["la_b_sw"]
    MembershipFactory(user=user, organisation=world.orgs["prov_c"], role="health_practitioner")
    access.forget_scope(user)
    assert names(world, "la_b_sw") == {"child_b", "child_a_out", "child_c"}
