"""The clinical summary: recorded by the health team with checked codes, read in full by
health and in part by the LA, corrected with a reason, withdrawn not deleted, updated by an
assessment whose health plan takes as many actions as it needs, up to a stated limit."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from lachealth.health import summary
from lachealth.health.models import ClinicalEntry, HealthAssessment, HealthPlanAction
from lachealth.people.models import AccessLog

from .test_views import ASSESSMENT, assess

AS_OF = date(2024, 2, 1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2024-02-01 10:00:00 +0000", tick=False):
        yield


def _add(world, kind="condition", by="prov_a_nurse", child="child_a", **details):  # type: ignore[no-untyped-def]
    details.setdefault("term", "Asthma")
    return summary.add_entry(
        by=world.users[by],
        child=world.children[child],
        kind=kind,
        details=summary.EntryDetails(**details),
        as_of=AS_OF,
    )


def test_the_health_team_records_a_coded_condition_and_the_la_cannot(world):
    entry = _add(world, code="195 967 001", start=date(2020, 3, 1), shareable=True)
    assert (entry.code, entry.term, entry.recorded_by) == (
        "195967001",
        "Asthma",
        world.users["prov_a_nurse"],
    )
    _add(world, "medicine", by="prov_a_admin", term="Salbutamol", dose="2 puffs when needed")
    for user in ("la_a_sw", "icb_designated", "prov_c_nurse"):
        with pytest.raises(PermissionDenied):
            _add(world, by=user)
    assert ClinicalEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "details", "field", "message"),
    [
        ("condition", {"code": "195967002"}, "code", "not a valid SNOMED CT code"),
        ("medicine", {"code": "paracetamol"}, "code", "The dm+d code must be 6 to 18 digits"),
        ("condition", {"term": "  "}, "term", "Enter the condition or diagnosis"),
        ("allergy", {"term": ""}, "term", "Enter what the child is allergic to"),
        ("condition", {"start": date(2010, 1, 1)}, "start", "on or after the date of birth"),
        ("condition", {"start": date(2024, 2, 2)}, "start", "today or in the past"),
        ("condition", {"end": date(2024, 2, 2)}, "end", "today or in the past"),
        ("medicine", {"end": date(2025, 2, 2)}, "end", "within a year from today"),
        (
            "condition",
            {"start": date(2023, 5, 1), "end": date(2023, 4, 1)},
            "end",
            "on or after the start date",
        ),
    ],
)
def test_bad_entries_are_refused_by_field_and_nothing_is_written(
    world, kind, details, field, message
):
    with pytest.raises(ValidationError) as refused:
        _add(world, kind, **details)
    assert message in refused.value.message_dict[field][0]
    assert not ClinicalEntry.objects.exists() and not ClinicalEntry.history.exists()


def test_a_course_of_medicine_may_end_ahead_and_other_kinds_keep_only_their_fields(world):
    course = _add(world, "medicine", term="Amoxicillin", end=date(2024, 2, 8), reaction="x")
    assert course.end == date(2024, 2, 8) and course.reaction == ""
    alert = _add(world, "alert", term="Carries an adrenaline pen", code="195967001", dose="1")
    assert (alert.code, alert.dose) == ("", "")


def test_the_la_reads_only_what_health_shares_and_alerts_come_first(world):
    _add(world, term="Depression")
    _add(world, term="Asthma", shareable=True)
    _add(world, "alert", term="Severe nut allergy: two adrenaline pens", shareable=True)
    _add(world, term="Eczema", start=date(2020, 1, 1), end=date(2023, 6, 1), shareable=True)
    withdrawn = _add(world, term="Wrong child", shareable=True)
    summary.withdraw_entry(by=world.users["prov_a_nurse"], entry=withdrawn, reason="Wrong child")
    la = summary.summary_for(world.users["la_a_sw"], world.children["child_a"], AS_OF)
    assert not la.complete
    assert [e.term for e in la.current["condition"]] == ["Asthma"]
    assert [e.term for e in la.alerts] == ["Severe nut allergy: two adrenaline pens"]
    assert [e.term for e in la.past] == ["Eczema"]
    health = summary.summary_for(world.users["icb_designated"], world.children["child_a"], AS_OF)
    assert health.complete
    assert {e.term for e in health.current["condition"]} == {"Asthma", "Depression"}
    assert [e.term for e in health.past] == ["Eczema", "Wrong child"]


def test_a_correction_keeps_its_reason_and_a_withdrawn_entry_stays(world):
    entry = _add(world, term="Asthama")
    fixed = summary.EntryDetails(term="Asthma", code="195967001")
    with pytest.raises(ValidationError, match="Say why"):
        summary.correct_entry(by=world.users["prov_a_nurse"], entry=entry, details=fixed, reason="")
    with pytest.raises(PermissionDenied):
        summary.correct_entry(by=world.users["la_a_sw"], entry=entry, details=fixed, reason="x")
    summary.correct_entry(
        by=world.users["prov_a_nurse"], entry=entry, details=fixed, reason="Spelling", as_of=AS_OF
    )
    latest, first = entry.history.all()[:2]
    assert (first.term, latest.term, latest.history_change_reason) == (
        "Asthama",
        "Asthma",
        "Spelling",
    )
    summary.withdraw_entry(by=world.users["prov_a_nurse"], entry=entry, reason="Not this child")
    assert ClinicalEntry.objects.get(pk=entry.pk).withdrawn_reason == "Not this child"
    with pytest.raises(ValidationError, match="withdrawn and cannot be changed"):
        summary.correct_entry(
            by=world.users["prov_a_nurse"], entry=entry, details=fixed, reason="x"
        )


# Pages


def test_alerts_lead_the_childs_page_and_the_la_sees_the_shared_part(world, as_user):
    _add(world, term="Depression")
    _add(world, "alert", term="Epilepsy: rescue medicine goes with the child", shareable=True)
    url = reverse("care:child_detail", args=[world.children["child_a"].pk])
    for user in ("la_a_sw", "prov_a_nurse"):
        page = as_user(user).get(url).content.decode()
        alert = page.index("Epilepsy: rescue medicine goes with the child")
        assert alert < page.index("Team around the child") and 'id="alerts"' in page
    la_page = as_user("la_a_sw").get(url).content.decode()
    assert "Depression" not in la_page and "Add to the clinical summary" not in la_page
    nurse_page = as_user("prov_a_nurse").get(url).content.decode()
    assert "Depression" in nurse_page and "Add to the clinical summary" in nurse_page


def test_a_nurse_adds_a_condition_from_the_childs_page(world, as_user):
    client = as_user("prov_a_nurse")
    child = world.children["child_a"]
    add = reverse("health:entry_add", args=[child.pk])
    assert "Condition or diagnosis" in client.get(add).content.decode()
    refused = client.post(f"{add}?kind=condition", {"term": "Asthma", "code": "12"})
    assert "The SNOMED CT code must be 6 to 18 digits" in refused.content.decode()
    assert "There is a problem" in refused.content.decode()
    assert not ClinicalEntry.objects.exists()
    done = client.post(f"{add}?kind=condition", {"term": "Asthma", "code": "195967001"})
    assert done.status_code == 302 and done["Location"].endswith("#clinical-summary")
    assert ClinicalEntry.objects.get().code == "195967001"
    assert AccessLog.objects.filter(child_id=child.pk, detail="added condition").exists()


def test_no_other_area_or_role_reaches_an_entry(world, as_user):
    entry = _add(world)
    pages = [
        reverse("health:entry_edit", args=[entry.pk]),
        reverse("health:entry_withdraw", args=[entry.pk]),
    ]
    for page in pages:
        for user, status in (
            ("prov_c_nurse", 404),
            ("la_b_sw", 404),
            ("la_a_sw", 403),
            ("icb_designated", 403),
            ("commissioner", 403),
        ):
            assert as_user(user).get(page).status_code == status, (user, page)
            assert as_user(user).post(page, {"reason": "x"}).status_code == status
        assert Client().get(page).status_code == 302
    add = reverse("health:entry_add", args=[world.children["child_a"].pk])
    assert as_user("prov_c_nurse").get(add).status_code == 404
    assert as_user("la_a_sw").get(add).status_code == 403
    assert ClinicalEntry.objects.get().withdrawn_reason == ""


def test_correcting_and_withdrawing_from_the_pages(world, as_user):
    entry = _add(world, term="Asthama")
    client = as_user("prov_a_nurse")
    edit = reverse("health:entry_edit", args=[entry.pk])
    assert client.get(edit).status_code == 200
    assert AccessLog.objects.filter(detail="entry_edit").exists()
    refused = client.post(edit, {"term": "Asthma"})
    assert "Say why you are making this change" in refused.content.decode()
    assert client.post(edit, {"term": "Asthma", "reason": "Spelling"}).status_code == 302
    assert ClinicalEntry.objects.get().term == "Asthma"
    withdraw = reverse("health:entry_withdraw", args=[entry.pk])
    assert client.post(withdraw, {"reason": "Wrong child"}).status_code == 302
    assert client.get(edit).status_code == 403


# The assessment form


def test_add_another_action_gives_one_more_row_and_saves_nothing(world, as_user):
    client = as_user("prov_a_nurse")
    page = assess(client, world, add="actions", **{"actions-0-need": "Sleep"})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" not in text
    assert 'id="action-4"' in text and 'value="Sleep"' in text
    assert not HealthAssessment.objects.exists()


def test_the_plan_takes_many_actions_each_with_who_does_it(world, as_user):
    rows = {"actions-TOTAL_FORMS": "12"}
    owners = ["la", "health", "carer", "gp", "school", "service", "young_person"]
    for i in range(12):
        rows |= {
            f"actions-{i}-need": f"Need {i}",
            f"actions-{i}-action": f"Action {i}",
            f"actions-{i}-owner_kind": owners[i % 7],
            f"actions-{i}-due_on_0": "1",
            f"actions-{i}-due_on_1": "3",
            f"actions-{i}-due_on_2": "2024",
        }
    rows["actions-5-owner_name"] = "CAMHS"
    assert assess(as_user("prov_a_nurse"), world, **rows).status_code == 302
    actions = HealthPlanAction.objects.order_by("pk")
    assert actions.count() == 12
    assert actions[5].done_by_whom == "Another service: CAMHS"
    assert actions[2].owner == world.orgs["la_a"] and actions[3].owner == world.orgs["prov_a"]


@pytest.mark.parametrize("total", ["31", "2000"])
def test_more_actions_than_the_limit_are_refused_saying_the_limit(world, as_user, total):
    page = assess(as_user("prov_a_nurse"), world, **{"actions-TOTAL_FORMS": total})
    assert "An assessment can record up to 30 health plan actions" in page.content.decode()
    assert not HealthAssessment.objects.exists()


def test_every_error_of_the_form_shows_at_once_named_by_row(world, as_user):
    page = assess(
        as_user("prov_a_nurse"),
        world,
        professional="",
        **{"actions-1-action": "See dentist", "entries-0-term": "Asthma"},
    )
    text = page.content.decode()
    for message in (
        "Choose their registration",
        "Action 2: Enter the need",
        "Action 2: Choose who does the action",
        "New summary entry 1: Choose what it is",
    ):
        assert re.search(rf">\s*{message}\s*</a>", text), message
    assert not HealthAssessment.objects.exists()


def test_an_assessment_adds_to_the_summary_and_resolves_what_has_gone(world, as_user):
    eczema = _add(world, term="Eczema", start=date(2020, 1, 1))
    rows = {
        "summary-ended": [str(eczema.pk)],
        "entries-TOTAL_FORMS": "2",
        "entries-0-kind": "allergy",
        "entries-0-term": "Peanuts",
        "entries-0-code": "91935009",
        "entries-0-particulars": "Swollen lips",
        "entries-0-severity": "severe",
        "entries-1-kind": "medicine",
        "entries-1-term": "Cetirizine",
        "entries-1-particulars": "5 mg each day",
    }
    assert assess(as_user("prov_a_nurse"), world, **rows).status_code == 302
    assessment = HealthAssessment.objects.get()
    eczema.refresh_from_db()
    assert eczema.end == assessment.completed_on
    allergy, medicine = assessment.clinical_entries.order_by("pk")
    assert (allergy.kind, allergy.reaction, allergy.severity) == (
        "allergy",
        "Swollen lips",
        "severe",
    )
    assert (medicine.kind, medicine.dose, medicine.reaction) == ("medicine", "5 mg each day", "")


def test_a_bad_summary_entry_refuses_the_whole_assessment(world, as_user):
    rows = {"entries-0-kind": "condition", "entries-0-term": "Asthma", "entries-0-code": "12345"}
    page = assess(as_user("prov_a_nurse"), world, **rows)
    assert "Condition or diagnosis “Asthma”: The SNOMED CT code" in page.content.decode()
    assert not HealthAssessment.objects.exists() and not ClinicalEntry.objects.exists()
    assert ASSESSMENT["entries-TOTAL_FORMS"] == "1"


@pytest.mark.parametrize(
    ("overrides", "message", "not_also"),
    [
        ({"height_cm": "300"}, "Height must be 230 cm or less", "Enter both height and weight"),
        ({"weight_kg": "0.5"}, "Weight must be 1 kg or more", "Enter both height and weight"),
        ({"height_cm": "tall"}, "Height must be a number in cm", "Enter a number"),
        ({"height_cm": "140.25"}, "Height must have no more than 1 decimal place", "places"),
        ({"actions-0-need": "x" * 301}, "Action 1: Need must be 300 characters or fewer", "Ensure"),
        ({"actions-0-owner_kind": "mayor"}, "Choose who does it from the list", "Select a valid"),
    ],
)
def test_errors_are_said_the_nhs_way_once(world, as_user, overrides, message, not_also):
    page = assess(as_user("prov_a_nurse"), world, **overrides).content.decode()
    assert message in page and not_also not in page
    assert "Ensure this value" not in page
    assert not HealthAssessment.objects.exists()
