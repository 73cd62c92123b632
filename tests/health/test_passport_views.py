"""The passport's pages: the nurse prepares and gives it with the young person's choices; the
page and the PDF (tagged, real text, the chart's numbers); the LA sees only that it was given;
the care leavers owed one; the area's settings. Every view by role, and what bad input gets."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from lachealth.health import passport
from lachealth.health.models import Passport, PassportSettings
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD
from ..factories import ChildFactory, EpisodeFactory, area
from .conftest import AS_OF


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


def form_data(**changes: str) -> dict[str, str]:
    """What the nurse posts: every section answered, as the young person chose."""
    data = {f"section_{s.key}": "in" if s.in_by_default else "out" for s in passport.SECTIONS}
    data |= {
        "own_words": "I use an inhaler when I run.\n\nI don't like needles.",
        "birth_history": "",
        "family_history": "",
        "sexual_health": "",
        "agreed": "yes",
        "without_agreement_reason": "",
    }
    return data | changes


def given(world, child):  # type: ignore[no-untyped-def]
    return passport.give(
        by=world.users["prov_a_nurse"],
        child=child,
        choices=passport.Choices(
            included=["about_me", "my_words", "emotional", "entitlements"],
            declined=["family", "sexual_health"],
            agreed=True,
        ),
        written=passport.Written(own_words="I use an inhaler when I run."),
        as_of=AS_OF,
    )


def test_the_nurse_goes_through_every_section_and_gives_it(world, as_user, young_person):
    nurse = as_user("prov_a_nurse")
    url = reverse("health:passport_prepare", args=[young_person.pk])
    page = nurse.get(url).content.decode()
    for section in passport.SECTIONS:
        assert section.title in page
    assert "Park Surgery" in page  # assembled from the record, not retyped
    assert "Register with a dentist near the new flat" in page
    assert AccessLog.objects.filter(
        user=world.users["prov_a_nurse"], child_id=young_person.pk, action="view"
    ).exists()

    response = nurse.post(url, form_data(section_growth="out"))
    made = Passport.objects.get(child=young_person)
    assert response.status_code == 302
    assert response["Location"] == reverse("health:passport", args=[made.pk])
    assert "growth" in made.declined and "growth" not in made.sections
    assert (
        made.content["my_words"]["text"] == "I use an inhaler when I run.\n\nI don't like needles."
    )

    page = nurse.get(response["Location"]).content.decode()
    assert "I don&#39;t like needles." in page and "Version 1, given on 2 December 2026" in page
    assert "Growth" not in page  # left out
    assert "Line chart of the strengths and difficulties score over time: " in page
    assert "1 June 2025 18, 1 June 2026 12" in page  # the chart's numbers, in words


def test_the_next_version_starts_from_the_last(world, as_user, young_person):
    given(world, young_person)
    nurse = as_user("prov_a_nurse")
    page = nurse.get(reverse("health:passport_prepare", args=[young_person.pk])).content.decode()
    assert "Update the health passport" in page and "makes version 2" in page
    assert "I use an inhaler when I run." in page  # their words, to change or keep
    response = nurse.post(
        reverse("health:passport_prepare", args=[young_person.pk]),
        form_data(own_words="I no longer need my inhaler."),
    )
    assert response.status_code == 302
    assert list(young_person.passports.values_list("version", flat=True)) == [2, 1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"section_family": "in", "family_history": "Diabetes on my mum's side."},
            "Family health history goes in only with the young person&#39;s consent",
        ),
        ({"agreed": ""}, "Say whether the young person agreed to the passport"),
        (
            {"agreed": "no"},
            "Say why the passport is given without the young person&#39;s agreement",
        ),
        (
            {f"section_{s.key}": "out" for s in passport.SECTIONS},
            "Choose at least one section for the passport",
        ),
        ({"section_growth": ""}, "Say whether “Growth” goes in"),
        ({"own_words": "x" * 3001}, "must be 3000 characters or fewer"),
    ],
)
def test_a_passport_not_as_chosen_is_refused_with_the_reason(
    world, as_user, young_person, changes, message
):
    response = as_user("prov_a_nurse").post(
        reverse("health:passport_prepare", args=[young_person.pk]), form_data(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()
    assert not Passport.objects.exists()


def test_a_child_under_16_is_given_no_passport(world, as_user):
    child = world.children["child_a"]  # born in 2015
    response = as_user("prov_a_nurse").post(
        reverse("health:passport_prepare", args=[child.pk]), form_data()
    )
    page = response.content.decode()
    assert "is not 16 yet" in page and "A health passport is given from the 16th birthday" in page
    assert not Passport.objects.exists()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),
        ("prov_a_admin", 403),  # gives no passport: a practitioner does
        ("icb_designated", 403),
        ("la_a_sw", 403),
        ("prov_c_nurse", 404),  # another area's health team
        ("la_b_sw", 404),
        ("commissioner", 403),
        ("sysadmin", 403),
    ],
)
def test_who_prepares_a_passport(world, as_user, young_person, user, status):
    url = reverse("health:passport_prepare", args=[young_person.pk])
    assert as_user(user).get(url).status_code == status
    assert as_user(user).post(url, form_data()).status_code in {302, status}
    assert Passport.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),
        ("prov_a_admin", 200),
        ("icb_designated", 200),
        ("la_a_sw", 403),  # sees that it was given, not what it says
        ("la_a_data", 403),
        ("prov_c_nurse", 404),
        ("la_b_sw", 404),
        ("commissioner", 403),
        ("sysadmin", 403),
    ],
)
def test_who_reads_a_passport(world, as_user, young_person, user, status):
    made = given(world, young_person)
    client = as_user(user)
    assert client.get(reverse("health:passport", args=[made.pk])).status_code == status
    assert client.get(reverse("health:passport_pdf", args=[made.pk])).status_code == status


def test_the_la_sees_that_it_was_given_and_when_not_what_it_says(world, as_user, young_person):
    made = given(world, young_person)
    page = as_user("la_a_sw").get(reverse("care:child_detail", args=[young_person.pk]))
    text = page.content.decode()
    assert "Given on 2 December 2026" in text
    assert reverse("health:passport", args=[made.pk]) not in text
    assert "inhaler" not in text
    nurse_page = as_user("prov_a_nurse").get(reverse("care:child_detail", args=[young_person.pk]))
    assert reverse("health:passport", args=[made.pk]) in nurse_page.content.decode()


def structure_roles(node, seen=None) -> set[str]:  # type: ignore[no-untyped-def]
    """The roles (/S) of every element of a PDF's structure tree."""
    seen = set() if seen is None else seen
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for kid in node:
            structure_roles(kid, seen)
    elif isinstance(node, dict):
        if "/S" in node:
            seen.add(str(node["/S"]))
        if "/K" in node:
            structure_roles(node["/K"], seen)
    return seen


def test_the_pdf_is_real_tagged_text_with_the_charts_numbers(world, as_user, young_person):
    made = given(world, young_person)
    response = as_user("prov_a_nurse").get(reverse("health:passport_pdf", args=[made.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="health-passport-2026-12-02-v1.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "My health passport" in text and "Sam Reed" in text
    assert "I use an inhaler when I run." in text
    assert "What I want people to know about my health" in text
    assert "1 June 2025" in text and "18" in text  # the SDQ table beside the chart
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged, so a screen reader finds the headings
    assert root["/Lang"] == "en-GB"
    roles = structure_roles(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/Figure"} <= roles
    assert AccessLog.objects.filter(
        child_id=young_person.pk, action="export", detail="health passport version 1 as PDF"
    ).exists()


def leaver(last_name: str, born: date, left: date):  # type: ignore[no-untyped-def]
    """A young person of Bradford who left care on `left`, after two years in care."""
    child = ChildFactory(
        responsible_area=area(BRADFORD),
        current_placement_area=None,
        looked_after=False,
        last_name=last_name,
        date_of_birth=born,
    )
    EpisodeFactory(
        child=child,
        decom=date(left.year - 2, 1, 10),
        dec=left,
        rec="E11",
        placement_area=area(BRADFORD),
    )
    return child


def test_leaving_short_breaks_is_not_leaving_care(world, as_user):
    """A young person whose last stay was a short break (LS V3) left full care at 15: they
    are owed no passport for the short break they ended at 17."""
    child = leaver("Breaks", date(2008, 3, 1), date(2023, 2, 1))
    EpisodeFactory(
        child=child,
        decom=date(2025, 1, 6),
        dec=date(2025, 6, 1),
        rne="S",
        ls="V3",
        rec="E11",
        placement_area=area(BRADFORD),
    )
    page = as_user("prov_a_nurse").get(reverse("health:passports_owed")).content.decode()
    assert "Breaks, " not in page


def test_care_leavers_who_left_without_a_passport_are_owed_one(world, as_user):
    owed = leaver("Leaver", date(2007, 3, 1), date(2025, 3, 1))  # 19 now
    older = leaver("Older", date(2003, 3, 1), date(2021, 3, 1))  # 23 now
    had_one = leaver("Haswon", date(2007, 5, 1), date(2025, 5, 1))
    leaver("Young", date(2010, 5, 1), date(2026, 4, 30))  # left the day before 16
    passport.give(
        by=world.users["prov_a_nurse"],
        child=had_one,
        choices=passport.Choices(included=["about_me"], agreed=True),
        written=passport.Written(),
        as_of=AS_OF,
    )
    url = reverse("health:passports_owed")
    page = as_user("prov_a_nurse").get(url).content.decode()
    assert "Leaver, " in page and "Older" not in page and "Haswon" not in page
    assert "Young, " not in page  # left care before 16: no care leaver
    assert reverse("health:passport_prepare", args=[owed.pk]) in page
    on_request = as_user("prov_a_nurse").get(url + "?to=25").content.decode()
    assert "Leaver, " in on_request and "Older, " in on_request
    assert reverse("care:child_detail", args=[older.pk]) in on_request
    la_page = as_user("la_a_sw").get(url).content.decode()
    assert "Leaver, " in la_page and "Prepare the passport" not in la_page
    assert "Leaver" not in as_user("la_b_sw").get(url).content.decode()
    assert as_user("commissioner").get(url).status_code == 403


def test_a_system_administrator_edits_an_areas_passport_text(world, as_user):
    admin = as_user("sysadmin")
    url = reverse("health:passport_settings_edit", args=[BRADFORD])
    assert "Bradford" in admin.get(reverse("health:passport_settings_index")).content.decode()
    page = admin.get(url).content.decode()
    assert "25th birthday" in page  # the defaults, to edit
    data = {
        "due_months": "204",
        "entitlements": "Free prescriptions to 25.",
        "gp_how_to": "Ask any practice.",
        "urgent_how_to": "Call 111.",
        "sexual_health_services": "Bradford sexual health clinic, 01274 000000.",
        "mental_health_services": "",
    }
    assert admin.post(url, data).status_code == 302
    saved = PassportSettings.objects.get(area_id=BRADFORD)
    assert (saved.due_months, saved.entitlements) == (204, "Free prescriptions to 25.")
    refused = admin.post(url, data | {"due_months": "180", "entitlements": ""})
    text = refused.content.decode()
    assert refused.status_code == 200 and "192" in text and "Enter" in text
    assert PassportSettings.objects.get(area_id=BRADFORD).due_months == 204
    for user in ("prov_a_nurse", "la_a_sw", "commissioner"):
        assert as_user(user).get(url).status_code == 403
