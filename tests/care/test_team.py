"""The team around the child: who records which role, one holder at a time, checked codes and
telephone numbers, corrections with their reason, withdrawals that keep the entry, and the
pages, which no other area reaches by changing a URL."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from lachealth.care import selectors, team
from lachealth.care.models import Child, TeamMember, TeamRole
from lachealth.handovers.models import Notification
from lachealth.handovers.services import refer
from lachealth.people.models import AccessLog
from lachealth.versioning import FieldChange

from ..conftest import BRADFORD, CALDERDALE, sign_in
from ..factories import area, child_in_care
from ..handovers.helpers import camhs_with_clinician, enter_care, plan_action

TODAY = date(2026, 12, 1)
pytestmark = pytest.mark.usefixtures("pinned")


@pytest.fixture
def pinned():  # type: ignore[no-untyped-def]
    with time_machine.travel(date(2026, 12, 1), tick=False):
        yield


def _add(world, by, child, role, **details):  # type: ignore[no-untyped-def]
    details.setdefault("start", date(2026, 9, 1))
    return team.add_team_member(
        by=world.users[by],
        child=child,
        role=role,
        details=team.MemberDetails(**details),
        as_of=TODAY,
    )


def test_the_la_names_the_social_worker_and_the_health_team_the_named_nurse(world):
    child = world.children["child_a"]
    social_worker = _add(
        world, "la_a_sw", child, TeamRole.SOCIAL_WORKER, user=world.users["la_a_sw"]
    )
    nurse = _add(
        world, "prov_a_nurse", child, TeamRole.NAMED_NURSE, user=world.users["prov_a_nurse"]
    )
    assert [m.pk for m in team.current(child, TODAY)] == [social_worker.pk, nurse.pk]
    with pytest.raises(PermissionDenied, match="Only the health team record the named nurse"):
        _add(world, "la_a_sw", child, TeamRole.NAMED_NURSE, user=world.users["prov_a_nurse"])
    with pytest.raises(PermissionDenied, match="local authority record the allocated social"):
        _add(world, "prov_a_nurse", child, TeamRole.SOCIAL_WORKER, user=world.users["la_a_sw"])
    # Either side records the GP practice.
    _add(world, "la_a_sw", child, TeamRole.GP, organisation="Moor Surgery", code="b86001")
    gp = _add(world, "prov_a_nurse", child, TeamRole.GP, organisation="Hill Surgery", start=TODAY)
    assert gp.code == "" and TeamMember.objects.filter(role="gp").count() == 2


def test_a_staff_role_is_held_by_a_user_serving_the_child(world):
    child = world.children["child_a"]
    with pytest.raises(ValidationError) as refused:
        _add(world, "la_a_sw", child, TeamRole.SOCIAL_WORKER, user=world.users["la_b_sw"])
    assert refused.value.message_dict == {
        "user": [f"{world.users['la_b_sw']} cannot be this child's allocated social worker"]
    }
    with pytest.raises(ValidationError, match="Choose the allocated social worker"):
        _add(world, "la_a_sw", child, TeamRole.SOCIAL_WORKER)
    # The named nurse may come from the team of the area the child is placed in.
    placed = world.children["child_a_out"]
    nurse = _add(
        world, "prov_c_nurse", placed, TeamRole.NAMED_NURSE, user=world.users["prov_c_nurse"]
    )
    assert nurse.who == str(world.users["prov_c_nurse"])
    assert not TeamMember.objects.filter(child=child).exists()


def test_a_new_holder_ends_the_last_one_the_day_before(world):
    child = world.children["child_a"]
    first = _add(world, "la_a_sw", child, TeamRole.CARER, name="Ann Lee", start=date(2026, 3, 1))
    second = _add(world, "la_a_sw", child, TeamRole.CARER, name="Bo Ray", start=date(2026, 10, 12))
    first.refresh_from_db()
    assert first.end == date(2026, 10, 11)
    assert first.history.first().history_change_reason == "replaced from 12 October 2026"
    assert [m.pk for m in team.current(child, TODAY)] == [second.pk]
    assert [m.pk for m in team.current_and_earlier(child, TODAY)[1]] == [first.pk]
    # Services are many at once.
    _add(world, "prov_a_nurse", child, TeamRole.SERVICE, organisation="CAMHS")
    _add(world, "prov_a_nurse", child, TeamRole.SERVICE, organisation="Speech and language")
    assert len([m for m in team.current(child, TODAY) if m.role == "service"]) == 2


def test_a_new_holder_cannot_start_before_the_current_one(world):
    child = world.children["child_a"]
    _add(world, "la_a_sw", child, TeamRole.IRO, name="Ira Ode", start=date(2026, 10, 12))
    with pytest.raises(ValidationError) as refused:
        _add(world, "la_a_sw", child, TeamRole.IRO, name="Una Late", start=date(2026, 10, 12))
    assert refused.value.message_dict["start"] == [
        "Ira Ode has been the independent reviewing officer (IRO) since 12 October 2026: "
        "the new one must start after that"
    ]
    assert TeamMember.objects.get(child=child).end is None


@pytest.mark.parametrize(
    ("role", "field", "value", "message"),
    [
        (TeamRole.GP, "code", "12345", "The GP practice code must be a letter and 5 digits"),
        (TeamRole.SCHOOL, "code", "SC12", "The URN must be 6 or 7 digits"),
        (TeamRole.IRO, "code", "B86001", "The independent reviewing officer (IRO) has no ODS"),
        (TeamRole.CARER, "telephone", "0113 496", "Enter a telephone number, like 0113 496"),
        (TeamRole.CARER, "telephone", "call the office", "Enter a telephone number"),
        (TeamRole.CARER, "start", date(2026, 12, 2), "The start date must be today or in the"),
        (
            TeamRole.CARER,
            "start",
            date(2000, 1, 1),
            "The start date must be on or after the child's date",
        ),
        (TeamRole.CARER, "name", "", "Enter the carer's names, or the name of the home"),
        (TeamRole.IRO, "name", "", "Enter their name"),
    ],
)
def test_bad_details_are_refused_by_field_and_nothing_is_written(
    world, role, field, value, message
):
    child = world.children["child_a"]
    details = {"name": "Someone", field: value}
    with pytest.raises(ValidationError) as refused:
        _add(world, "la_a_sw", child, role, **details)
    assert refused.value.message_dict[field][0].startswith(message)
    assert not TeamMember.objects.exists()
    assert not TeamMember.history.exists()


def test_telephone_numbers_and_codes_are_kept_as_people_write_them(world):
    child = world.children["child_a"]
    carer = _add(
        world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox", telephone="+44 113 4960123"
    )
    assert carer.telephone == "0113 496 0123"
    abroad = _add(world, "la_a_sw", child, TeamRole.IRO, name="Al", telephone="+33 1 42 68 53 00")
    assert abroad.telephone == "+33 1 42 68 53 00"
    school = _add(world, "la_a_sw", child, TeamRole.CARER, name="X", code="sc 123456", start=TODAY)
    assert school.code == "SC123456"


def test_a_correction_keeps_before_after_who_and_why(world):
    child = world.children["child_a"]
    carer = _add(world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox", telephone="01134960123")
    details = team.MemberDetails(start=date(2026, 9, 1), name="Jo Fox", telephone="0113 496 0999")
    with pytest.raises(ValidationError, match="Say why"):
        team.correct_team_member(
            by=world.users["la_a_sw"], member=carer, details=details, reason=" "
        )
    with pytest.raises(PermissionDenied):
        team.correct_team_member(
            by=world.users["prov_a_nurse"], member=carer, details=details, reason="typo"
        )
    team.correct_team_member(
        by=world.users["la_a_sw"], member=carer, details=details, reason="Number typed wrongly"
    )
    latest, before = carer.history.all()[:2]
    assert (before.telephone, latest.telephone) == ("0113 496 0123", "0113 496 0999")
    assert latest.history_user == world.users["la_a_sw"]
    assert latest.history_change_reason == "Number typed wrongly"


def test_a_withdrawn_entry_is_kept_but_leaves_the_team(world):
    child = world.children["child_a"]
    dentist = _add(world, "prov_a_nurse", child, TeamRole.DENTIST, organisation="Smile Dental")
    team.withdraw_team_member(
        by=world.users["prov_a_nurse"], member=dentist, reason="Wrong child's record"
    )
    dentist.refresh_from_db()
    assert dentist.withdrawn_reason == "Wrong child's record"
    assert team.current(child, TODAY) == [] and team.current_and_earlier(child, TODAY)[1] == [
        dentist
    ]
    with pytest.raises(ValidationError, match="already withdrawn"):
        team.withdraw_team_member(by=world.users["prov_a_nurse"], member=dentist, reason="again")
    details = team.MemberDetails(start=date(2026, 9, 1), organisation="Other")
    with pytest.raises(ValidationError, match="withdrawn and cannot be changed"):
        team.correct_team_member(
            by=world.users["prov_a_nurse"], member=dentist, details=details, reason="x"
        )


# Pages


def _team_pages(child: Child, member: TeamMember) -> list[str]:
    return [
        reverse("care:team_add", args=[child.pk]),
        reverse("care:team_edit", args=[child.pk, member.pk]),
        reverse("care:team_withdraw", args=[child.pk, member.pk]),
    ]


def test_other_areas_and_other_children_get_404_and_commissioners_403(world, as_user):
    child = world.children["child_a"]
    member = _add(world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox")
    for user in ("la_b_sw", "la_c_sw"):
        for page in _team_pages(child, member):
            assert as_user(user).get(page).status_code == 404, (user, page)
            assert as_user(user).post(page, {"reason": "x"}).status_code == 404
    # Another child's member through this child's URL, or the other way round: 404.
    other = world.children["child_b"]
    other_member = _add(world, "la_b_sw", other, TeamRole.CARER, name="Other Carer")
    url = reverse("care:team_edit", args=[child.pk, other_member.pk])
    assert as_user("la_a_sw").get(url).status_code == 404
    for user in ("commissioner", "sysadmin", "norole"):
        assert as_user(user).get(_team_pages(child, member)[0]).status_code == 403
    # The designated professional sees the child but records no one in the team.
    assert as_user("icb_designated").get(_team_pages(child, member)[0]).status_code == 403
    # The health team may not change the LA's carer.
    assert as_user("prov_a_nurse").get(_team_pages(child, member)[1]).status_code == 403
    assert TeamMember.objects.get(pk=member.pk).withdrawn_reason == ""
    assert Client().get(_team_pages(child, member)[0]).status_code == 302


def test_a_relabelled_field_refuses_in_its_own_words(world, as_user):
    """The GP's practice is the team member's organisation, relabelled for the role: a name
    too long is refused as "Practice name", not as the organisation field's own label."""
    child = world.children["child_a"]
    url = reverse("care:team_add", args=[child.pk]) + "?role=gp"
    refused = as_user("la_a_sw").post(
        url, {"organisation": "P" * 151, "start_0": "1", "start_1": "9", "start_2": "2026"}
    )
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Practice name must be 150 characters or fewer" in text
    assert "Practice, home, school or service must be" not in text
    assert not TeamMember.objects.exists()


def test_the_la_adds_a_carer_from_the_childs_page(world, as_user):
    child = world.children["child_a"]
    client = as_user("la_a_sw")
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert "Team around the child" in page and "Add someone to the team" in page
    assert "Not recorded yet: allocated social worker, carer or home, named nurse" in page
    choose = client.get(reverse("care:team_add", args=[child.pk])).content.decode()
    assert "Carer or home" in choose and "Named nurse" not in choose
    url = reverse("care:team_add", args=[child.pk]) + "?role=carer"
    refused = client.post(url, {"telephone": "12", "start_0": "1", "start_1": "9"})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Date must include a year" not in text and "From must include a year" in text
    assert not TeamMember.objects.exists()
    response = client.post(
        url,
        {
            "name": "Jo and Sam Fox",
            "telephone": "0113 496 0123",
            "address": "1 High Street, BD1 1AA",
            "start_0": "1",
            "start_1": "9",
            "start_2": "2026",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#team")
    page = client.get(reverse("care:child_detail", args=[child.pk])).content.decode()
    assert "Jo and Sam Fox" in page and 'href="tel:01134960123"' in page
    assert AccessLog.objects.filter(child_id=child.pk, detail="added carer to the team").exists()


def test_the_form_is_logged_as_a_view_and_a_correction_asks_why(world, as_user):
    child = world.children["child_a"]
    member = _add(world, "prov_a_nurse", child, TeamRole.GP, organisation="Moor Surgery")
    client = as_user("prov_a_nurse")
    edit = reverse("care:team_edit", args=[child.pk, member.pk])
    assert client.get(edit).status_code == 200
    assert AccessLog.objects.filter(child_id=child.pk, detail="team_edit").exists()
    data = {"organisation": "Moor Surgery", "code": "B86001", "start_0": "1", "start_1": "9"}
    data["start_2"] = "2026"
    refused = client.post(edit, data)
    assert "Say why you are making this change" in refused.content.decode()
    assert TeamMember.objects.get(pk=member.pk).code == ""
    assert client.post(edit, data | {"reason": "Code added"}).status_code == 302
    assert TeamMember.objects.get(pk=member.pk).code == "B86001"
    withdraw = reverse("care:team_withdraw", args=[child.pk, member.pk])
    assert "Say why this entry is withdrawn" in client.post(withdraw, {}).content.decode()
    assert client.post(withdraw, {"reason": "Wrong child"}).status_code == 302
    assert client.get(edit).status_code == 403


def test_the_out_of_area_notice_carries_the_team(world, as_user):
    child = enter_care(world, placed=CALDERDALE, as_of=TODAY)
    _add(world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox", telephone="0113 496 0123")
    _add(world, "la_a_sw", child, TeamRole.SOCIAL_WORKER, user=world.users["la_a_sw"])
    notice = Notification.objects.get(
        child=child, kind="out_of_area", recipient=world.orgs["prov_c"]
    )
    page = as_user("prov_c_nurse").get(reverse("handovers:notification_detail", args=[notice.pk]))
    text = page.content.decode()
    assert "Team around the child" in text and "Jo Fox" in text and "0113 496 0123" in text
    assert str(world.users["la_a_sw"]) in text


def test_the_referral_carries_the_team(world, as_user):
    service, clinician = camhs_with_clinician()
    child = world.children["child_a"]
    _add(world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox", telephone="0113 496 0123")
    action = plan_action(world, child, "Low mood", completed_on=date(2026, 10, 1), due_on=TODAY)
    referral = refer(
        by=world.users["prov_a_nurse"],
        action=action,
        service=service,
        kind="emotional_wellbeing",
        reason="Low mood for months",
        urgency="routine",
        as_of=TODAY,
    )
    page = sign_in(Client(), clinician).get(
        reverse("handovers:referral_detail", args=[referral.pk])
    )
    assert "Jo Fox" in page.content.decode()


def test_entering_care_with_a_gp_practice_starts_the_team(world, as_user):
    from .test_views import ENTRY

    client = as_user("la_a_sw")
    bad = client.post(reverse("care:child_create"), ENTRY | {"gp_practice_code": "123"})
    assert "The GP practice code must be a letter and 5 digits" in bad.content.decode()
    assert not Child.objects.filter(la_child_id=ENTRY["la_child_id"]).exists()
    good = ENTRY | {"gp_practice_name": "Moor Surgery", "gp_practice_code": "b86 001"}
    assert client.post(reverse("care:child_create"), good).status_code == 302
    child = Child.objects.get(la_child_id=ENTRY["la_child_id"], responsible_area=BRADFORD)
    gp = TeamMember.objects.get(child=child)
    assert (gp.role, gp.organisation, gp.code) == ("gp", "Moor Surgery", "B86001")
    assert gp.start == child.episodes.get().decom


def test_the_demo_shape_of_a_child_team_lists_in_page_order(world):
    child = child_in_care(area(BRADFORD), la_child_id="ORDER")
    _add(world, "la_a_sw", child, TeamRole.SCHOOL, organisation="Moor High School")
    _add(world, "prov_a_nurse", child, TeamRole.GP, organisation="Moor Surgery")
    _add(world, "la_a_sw", child, TeamRole.SOCIAL_WORKER, user=world.users["la_a_sw"])
    assert [m.role for m in team.current(child, TODAY)] == ["social_worker", "gp", "school"]


def test_the_childs_history_shows_each_change_before_and_after_who_and_why(world, as_user):
    child = world.children["child_a"]
    carer = _add(world, "la_a_sw", child, TeamRole.CARER, name="Jo Fox", telephone="01134960123")
    details = team.MemberDetails(start=date(2026, 9, 1), name="Jo Fox", telephone="0113 496 0999")
    team.correct_team_member(
        by=world.users["la_a_sw"], member=carer, details=details, reason="Number typed wrongly"
    )
    team.withdraw_team_member(by=world.users["la_a_sw"], member=carer, reason="Wrong child")
    history = selectors.change_history(child)
    withdrawn, corrected, added = (h for h in history if "in the team" in h.what)
    assert (withdrawn.what, withdrawn.why) == ("Carer or home in the team withdrawn", "Wrong child")
    assert corrected.what == "Carer or home in the team changed"
    assert corrected.why == "Number typed wrongly"
    assert corrected.fields == (FieldChange("Telephone", "0113 496 0123", "0113 496 0999"),)
    assert added.fields == () and added.who == str(world.users["la_a_sw"])
    page = as_user("prov_a_nurse").get(reverse("care:child_history", args=[child.pk]))
    text = page.content.decode()
    assert "Telephone: 0113 496 0123" in text and "Number typed wrongly" in text


def test_a_role_the_user_does_not_record_is_not_offered_and_is_refused_plainly(world, as_user):
    child = world.children["child_a"]
    url = reverse("care:team_add", args=[child.pk]) + "?role=named_nurse"
    page = as_user("la_a_sw").get(url).content.decode()
    assert "Choose one of the answers listed" in page and "Add the named nurse" not in page
    assert not TeamMember.objects.exists()
