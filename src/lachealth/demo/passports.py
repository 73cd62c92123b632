"""Demo health passports: most young people looked after past the area's passport age have
theirs (some given late), some of 16 and 17 already have one, and most care leavers who left
at 16 or over were given one before they left; the rest are owed one. Each passport is
assembled from the demo record as it stood the day it was given."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Q
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history

from lachealth.care.models import Child, TeamMember, TeamRole
from lachealth.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_KEY, demo_account
from lachealth.health import clocks, passport
from lachealth.health.models import Feedback, Passport, YoungPersonAccount

KIRKLEES = "E08000034"

OWN_WORDS = (
    "I get anxious at appointments. Please explain what you are going to do first.",
    "I use my blue inhaler before football. I want to stay on the team.",
    "I don't like being weighed. Ask me first.",
    "I want to register with a GP near my new flat and go on my own.",
    "My eczema gets worse when I'm stressed, especially around exams.",
    "",
)
BIRTH = (
    "Born at 34 weeks in Leeds General Infirmary; two weeks in special care.",
    "Born at full term. No problems at birth are recorded.",
    "",
)
#: What most young people choose: everything in but family history and sexual health.
USUAL = [s.key for s in passport.SECTIONS if s.in_by_default]


def build_passports(
    *, seed: int, as_of: date, area_codes: list[str], staff: dict[str, dict[str, Any]]
) -> int:
    """Passports for the demo's young people of 16 and over; returns how many were given."""
    rng = random.Random(seed + 29)
    oldest = clocks.add_months(as_of, -12 * clocks.PASSPORT_OWED_UNTIL_AGE)
    sixteen = clocks.add_months(as_of, -12 * clocks.PASSPORT_FROM_AGE)
    young = (
        Child.objects.filter(
            responsible_area_id__in=area_codes, date_of_birth__gt=oldest, date_of_birth__lte=sixteen
        )
        .annotate(left=Max("episodes__dec", filter=Q(episodes__withdrawn_reason="")))
        .order_by("pk")
    )
    made: list[Passport] = []
    for child in young:
        given_on = _given_on(child, as_of, rng)
        if given_on is None:
            continue
        chosen = list(USUAL)
        if rng.random() < 0.15:
            chosen.remove("growth")
        written = passport.Written(own_words=rng.choice(OWN_WORDS), birth_history=rng.choice(BIRTH))
        content = passport.assemble(child, written, given_on)
        made.append(
            Passport(
                child=child,
                version=1,
                given_on=given_on,
                due_on=passport.due_for(child),
                given_by=staff[child.responsible_area_id]["nurse"],
                provider_id=_provider(staff, child),
                sections=chosen,
                declined=[k for k in passport.SECTION_KEYS if k not in chosen],
                agreed=True,
                own_words=written.own_words,
                birth_history=written.birth_history,
                content={k: content[k] for k in chosen},
            )
        )
    bulk_create_with_history(made, Passport, batch_size=500, default_change_reason="demo data")
    _feedback(made, as_of, rng)
    _own_account(made, staff)
    return len(made)


LISTENED = ["yes"] * 7 + ["partly"] * 2 + ["no"]
UNDERSTOOD = ["yes"] * 6 + ["partly"] * 3 + ["no"]
SAID = (
    "The nurse explained everything and let me ask questions.",
    "I didn't like being asked about my family in front of my carer.",
    "It was quick and friendly.",
    "",
    "",
)


def _feedback(given: list[Passport], as_of: date, rng: random.Random) -> None:
    """What some young people said of their last assessment in their own account."""
    rows = []
    for found in given:
        last = found.child.assessments.order_by("-completed_on").first()  # type: ignore[attr-defined]
        if last is None or rng.random() > 0.4:
            continue
        rows.append(
            Feedback(
                child=found.child,
                assessment=last,
                listened=rng.choice(LISTENED),
                understood=rng.choice(UNDERSTOOD),
                anything_else=rng.choice(SAID),
                given_on=min(as_of, last.completed_on + timedelta(days=rng.randrange(1, 40))),
            )
        )
    Feedback.objects.bulk_create(rows)


#: The demo's young person: a Kirklees care leaver with a passport (README names them).
YOUNG_PERSON = "kirklees.youngperson"


def _own_account(given: list[Passport], staff: dict[str, dict[str, Any]]) -> None:
    """The demo's young person's own account, signed in like every demo account."""
    theirs = next(
        p for p in given if p.child.responsible_area_id == KIRKLEES and not p.child.looked_after
    )
    leaver = theirs.child
    user = demo_account(YOUNG_PERSON, leaver.first_name, leaver.last_name, password=DEMO_PASSWORD)
    TOTPDevice.objects.create(
        user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True
    )
    # Who they contact now they have left care (the demo records these as their teams would).
    for role, name, organisation, telephone in (
        (TeamRole.GP, "", "Dewsbury Health Centre", "0113 496 0101"),
        (TeamRole.DENTIST, "", "Westgate Dental Practice", "0113 496 0202"),
        (TeamRole.PERSONAL_ADVISER, "Jordan Pike", "Kirklees Leaving Care Team", "0113 496 0303"),
    ):
        same = TeamMember.objects.filter(child=leaver, role=role)
        if same.filter(end__isnull=True).exists():
            continue
        ended = same.aggregate(last=Max("end"))["last"]
        start = theirs.given_on
        TeamMember.objects.create(
            child=leaver,
            role=role,
            name=name,
            organisation=organisation,
            telephone=telephone,
            start=max(start, ended + timedelta(days=1)) if ended else start,
        )
    YoungPersonAccount.objects.create(
        user=user,
        child=leaver,
        invited_by=staff[KIRKLEES]["nurse"],
        ends_on=clocks.birthday(leaver.date_of_birth, clocks.PASSPORT_ON_REQUEST_UNTIL_AGE),
    )


def _given_on(child: Child, as_of: date, rng: random.Random) -> date | None:
    """When the demo gave the young person their passport, or None (not yet: owed, or due)."""
    age_16 = clocks.birthday(child.date_of_birth, clocks.PASSPORT_FROM_AGE)
    due = clocks.add_months(child.date_of_birth, clocks.DEFAULT_PASSPORT_DUE_MONTHS)
    left = child.left  # type: ignore[attr-defined]
    if child.looked_after:
        chance = 0.8 if due < as_of else 0.3
        if rng.random() > chance:
            return None
        latest = min(as_of, due + timedelta(days=60))
    elif left is None or left < age_16:
        return None
    else:
        if rng.random() > 0.65:
            return None  # left without one: owed
        latest = left
    span = (latest - age_16).days
    return age_16 + timedelta(days=rng.randrange(max(span, 0) + 1)) if span >= 0 else None


def _provider(staff: dict[str, dict[str, Any]], child: Child) -> int:
    nurse = staff[child.responsible_area_id]["nurse"]
    return nurse.memberships.get().organisation_id  # type: ignore[no-any-return]
