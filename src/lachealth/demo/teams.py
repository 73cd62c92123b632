"""The demo's teams around the children: the area's social worker and named nurse, an IRO,
the carer or home with the placement's address, a GP and dental practice, a school for those
of school age, CAMHS for those referred; and, for a few, a correction with its reason.

Telephone numbers are in Ofcom's ranges kept for drama (0113 496 0xxx), so no real line rings.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from faker import Faker

from lachealth.care.models import Child, Episode, TeamMember, TeamRole
from lachealth.versioning import create_versioned, save_versioned

REASON = "demo data"

#: Placement types whose carer is a home, not a family (SSDA903 PLACE codes).
HOMES = {"K2", "R1", "R2", "R5", "S1", "H5", "P2", "Z1"}


def _telephone(rng: random.Random) -> str:
    return f"0113 496 0{rng.randrange(0, 1000):03d}"


def _school_age(dob: date, as_of: date) -> bool:
    age = as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day))
    return 4 <= age <= 17


def build_teams(
    *, seed: int, as_of: date, area_codes: list[str], staff: dict[str, dict[str, Any]]
) -> int:
    """Teams for every demo child; returns how many members were added."""
    rng = random.Random(seed + 16)
    fake = Faker("en_GB")
    fake.seed_instance(seed + 16)
    children = Child.objects.filter(responsible_area_id__in=area_codes).order_by("pk")
    episodes: dict[int, list[Episode]] = {}
    for e in Episode.objects.filter(child__in=children).order_by("child_id", "decom"):
        episodes.setdefault(e.child_id, []).append(e)
    members: list[TeamMember] = []
    for child in children:
        history = episodes.get(child.pk)
        if not history:
            continue
        last = history[-1]
        add = _adder(
            members, child, _period_start(history), None if child.looked_after else last.dec
        )
        people = staff[child.responsible_area_id]
        add(TeamRole.SOCIAL_WORKER, user=people["socialworker"], telephone=_telephone(rng))
        add(TeamRole.IRO, name=fake.name(), telephone=_telephone(rng))
        nurse_area = child.current_placement_area_id or child.responsible_area_id
        nurse = staff.get(nurse_area, people)["nurse"]
        add(TeamRole.NAMED_NURSE, user=nurse, since=last.decom)
        carer_since = last.decom
        address = f"{rng.randrange(1, 200)} {fake.street_name()}" + (
            f", {last.pl_post}" if last.pl_post else ""
        )
        if last.place in HOMES:
            add(
                TeamRole.CARER,
                since=carer_since,
                organisation=f"{fake.last_name()} House",
                telephone=_telephone(rng),
                address=address,
                code=last.urn if last.urn and last.urn[0].isdigit() else "",
            )
        else:
            surname = fake.last_name()
            add(
                TeamRole.CARER,
                since=carer_since,
                name=f"{fake.first_name()} and {fake.first_name()} {surname}",
                telephone=_telephone(rng),
                address=address,
            )
        add(
            TeamRole.GP,
            organisation=f"{fake.street_name()} Medical Practice",
            code=f"Y9{rng.randrange(1000, 9999)}",
            telephone=_telephone(rng),
        )
        if rng.random() < 0.8:
            add(
                TeamRole.DENTIST,
                organisation=f"{fake.street_name()} Dental Practice",
                telephone=_telephone(rng),
            )
        if _school_age(child.date_of_birth, as_of):
            school = f"{fake.street_name()} {rng.choice(['Primary', 'Academy', 'High'])} School"
            add(TeamRole.SCHOOL, organisation=school, telephone=_telephone(rng))
            if rng.random() < 0.6:
                add(TeamRole.DESIGNATED_TEACHER, name=fake.name(), organisation=school)
    create_versioned(members, TeamMember, by=None, reason=REASON)
    _correct_a_few(rng, members, staff)
    return len(members)


def _adder(members: list[TeamMember], child: Child, start: date, end: date | None) -> Any:
    """A function adding one member to `child`'s team, from `start` (unless given) to `end`."""

    def add(role: str, since: date = start, **fields: Any) -> None:
        members.append(TeamMember(child=child, role=role, start=since, end=end, **fields))

    return add


def _period_start(history: list[Episode]) -> date:
    """When the last period of care began: the start of the run of episodes ending in the
    last, each starting the day the one before ended."""
    start = history[-1].decom
    for before in reversed(history[:-1]):
        if before.dec != start:
            break
        start = before.decom
    return start


def _correct_a_few(
    rng: random.Random, members: list[TeamMember], staff: dict[str, dict[str, Any]]
) -> None:
    """One carer in forty had their telephone number corrected by the social worker, so the
    demo's change history shows a correction with its reason."""
    carers = [m for m in members if m.role == TeamRole.CARER]
    for member in carers[::40]:
        area = member.child.responsible_area_id
        member.telephone = _telephone(rng)
        save_versioned(
            member,
            staff[area]["socialworker"],
            reason="The carer's telephone number was typed wrongly",
        )
