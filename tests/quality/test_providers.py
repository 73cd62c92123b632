"""The provider side of quality assurance, through its services: providers, the shared visit
timetable and its chances to visit together, the concerns register and who reads it, the
children flagged to their health teams, joint funding; and the demo's providers. Every
refusal says why and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from lachealth.care.models import Episode
from lachealth.people.models import AccessLog, OrganisationKind
from lachealth.quality import joint_funding, providers
from lachealth.quality import provider_selectors as selectors
from lachealth.quality.models import (
    Concern,
    JointFunding,
    Provider,
    QaSettings,
    QualityAction,
    Visit,
)
from lachealth.quality.providers import ActionDetails

from ..conftest import BRADFORD, LEEDS
from ..factories import OrganisationFactory, area

AS_OF = date(2026, 12, 2)
WAKEFIELD = "E08000036"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


def add(world, urn="SC111111", name="Willow House", where=BRADFORD, **changes):  # type: ignore[no-untyped-def]
    values = {
        "name": name,
        "kind": "childrens_home",
        "urn": urn,
        "area_code": where,
        "postcode": "bd1 1aa",
        "opened_on": date(2020, 1, 1),
        "as_of": AS_OF,
    } | changes
    return providers.add_provider(by=world.users["la_a_data"], **values)


def schedule(world, provider, who="la_a_data", org="la_a", where=BRADFORD, on=None, **more):  # type: ignore[no-untyped-def]
    return providers.schedule_visit(
        by=world.users[who],
        provider=provider,
        organisation=world.orgs[org],
        area_code=where,
        planned_on=on or date(2026, 12, 10),
        purpose=more.pop("purpose", "Annual quality visit"),
        as_of=AS_OF,
        **more,
    )


def raise_one(world, provider, who="la_a_sw", org="la_a", where=BRADFORD, **more):  # type: ignore[no-untyped-def]
    values = {
        "raised_on": date(2026, 11, 20),
        "severity": "serious",
        "summary": "Restraint used without recording",
        "details": "Two incidents found at the visit.",
        "told": [],
    } | more
    return providers.raise_concern(
        by=world.users[who],
        provider=provider,
        area_code=where,
        raised_by=world.orgs[org],
        as_of=AS_OF,
        **values,
    )


def place(child, urn: str) -> None:
    Episode.objects.filter(child=child, dec__isnull=True).update(urn=urn)


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [m for ms in exc.value.message_dict.values() for m in ms]


# --- providers ---------------------------------------------------------------------------


def test_a_provider_is_added_with_its_history_and_audit(world):
    found = add(world, urn="sc 111111")
    assert (found.urn, found.postcode) == ("SC111111", "BD1 1AA")
    version = found.history.get()
    assert version.history_user == world.users["la_a_data"]
    assert version.history_change_reason == "added"
    assert AccessLog.objects.filter(action="create", detail="added provider Willow House").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"urn": "SC111111", "name": "Other"}, "urn", "Ofsted URN SC111111 is already Willow"),
        ({"urn": "XXXXXXX", "name": "Other"}, "urn", "Enter the Ofsted URN as Ofsted gives it"),
        ({"urn": "", "name": "  "}, "name", "Enter the provider's name"),
        ({"urn": "", "kind": "castle"}, "kind", "Choose what kind of provision it is"),
        ({"urn": "", "postcode": "nowhere"}, "postcode", "Enter a full UK postcode, like LS1 4AP"),
        ({"urn": "", "opened_on": date(2026, 12, 3)}, "opened_on", "must be today or in the past"),
        ({"urn": "", "where": "E99999999"}, "area", "Choose where the provider is from the list"),
    ],
)
def test_a_provider_with_bad_details_is_refused_with_the_reason(world, changes, field, message):
    add(world)
    before = (Provider.objects.count(), Provider.history.count(), AccessLog.objects.count())
    with pytest.raises(ValidationError) as refused:
        add(world, **changes)
    assert field in refused.value.message_dict
    assert any(message in m for m in refused.value.message_dict[field])
    assert (Provider.objects.count(), Provider.history.count(), AccessLog.objects.count()) == before


@pytest.mark.parametrize("who", ["prov_a_nurse", "prov_a_admin", "sysadmin", "norole"])
def test_only_la_staff_commissioners_and_designated_professionals_add_providers(world, who):
    with pytest.raises(PermissionDenied):
        providers.add_provider(
            by=world.users[who],
            name="Oak Lodge",
            kind="childrens_home",
            urn="",
            area_code=BRADFORD,
            postcode="",
            opened_on=date(2020, 1, 1),
            as_of=AS_OF,
        )
    assert not Provider.objects.exists()
    for allowed in ("la_a_sw", "commissioner", "icb_designated"):
        providers.add_provider(
            by=world.users[allowed],
            name=f"Home added by {allowed}",
            kind="childrens_home",
            urn="",
            area_code=BRADFORD,
            postcode="",
            opened_on=date(2020, 1, 1),
            as_of=AS_OF,
        )
    assert Provider.objects.count() == 3


def test_a_provider_cannot_have_opened_after_its_first_visit(world):
    home = add(world)
    schedule(world, home, on=date(2026, 6, 1))
    with pytest.raises(ValidationError) as refused:
        providers.change_provider(
            by=world.users["commissioner"],
            provider=home,
            name="Willow House",
            kind="childrens_home",
            urn="SC111111",
            area_code=BRADFORD,
            postcode="",
            opened_on=date(2026, 7, 1),
            as_of=AS_OF,
        )
    assert refused.value.message_dict["opened_on"] == [
        "Willow House has a visit on 1 June 2026 on the timetable: it cannot have opened after that"
    ]
    assert Provider.objects.get().opened_on == date(2020, 1, 1)
    changed = providers.change_provider(
        by=world.users["commissioner"],
        provider=home,
        name="Willow House Children's Home",
        kind="childrens_home",
        urn="SC111111",
        area_code=BRADFORD,
        postcode="",
        opened_on=date(2021, 1, 1),
        as_of=AS_OF,
    )
    assert changed.history.first().history_change_reason == "details changed"


# --- visits ------------------------------------------------------------------------------


def test_a_visit_goes_on_the_timetable_of_the_visiting_organisations_area(world):
    home = add(world)
    visit = schedule(world, home)
    assert (visit.status, visit.area_id, visit.recorded_by) == (
        "planned",
        BRADFORD,
        world.users["la_a_data"],
    )
    assert visit.history.get().history_change_reason == "scheduled"


@pytest.mark.parametrize(
    ("who", "org", "where", "on", "field", "message"),
    [
        (
            "la_a_data",
            "la_a",
            BRADFORD,
            date(2019, 12, 31),
            "planned_on",
            "The visit date must be on or after 1 January 2020, when Willow House opened",
        ),
        (
            "la_a_data",
            "la_a",
            BRADFORD,
            date(2028, 12, 3),
            "planned_on",
            "The visit date must be within 2 years of today",
        ),
        (
            "la_a_data",
            "icb",
            BRADFORD,
            None,
            "organisation",
            "Choose one of your organisations as the visiting agency",
        ),
        (
            "icb_designated",
            "icb",
            WAKEFIELD,
            None,
            "area",
            "ICB does not serve Wakefield: choose one of its areas",
        ),
        ("la_a_data", "la_a", LEEDS, None, "area", "LA A does not serve Leeds"),
    ],
)
def test_a_visit_that_breaks_a_rule_is_refused_with_the_reason(
    world, who, org, where, on, field, message
):
    home = add(world)
    with pytest.raises(ValidationError) as refused:
        schedule(world, home, who=who, org=org, where=where, on=on)
    assert any(m.startswith(message) for m in refused.value.message_dict[field])
    assert not Visit.objects.exists() and not Visit.history.exists()


@pytest.mark.parametrize("who", ["la_a_sw", "prov_a_nurse", "prov_a_admin", "sysadmin"])
def test_only_commissioners_designated_professionals_and_data_officers_schedule(world, who):
    home = add(world)
    with pytest.raises(PermissionDenied):
        schedule(world, home, who=who)
    assert not Visit.objects.exists()


def flags(world, user="la_a_data"):  # type: ignore[no-untyped-def]
    visits = list(Visit.objects.order_by("planned_on", "pk"))
    found = selectors.chances(visits, world.users[user])
    return {v.pk: [c.visit.pk for c in found.get(v.pk, [])] for v in visits}


def test_two_agencies_visiting_one_provider_within_the_window_is_a_chance(world):
    home, other = add(world), add(world, urn="SC222222", name="Oak Lodge")
    la = schedule(world, home, on=date(2026, 12, 10))
    icb = schedule(world, home, who="icb_designated", org="icb", on=date(2026, 12, 24))
    late = schedule(world, home, who="icb_designated", org="icb", on=date(2026, 12, 25))
    again = schedule(world, home, on=date(2026, 12, 12))  # the same agency: no chance
    elsewhere = schedule(world, other, who="icb_designated", org="icb", on=date(2026, 12, 10))
    found = flags(world)
    assert found[la.pk] == [icb.pk]  # 14 days apart: within the default window
    assert found[icb.pk] == [la.pk, again.pk]
    assert found[late.pk] == [again.pk]  # 15 days from the first, 13 from the second
    assert found[elsewhere.pk] == []
    providers.cancel_visit(by=world.users["la_a_data"], visit=again, reason="Staff off sick")
    assert flags(world)[late.pk] == []


def test_each_areas_register_sets_its_own_window(world):
    home = add(world)
    bradford = schedule(world, home, on=date(2026, 12, 10))
    leeds = schedule(
        world, home, who="icb_designated", org="icb", where=LEEDS, on=date(2026, 12, 16)
    )
    QaSettings.objects.create(area_id=BRADFORD, joint_visit_window_days=5)
    found = flags(world, "icb_designated")
    assert found[bradford.pk] == []  # 6 days apart: Bradford looks 5 days either side
    assert found[leeds.pk] == [bradford.pk]  # Leeds keeps the default 14
    assert providers.joint_visit_window(BRADFORD) == 5
    assert providers.joint_visit_window(LEEDS) == 14


def test_the_visiting_organisation_records_who_went_what_it_found_and_actions(world):
    home = add(world)
    visit = schedule(world, home, on=date(2026, 11, 30))
    providers.record_visit_outcome(
        by=world.users["la_a_sw"],
        visit=visit,
        visitors="Sam Jones (LA quality officer)",
        findings="Records of restraint incomplete.",
        outcome="requires_improvement",
        actions=[ActionDetails("Audit restraint records", "Home manager", date(2027, 1, 31))],
        as_of=AS_OF,
    )
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("done", "requires_improvement")
    action = QualityAction.objects.get(visit=visit)
    assert action.owner == "Home manager" and action.done_on is None
    providers.record_visit_outcome(
        by=world.users["la_a_data"],
        visit=visit,
        visitors="Sam Jones (LA quality officer)",
        findings="Records of restraint incomplete.",
        outcome="requires_improvement",
        done=[action.pk],
        as_of=AS_OF,
    )
    action.refresh_from_db()
    assert action.done_on == AS_OF
    assert visit.history.first().history_change_reason == "outcome changed"


@pytest.mark.parametrize(
    ("on", "changes", "message"),
    [
        (
            date(2026, 12, 10),
            {},
            "The visit is planned for 10 December 2026: record what it found on the day or after",
        ),
        (date(2026, 11, 30), {"visitors": " "}, "Say who went on the visit"),
        (date(2026, 11, 30), {"findings": ""}, "Enter what the visit found"),
        (date(2026, 11, 30), {"outcome": "fine"}, "Choose the visit's outcome grade"),
        (
            date(2026, 11, 30),
            {"actions": [ActionDetails("Audit", "Manager", date(2026, 11, 1))]},
            "The due date must be on or after 30 November 2026, the date of the visit",
        ),
        (
            date(2026, 11, 30),
            {"actions": [ActionDetails("Audit", "", date(2027, 1, 1))]},
            "Say who owns the action",
        ),
        (date(2026, 11, 30), {"done": [999]}, "An action marked done is done already"),
    ],
)
def test_a_visit_outcome_that_breaks_a_rule_is_refused(world, on, changes, message):
    visit = schedule(world, add(world), on=on)
    values = {
        "visitors": "Sam Jones",
        "findings": "All well.",
        "outcome": "good",
        "actions": [],
        "done": [],
    } | changes
    with pytest.raises(ValidationError) as refused:
        providers.record_visit_outcome(
            by=world.users["la_a_data"], visit=visit, as_of=AS_OF, **values
        )
    assert any(m.startswith(message) for m in messages(refused))
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.history.count() == 1
    assert not QualityAction.objects.exists()


def test_only_the_visiting_organisation_records_or_cancels_a_visit(world):
    visit = schedule(world, add(world), on=date(2026, 11, 30))
    for who in ("icb_designated", "commissioner", "la_b_sw", "prov_a_nurse"):
        with pytest.raises(PermissionDenied):
            providers.cancel_visit(by=world.users[who], visit=visit, reason="No")
        with pytest.raises(PermissionDenied):
            providers.record_visit_outcome(
                by=world.users[who],
                visit=visit,
                visitors="x",
                findings="x",
                outcome="good",
                as_of=AS_OF,
            )
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.history.count() == 1


def test_a_cancelled_visit_says_why_and_a_done_one_cannot_be_cancelled(world):
    visit = schedule(world, add(world), on=date(2026, 11, 30))
    with pytest.raises(ValidationError) as refused:
        providers.cancel_visit(by=world.users["la_a_data"], visit=visit, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the visit is cancelled"]}
    providers.record_visit_outcome(
        by=world.users["la_a_data"],
        visit=visit,
        visitors="Sam",
        findings="Fine",
        outcome="good",
        as_of=AS_OF,
    )
    with pytest.raises(ValidationError) as refused:
        providers.cancel_visit(by=world.users["la_a_data"], visit=visit, reason="Not needed")
    assert messages(refused) == ["Only a planned visit can be cancelled: this one is done"]
    planned = schedule(world, Provider.objects.get(), on=date(2027, 1, 5))
    providers.cancel_visit(by=world.users["la_a_data"], visit=planned, reason="Home closed")
    planned.refresh_from_db()
    assert (planned.status, planned.cancelled_reason) == ("cancelled", "Home closed")
    assert planned.history.first().history_change_reason == "cancelled: Home closed"


# --- concerns ----------------------------------------------------------------------------


def test_a_concern_is_raised_with_the_organisations_told(world):
    home = add(world)
    concern = raise_one(world, home, told=[world.orgs["la_b"], world.orgs["la_a"]])
    assert list(concern.told.all()) == [world.orgs["la_b"]]  # the raiser knows already
    assert concern.history.first().history_user == world.users["la_a_sw"]
    assert AccessLog.objects.filter(detail="raised a concern about Willow House").exists()


LA_A = ("la_a_sw", "la_a", BRADFORD)


@pytest.mark.parametrize(
    ("raiser", "changes", "field", "message"),
    [
        (
            LA_A,
            {"raised_on": date(2026, 12, 3)},
            "raised_on",
            "The date raised must be today or in the past",
        ),
        (
            LA_A,
            {"raised_on": date(2019, 5, 1)},
            "raised_on",
            "The date raised must be on or after 1 January 2020, when Willow House opened",
        ),
        (("la_a_sw", "la_a", LEEDS), {}, "area", "Choose the register of one of your areas"),
        (
            ("la_a_sw", "icb", BRADFORD),
            {},
            "raised_by",
            "Choose one of your organisations as the one raising it",
        ),
        (LA_A, {"severity": "dire"}, "severity", "Choose how serious the concern is"),
        (LA_A, {"summary": ""}, "summary", "Enter a summary of the concern"),
        (LA_A, {"details": "x" * 3001}, "details", "The details must be 3000 characters or fewer"),
    ],
)
def test_a_concern_that_breaks_a_rule_is_refused(world, raiser, changes, field, message):
    home = add(world)
    who, org, where = raiser
    with pytest.raises(ValidationError) as refused:
        raise_one(world, home, who=who, org=org, where=where, **changes)
    assert refused.value.message_dict[field] == [message]
    assert not Concern.objects.exists() and not Concern.history.exists()


def test_a_concern_is_raised_only_on_a_register_its_raiser_serves(world):
    from ..factories import MembershipFactory

    both = MembershipFactory(organisation=world.orgs["la_a"], role="social_worker").user
    MembershipFactory(user=both, organisation=world.orgs["icb"], role="commissioner")
    home = add(world)
    with pytest.raises(ValidationError) as refused:
        providers.raise_concern(
            by=both,
            provider=home,
            area_code=LEEDS,
            raised_by=world.orgs["la_a"],
            raised_on=AS_OF,
            severity="low",
            summary="Late notifications",
            details="",
            as_of=AS_OF,
        )
    assert refused.value.message_dict == {
        "raised_by": ["LA A does not serve Leeds: raise it on one of its registers"]
    }
    assert not Concern.objects.exists()


def test_a_concern_reaches_its_areas_staff_and_the_organisations_told_only(world):
    home = add(world)
    concern = raise_one(world, home)
    readers = {
        name
        for name, user in world.users.items()
        if selectors.reachable_concerns(user).filter(pk=concern.pk).exists()
    }
    assert readers == {
        "la_a_sw",
        "la_a_data",
        "prov_a_nurse",
        "prov_a_admin",
        "icb_designated",
        "commissioner",
    }
    providers.update_concern(
        by=world.users["la_a_sw"],
        concern=concern,
        status="open",
        tell=[world.orgs["la_b"]],
        as_of=AS_OF,
    )
    assert selectors.reachable_concerns(world.users["la_b_sw"]).filter(pk=concern.pk).exists()
    assert not selectors.reachable_concerns(world.users["la_c_sw"]).exists()
    assert not selectors.reachable_concerns(world.users["sysadmin"]).exists()
    assert concern.history.first().history_change_reason == "told LA B"


def test_who_updates_a_concern(world):
    home = add(world)
    concern = raise_one(world, home)
    for who in ("prov_a_nurse", "la_b_sw", "sysadmin"):
        with pytest.raises(PermissionDenied):
            providers.update_concern(
                by=world.users[who], concern=concern, status="closed", as_of=AS_OF
            )
    providers.update_concern(
        by=world.users["icb_designated"],
        concern=concern,
        status="monitoring",
        actions=[ActionDetails("Unannounced visit", "ICB quality team", date(2027, 1, 10))],
        as_of=AS_OF,
    )
    action = concern.actions.get()
    providers.update_concern(
        by=world.users["la_a_data"], concern=concern, status="closed", done=[action.pk], as_of=AS_OF
    )
    concern.refresh_from_db()
    action.refresh_from_db()
    assert (concern.status, action.done_on) == ("closed", AS_OF)


def test_an_update_that_changes_nothing_or_breaks_a_rule_is_refused(world):
    concern = raise_one(world, add(world))
    before = (Concern.history.count(), QualityAction.objects.count())
    for changes, message in [
        (
            {},
            "Nothing was changed: change the status, tell another organisation, or add or "
            "complete an action",
        ),
        ({"status": "gone"}, "Choose the concern's status"),
        (
            {"tell": [OrganisationFactory(kind=OrganisationKind.SERVICE)]},
            "Choose local authorities, NHS providers or ICBs in use to tell of the concern",
        ),
        (
            {"actions": [ActionDetails("Check", "Us", date(2026, 11, 1))]},
            "The due date must be on or after 20 November 2026, the date of the concern",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            providers.update_concern(
                by=world.users["la_a_sw"],
                concern=concern,
                **({"status": "open"} | changes),
                as_of=AS_OF,
            )
        assert message in messages(refused)
    assert (Concern.history.count(), QualityAction.objects.count()) == before


# --- the flag to the health teams --------------------------------------------------------


def test_children_placed_with_a_provider_with_an_open_serious_concern(world):
    home, other = add(world), add(world, urn="SC222222", name="Oak Lodge")
    a, a_out, b = (world.children[n] for n in ("child_a", "child_a_out", "child_b"))
    place(a, home.urn)
    place(b, home.urn)
    place(a_out, other.urn)

    def flagged(who: str) -> set[str]:
        return {c.la_child_id for c in selectors.placed_with_concerns_query(world.users[who])}

    moderate = raise_one(world, home, severity="moderate")
    assert flagged("icb_designated") == set()
    serious = raise_one(world, home, who="la_b_sw", org="la_b", where=LEEDS)
    assert flagged("prov_a_nurse") == {"A1"}  # Bradford's team: not Leeds's child
    assert flagged("icb_designated") == {"A1", "B1"}  # raised on Leeds's register: any counts
    assert flagged("prov_c_nurse") == set()
    rows = selectors.placed_with_concerns(world.users["icb_designated"])
    assert {(r.child.la_child_id, r.provider.name, r.serious) for r in rows} == {
        ("A1", "Willow House", 1),
        ("B1", "Willow House", 1),
    }
    raise_one(world, other, severity="serious")
    assert flagged("prov_c_nurse") == {"A2"}  # Bradford's child placed in Calderdale
    providers.update_concern(
        by=world.users["la_b_sw"], concern=serious, status="monitoring", as_of=AS_OF
    )
    assert flagged("prov_a_nurse") == {"A2"}
    Episode.objects.filter(child=a_out).update(dec=date(2026, 11, 1))  # moved on
    assert flagged("prov_a_nurse") == set()
    assert moderate.status == "open"
    assert flagged("commissioner") == set() and flagged("sysadmin") == set()


def test_the_provider_page_counts_serious_concerns_on_every_register(world):
    home = add(world)
    place(world.children["child_a"], home.urn)
    place(world.children["child_b"], home.urn)
    raise_one(world, home, who="la_b_sw", org="la_b", where=LEEDS)
    page = selectors.provider_page(world.users["la_a_sw"], home)
    assert [(s.concern.raised_by.name, s.reachable) for s in page.serious] == [("LA B", False)]
    assert page.concerns == []
    assert [c.la_child_id for c in page.children] == ["A1"]
    commissioner = selectors.provider_page(world.users["commissioner"], home)
    assert commissioner.children == [] and len(commissioner.concerns) == 1


# --- joint funding -----------------------------------------------------------------------


def fund(world, child=None, who="la_a_sw", **changes):  # type: ignore[no-untyped-def]
    values = {
        "icb": world.orgs["icb"],
        "starts_on": date(2026, 4, 1),
        "ends_on": None,
        "council_share": 60,
        "council_responsibilities": "Care and education",
        "icb_responsibilities": "Therapy and nursing care",
        "agreed_on": date(2026, 3, 20),
    } | changes
    return joint_funding.record_joint_funding(
        by=world.users[who], child=child or world.children["child_a"], as_of=AS_OF, **values
    )


def test_a_joint_funding_agreement_is_recorded_against_the_childs_council(world):
    funding = fund(world)
    assert (funding.council, funding.icb, funding.icb_share) == (
        world.orgs["la_a"],
        world.orgs["icb"],
        40,
    )
    assert AccessLog.objects.filter(
        child_id=world.children["child_a"].pk, action="create", detail__contains="joint funding"
    ).exists()
    assert joint_funding.current_funding(world.children["child_a"], AS_OF) == funding


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"council_share": 101}, "council_share", "The council's share must be between 0 and 100%"),
        (
            {"council_responsibilities": " "},
            "council_responsibilities",
            "Say what the council is responsible for",
        ),
        (
            {"icb_responsibilities": ""},
            "icb_responsibilities",
            "Say what the ICB is responsible for",
        ),
        (
            {"ends_on": date(2026, 3, 31)},
            "ends_on",
            "The end date must be on or after the start date, 1 April 2026",
        ),
        (
            {"agreed_on": date(2026, 12, 3)},
            "agreed_on",
            "The date agreed must be today or in the past",
        ),
        (
            {"agreed_on": date(1900, 1, 1)},
            "agreed_on",
            "The date agreed must be on or after the child's date of birth",
        ),
        (
            {"ends_on": date(2031, 12, 3)},
            "ends_on",
            "The end date must be within 5 years of today",
        ),
        (
            {"starts_on": date(2014, 1, 1), "ends_on": date(2014, 2, 1)},
            "starts_on",
            "The start date must be on or after the child's date of birth",
        ),
        (
            {"starts_on": date(2026, 10, 1)},
            "starts_on",
            "The agreement from 1 April 2026 with no end date overlaps this one: end it first, "
            "or date this one after it",
        ),
        (
            {"starts_on": date(2025, 1, 1), "ends_on": date(2026, 4, 1)},
            "starts_on",
            "The agreement from 1 April 2026 with no end date overlaps this one",
        ),
    ],
)
def test_a_joint_funding_agreement_that_breaks_a_rule_is_refused(world, changes, field, message):
    fund(world)
    before = (JointFunding.objects.count(), JointFunding.history.count(), AccessLog.objects.count())
    with pytest.raises(ValidationError) as refused:
        fund(world, **changes)
    assert any(m.startswith(message) for m in refused.value.message_dict[field])
    after = (JointFunding.objects.count(), JointFunding.history.count(), AccessLog.objects.count())
    assert after == before


def test_the_icb_must_serve_the_childs_responsible_area(world):
    elsewhere = OrganisationFactory(
        name="South ICB", kind=OrganisationKind.ICB, areas=[area(WAKEFIELD)]
    )
    with pytest.raises(ValidationError) as refused:
        fund(world, icb=elsewhere)
    assert refused.value.message_dict["icb"] == [
        "South ICB does not serve Bradford: choose an ICB serving the child's responsible area"
    ]
    assert not JointFunding.objects.exists()


@pytest.mark.parametrize("who", ["la_b_sw", "la_c_sw", "prov_a_nurse", "commissioner", "sysadmin"])
def test_only_the_childs_la_staff_and_designated_professionals_record_funding(world, who):
    with pytest.raises(PermissionDenied):
        fund(world, who=who)
    assert not JointFunding.objects.exists()
    fund(world, who="icb_designated", child=world.children["child_a_out"])


def test_an_agreement_is_ended_and_the_next_follows_it(world):
    first = fund(world)
    with pytest.raises(ValidationError) as refused:
        joint_funding.end_joint_funding(
            by=world.users["la_a_data"], funding=first, ends_on=date(2026, 3, 1), as_of=AS_OF
        )
    assert refused.value.message_dict == {
        "ends_on": ["The end date must be on or after the start date, 1 April 2026"]
    }
    joint_funding.end_joint_funding(
        by=world.users["la_a_data"], funding=first, ends_on=date(2026, 12, 31), as_of=AS_OF
    )
    second = fund(world, starts_on=date(2027, 1, 1), council_share=50)
    assert joint_funding.current_funding(world.children["child_a"], AS_OF) == first
    assert joint_funding.current_funding(world.children["child_a"], date(2027, 1, 2)) == second
    assert first.history.first().history_change_reason == "ended on 2026-12-31"


def test_a_designated_professional_of_the_placing_area_never_commits_another_icbs_money(world):
    """A designated professional reaches a child placed into their area, but the child's
    joint funding is with the ICB of the child's own area: not theirs to record or end."""
    from ..factories import MembershipFactory, OrganisationFactory

    elsewhere = OrganisationFactory(
        name="ICB of Calderdale", kind=OrganisationKind.ICB, areas=[area("E08000033")]
    )
    placing = MembershipFactory(
        user__username="calderdale_designated",
        organisation=elsewhere,
        role="designated_professional",
    ).user
    world.users["calderdale_designated"] = placing
    child = world.children["child_a_out"]  # Bradford's, placed in Calderdale
    with pytest.raises(PermissionDenied):
        fund(world, child=child, who="calderdale_designated")
    assert not JointFunding.objects.exists()
    funding = fund(world, child=child, who="icb_designated")
    with pytest.raises(PermissionDenied):
        joint_funding.end_joint_funding(
            by=placing, funding=funding, ends_on=date(2026, 12, 31), as_of=AS_OF
        )
    funding.refresh_from_db()
    assert funding.ends_on is None
