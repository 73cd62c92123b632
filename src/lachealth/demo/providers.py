"""Demo providers of external provision, made through the quality services as their users
would: a provider for each Ofsted URN of the demo's current placements (not the councils' own
fostering services), a year of quality visits by the councils and the ICB with their outcomes
and actions (some pairs close enough to make together), a few concerns, one of them open and
serious about a provider where children are placed, and two joint-funded placements."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from lachealth.care.models import Episode
from lachealth.people.models import Membership, Organisation, OrganisationKind, Role
from lachealth.quality import joint_funding
from lachealth.quality import providers as services
from lachealth.quality.models import Provider, ProviderKind, Visit, VisitGrade

KIND_FOR_PLACE = {
    "K1": ProviderKind.CHILDRENS_HOME,
    "K2": ProviderKind.CHILDRENS_HOME,
    "R1": ProviderKind.CHILDRENS_HOME,
    "K3": ProviderKind.SUPPORTED_ACCOMMODATION,
    "H5": ProviderKind.SUPPORTED_ACCOMMODATION,
    "S1": ProviderKind.RESIDENTIAL_SCHOOL,
    "T4": ProviderKind.RESIDENTIAL_SCHOOL,
}
FIRST = (
    "Willow", "Oakfield", "Beech", "Hawthorn", "Moorview", "Riverside", "Larch", "Heather",
    "Elm", "Rowan", "Brook", "Meadow", "Ashgrove", "Fernlea", "Hollin", "Kestrel", "Laurel",
    "Millbank", "Northgate", "Thornhill", "Whinmoor", "Cedar", "Bramble", "Clough",
)  # fmt: skip
LAST = {
    ProviderKind.CHILDRENS_HOME: ("House", "Lodge", "Court", "Children's Home", "View"),
    ProviderKind.FOSTERING_AGENCY: ("Family Fostering", "Foster Care", "Fostering Partnership"),
    ProviderKind.RESIDENTIAL_SCHOOL: ("School", "Residential School", "Academy"),
    ProviderKind.SPECIAL_SCHOOL: ("Special School",),
    ProviderKind.SUPPORTED_ACCOMMODATION: ("Supported Living", "Step Up Housing", "Flats"),
    ProviderKind.OTHER: ("Care Services", "Family Centre"),
}
FINDINGS = {
    VisitGrade.OUTSTANDING: "Young people spoke warmly of staff; health plans followed closely.",
    VisitGrade.GOOD: "Good relationships; health appointments kept; minor gaps in records.",
    VisitGrade.REQUIRES_IMPROVEMENT: "Medication records incomplete; dental checks overdue.",
    VisitGrade.INADEQUATE: "Restraint not recorded; missing-from-care follow-up not done.",
}
GRADES = (
    [VisitGrade.OUTSTANDING]
    + [VisitGrade.GOOD] * 5
    + [VisitGrade.REQUIRES_IMPROVEMENT] * 3
    + [VisitGrade.INADEQUATE]
)
ACTIONS = (
    ("Audit medication administration records", "Registered manager"),
    ("Book overdue dental checks", "Home's health lead"),
    ("Refresh restraint training for all staff", "Registered manager"),
    ("Share return-home interview findings with the LAC health team", "Deputy manager"),
)


def make_providers(*, as_of: date, rng: random.Random) -> dict[str, int]:
    """Providers, visits, concerns and joint funding for the demo's placements on `as_of`;
    returns how many of each were made."""
    staff = _staff()
    placed = _placements()
    names: set[str] = set()
    made = {u: _provider(u, eps, staff, names, as_of, rng) for u, eps in sorted(placed.items())}
    visits = _visits(made, placed, staff, as_of, rng)
    concerns = _concerns(made, placed, staff, as_of, rng)
    fundings = _joint_funding(placed, staff, as_of)
    return {
        "providers": len(made),
        "visits": visits,
        "concerns": concerns,
        "joint_fundings": fundings,
    }


def _staff() -> dict[str, Any]:
    """The demo's people who act here: each council's data officer and social worker, by
    area, and the ICB's designated nurse and commissioner."""
    rows = Membership.objects.filter(
        user__is_demo=True, user__is_active=True, is_active=True, organisation__is_active=True
    ).select_related("user", "organisation")
    found: dict[str, Any] = {"officer": {}, "social_worker": {}, "icb": None}
    for m in rows.order_by("pk"):
        org = m.organisation
        if org.kind == OrganisationKind.LOCAL_AUTHORITY and m.role in (
            Role.DATA_OFFICER,
            Role.SOCIAL_WORKER,
        ):
            key = "officer" if m.role == Role.DATA_OFFICER else "social_worker"
            for code in org.areas.values_list("code", flat=True):
                found[key].setdefault(code, (m.user, org))
        elif org.kind == OrganisationKind.ICB and m.role == Role.DESIGNATED_PROFESSIONAL:
            found["icb"] = found["icb"] or (m.user, org)
    found["icb_areas"] = set(found["icb"][1].areas.values_list("code", flat=True))
    return found


def _placements() -> dict[str, list[Episode]]:
    """The current placements with an Ofsted URN, by URN, leaving out the councils' own."""
    placed: dict[str, list[Episode]] = defaultdict(list)
    for e in (
        Episode.objects.filter(dec__isnull=True, child__looked_after=True)
        .exclude(urn="")
        .exclude(place_provider="PR1")
        .select_related("child")
        .order_by("pk")
    ):
        placed[e.urn].append(e)
    return placed


def _name(kind: str, names: set[str], rng: random.Random) -> str:
    """A made-up name for a provider of this kind, not given to another."""
    endings = LAST[ProviderKind(kind)]
    name = f"{rng.choice(FIRST)} {rng.choice(endings)}"
    while name in names:
        name = f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(endings)}"
    names.add(name)
    return name


def _provider(
    urn: str,
    episodes: list[Episode],
    staff: dict[str, Any],
    names: set[str],
    as_of: date,
    rng: random.Random,
) -> Provider:
    kind = KIND_FOR_PLACE.get(Counter(e.place for e in episodes).most_common(1)[0][0])
    kind = kind or (
        ProviderKind.FOSTERING_AGENCY
        if episodes[0].place.startswith(("U", "A"))
        else ProviderKind.OTHER
    )
    where = Counter(e.placement_area_id for e in episodes).most_common(1)[0][0]
    first = min(e.decom for e in episodes)
    officer = staff["officer"].get(episodes[0].child.responsible_area_id) or next(
        iter(staff["officer"].values())
    )
    existing = Provider.objects.filter(urn=urn).first()
    if existing is not None:  # a demo built again on the same database keeps its providers
        return existing
    return services.add_provider(
        by=officer[0],
        name=_name(kind, names, rng),
        kind=kind,
        urn=urn,
        area_code=where,
        postcode=next((e.pl_post for e in episodes if e.pl_post), ""),
        opened_on=min(first, as_of - timedelta(days=400)) - timedelta(days=rng.randint(200, 5000)),
        as_of=as_of,
    )


def _visits(
    made: dict[str, Provider],
    placed: dict[str, list[Episode]],
    staff: dict[str, Any],
    as_of: date,
    rng: random.Random,
) -> int:
    """A year of visits: each council placing children with a provider visits it once, and
    the ICB visits those in its footprint; three of them in the weeks to come, in the same
    week as a council, a chance to visit together."""
    start = as_of - timedelta(days=365)
    icb_user, icb = staff["icb"]
    count, paired = 0, 0
    for urn, provider in made.items():
        councils = sorted({e.child.responsible_area_id for e in placed[urn]})
        planned = [
            (staff["officer"][code], code, start + timedelta(days=rng.randint(0, 420)), False)
            for code in councils
            if code in staff["officer"]
        ]
        area = provider.area_id if provider.area_id in staff["icb_areas"] else councils[0]
        if area in staff["icb_areas"]:
            pair = bool(planned) and paired < 3
            if pair:
                # Both still to come: a chance to go together that the timetable shows.
                paired += 1
                soon = as_of + timedelta(days=rng.randint(7, 60))
                planned[0] = (planned[0][0], planned[0][1], soon, True)
                on = soon + timedelta(days=rng.randint(1, 4))
            else:
                on = start + timedelta(days=rng.randint(0, 420))
            planned.append(((icb_user, icb), area, on, pair))
        for (user, org), code, on, pair in planned:
            visit = services.schedule_visit(
                by=user,
                provider=provider,
                organisation=org,
                area_code=code,
                planned_on=on,
                purpose=rng.choice(["Annual quality visit", "Health needs review", "Follow-up"]),
                as_of=as_of,
            )
            count += 1
            _outcome(visit, user, as_of, rng, keep=pair)
    return count


def _outcome(visit: Visit, user: Any, as_of: date, rng: random.Random, keep: bool) -> None:
    """What a visit that has happened found (or, now and then but not for a pair visiting
    together, that it was cancelled)."""
    if visit.planned_on > as_of:
        return
    if not keep and rng.random() < 0.08:
        services.cancel_visit(by=user, visit=visit, reason="The home asked to rearrange")
        return
    grade = rng.choice(GRADES)
    actions = []
    if grade in (VisitGrade.REQUIRES_IMPROVEMENT, VisitGrade.INADEQUATE):
        for text, owner in rng.sample(ACTIONS, 2):
            due = min(
                visit.planned_on + timedelta(days=rng.randint(30, 90)), as_of + timedelta(days=300)
            )
            actions.append(services.ActionDetails(text, owner, due))
    services.record_visit_outcome(
        by=user,
        visit=visit,
        visitors=f"{user.get_full_name()} and a colleague",
        findings=FINDINGS[grade],
        outcome=grade,
        actions=actions,
        as_of=as_of,
    )


def _concerns(
    made: dict[str, Provider],
    placed: dict[str, list[Episode]],
    staff: dict[str, Any],
    as_of: date,
    rng: random.Random,
) -> int:
    """An open serious concern about the provider with most children placed, raised by the
    ICB and told to the councils placing there; and three more, at other stages."""
    busiest = sorted(made, key=lambda u: (-len(placed[u]), u))
    icb_user, icb = staff["icb"]
    count = 0
    for number, (urn, severity, status) in enumerate(
        zip(
            busiest,
            ["serious", "moderate", "low", "serious"],
            ["open", "monitoring", "closed", "closed"],
            strict=False,
        )
    ):
        provider = made[urn]
        councils = {e.child.responsible_area_id for e in placed[urn]}
        if number == 0 or provider.area_id not in staff["officer"]:
            user, org = icb_user, icb
            area = provider.area_id if provider.area_id in staff["icb_areas"] else min(councils)
        else:
            (user, org), area = staff["officer"][provider.area_id], provider.area_id
        told = Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, areas__in=councils, is_active=True
        ).exclude(pk=org.pk)
        raised_on = as_of - timedelta(days=rng.randint(10, 150))
        concern = services.raise_concern(
            by=user,
            provider=provider,
            area_code=area,
            raised_by=org,
            raised_on=max(raised_on, provider.opened_on),
            severity=severity,
            summary=[
                "Restraint used without recording; two young people missing overnight",
                "Health appointments missed after staff changes",
                "Late notification of a change of manager",
                "Medication given without a prescription",
            ][number],
            details="Raised after a visit and reports from the children's social workers.",
            told=list(told),
            as_of=as_of,
        )
        count += 1
        if status != "open":
            services.update_concern(
                by=user,
                concern=concern,
                status=status,
                actions=[
                    services.ActionDetails(
                        "Unannounced follow-up visit",
                        f"{org.name} quality team",
                        concern.raised_on + timedelta(days=rng.randint(14, 40)),
                    )
                ],
                as_of=as_of,
            )
    return count


def _joint_funding(placed: dict[str, list[Episode]], staff: dict[str, Any], as_of: date) -> int:
    """Two children in residential placements whose council and the ICB share the cost."""
    residential = sorted(
        (e for eps in placed.values() for e in eps if e.place in ("K2", "S1", "K1", "R1")),
        key=lambda e: e.pk,
    )
    made = 0
    for episode in residential:
        child = episode.child
        if made == 2 or child.responsible_area_id not in staff["social_worker"]:
            continue
        icb = joint_funding.icbs_for(child).first()
        if icb is None or child.joint_fundings.exists():  # type: ignore[attr-defined]
            continue
        starts = max(episode.decom, as_of - timedelta(days=300))
        joint_funding.record_joint_funding(
            by=staff["social_worker"][child.responsible_area_id][0],
            child=child,
            icb=icb,
            starts_on=starts,
            ends_on=None,
            council_share=[60, 50][made],
            council_responsibilities="Placement fees, education and contact with family",
            icb_responsibilities="Therapeutic support and the nursing care in the care plan",
            agreed_on=min(starts, as_of),
            as_of=as_of,
        )
        made += 1
    return made
