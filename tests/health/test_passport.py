"""Giving the health passport: assembled from the record, the young person's choices kept,
every version kept, and each refusal (under 16, a declined section, family history without
consent, no agreement and no reason, someone else's team) with its reason and nothing
written."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lachealth.health import passport
from lachealth.health.models import Passport, PassportSettings
from lachealth.health.selectors import child_facts
from lachealth.health.status import child_clocks
from lachealth.people.models import AccessLog

from ..conftest import BRADFORD
from ..factories import area

AS_OF = date(2026, 12, 2)
DOB = date(2009, 6, 15)  # 17 on AS_OF; the passport is due on 15 December 2026


def choices(**kwargs):  # type: ignore[no-untyped-def]
    given = {
        "included": ["about_me", "my_words", "contacts", "growth", "emotional", "entitlements"],
        "declined": ["sexual_health", "family"],
        "agreed": True,
    } | kwargs
    return passport.Choices(**given)


def give(world, child, as_of=AS_OF, **kwargs):  # type: ignore[no-untyped-def]
    written = kwargs.pop("written", passport.Written(own_words="I use an inhaler when I run."))
    return passport.give(
        by=kwargs.pop("by", world.users["prov_a_nurse"]),
        child=child,
        choices=choices(**kwargs),
        written=written,
        as_of=as_of,
    )


def test_the_passport_is_assembled_from_the_record_as_chosen(world, young_person):
    given = give(world, young_person)
    assert (given.version, given.given_on, given.provider) == (1, AS_OF, world.orgs["prov_a"])
    assert given.due_on == date(2026, 12, 15)  # 17 years 6 months: kept for the measure
    assert given.sections == [
        "about_me",
        "my_words",
        "contacts",
        "growth",
        "emotional",
        "entitlements",
    ]
    assert given.declined == ["family", "sexual_health"]
    content = given.content
    assert list(content) == given.sections
    assert ["Date of birth", "2009-06-15"] in content["about_me"]["rows"]
    assert content["my_words"]["text"] == "I use an inhaler when I run."
    assert content["contacts"]["table"]["rows"][0][:3] == [
        "GP practice",
        "Park Surgery",
        "0113 496 0000",
    ]
    assert content["growth"]["table"]["rows"] == [["2026-06-01", "171.0", "60.50", ""]]
    assert content["emotional"]["points"] == [["2025-06-01", 18], ["2026-06-01", 12]]
    assert "25th birthday" in content["entitlements"]["text"]
    assert "assessments" not in content  # not chosen, not given
    assert AccessLog.objects.filter(
        child_id=young_person.pk, action="create", detail="gave health passport version 1"
    ).exists()


def test_the_areas_own_text_goes_in(world, young_person):
    PassportSettings.objects.create(
        area=area(BRADFORD), entitlements="Bradford care leavers: free prescriptions to 25."
    )
    given = give(world, young_person)
    assert (
        given.content["entitlements"]["text"] == "Bradford care leavers: free prescriptions to 25."
    )


def test_giving_it_again_keeps_every_version(world, young_person):
    first = give(world, young_person)
    second = give(
        world,
        young_person,
        as_of=date(2027, 1, 5),
        written=passport.Written(own_words="I have stopped needing my inhaler."),
    )
    assert second.version == 2
    first.refresh_from_db()
    assert first.content["my_words"]["text"] == "I use an inhaler when I run."
    assert list(Passport.objects.filter(child=young_person).values_list("version", flat=True)) == [
        2,
        1,
    ]


def test_giving_the_passport_stops_its_clock(world, young_person):
    before = {c.code for c in child_clocks(child_facts(young_person), AS_OF)}
    assert "PASSPORT" in before
    give(world, young_person)
    after = child_clocks(child_facts(young_person), AS_OF, include_done=True)
    done = next(c for c in after if c.code == "PASSPORT")
    assert done.status.state == "done_on_time" and done.status.done == AS_OF
    assert "PASSPORT" not in {c.code for c in child_clocks(child_facts(young_person), AS_OF)}


def test_the_areas_age_sets_when_it_is_due(world, young_person):
    PassportSettings.objects.create(area=area(BRADFORD), due_months=17 * 12)
    clock = next(c for c in child_clocks(child_facts(young_person), AS_OF) if c.code == "PASSPORT")
    assert clock.status.due == date(2026, 6, 15) and clock.status.state == "overdue"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"included": ["about_me", "sexual_health"], "declined": ["sexual_health"]},
            "sections",
            "The young person said no to Sexual health: leave it out of the passport",
        ),
        ({"included": []}, "sections", "Choose at least one section for the passport"),
        (
            {"included": ["about_me", "family"], "declined": []},
            "family_history_consent",
            "Family health history goes in only with the young person's consent",
        ),
        ({"agreed": None}, "agreed", "Say whether the young person agreed to the passport"),
        (
            {"agreed": False, "without_agreement_reason": "  "},
            "without_agreement_reason",
            "Say why the passport is given without the young person's agreement",
        ),
        ({"included": ["about_me", "zzz"]}, "sections", "Choose sections from the list"),
    ],
)
def test_a_passport_the_young_person_did_not_choose_is_refused(
    world, young_person, kwargs, field, message
):
    with pytest.raises(ValidationError) as refused:
        give(world, young_person, **kwargs)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Passport.objects.exists()


def test_without_agreement_it_is_given_with_the_reason(world, young_person):
    given = give(world, young_person, agreed=False, without_agreement_reason="Moved away suddenly")
    assert not given.agreed and given.without_agreement_reason == "Moved away suddenly"


def test_family_history_goes_in_with_consent_only(world, young_person):
    written = passport.Written(
        family_history="Mum has type 1 diabetes", family_history_consent=True
    )
    given = give(world, young_person, included=["about_me", "family"], declined=[], written=written)
    assert given.content["family"]["text"] == "Mum has type 1 diabetes"


def test_a_child_under_16_is_refused(world):
    child = world.children["child_a"]  # born 1 June 2015
    with pytest.raises(ValidationError) as refused:
        give(world, child)
    assert refused.value.message_dict["__all__"] == [
        f"A health passport is given from the 16th birthday: {child} is 16 on 1 June 2031"
    ]
    assert not Passport.objects.exists()


@pytest.mark.parametrize("user", ["prov_a_admin", "prov_c_nurse", "la_a_sw", "icb_designated"])
def test_only_the_health_team_serving_the_young_person_gives_it(world, young_person, user):
    with pytest.raises(PermissionDenied):
        give(world, young_person, by=world.users[user])
    assert not Passport.objects.exists()


def test_family_history_left_out_is_not_kept(world, young_person):
    """Consent ticked but the section left out: the history is not stored either."""
    given = give(
        world,
        young_person,
        written=passport.Written(family_history="Diabetes", family_history_consent=True),
    )
    assert given.family_history == "" and "family" not in given.content
