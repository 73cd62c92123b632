"""A year of the demo ICB's quality assurance: the four quarters before the last one sampled
by its designated nurse and scored with the ICB's tool, the practitioners differing as real
ones do (one area's doctors rarely record the child's own words, another's plans are seldom
SMART), with some replies. The last quarter that has ended is left for the designated nurse
to draw. Everything goes through the services, as users would do it."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from lachealth.people.models import User
from lachealth.quality import area_settings, reviews, samples, tools
from lachealth.quality.models import QaSample

#: How likely each practitioner's assessment meets a criterion, by the start of its words;
#: "" is everyone's usual.
USUAL = 0.8
WEAKER = {
    ("kirklees.doctor", "The child's voice"): 0.35,
    ("kirklees.nurse", "The health plan is SMART"): 0.4,
    ("calderdale.nurse", "Dental check"): 0.45,
    ("leeds.doctor", "The report shared"): 0.5,
}
STRONGER = {"bradford.nurse": 0.93, "leeds.nurse": 0.9}
#: An assessment's grade from its mean worth: outstanding from 0.92, good from 0.75,
#: requires improvement from 0.55, inadequate below.
GRADE_CUTS = (0.92, 0.75, 0.55)
#: The demo areas sample 15% of assessments, at least two of each practitioner's.
SETTINGS = {
    "frequency": "quarter",
    "percentage": 15,
    "minimum_per_practitioner": 2,
    "threshold": 80,
    "sdq_window_months": 3,
    "joint_visit_window_days": 14,
}
FEEDBACK = (
    "A thorough assessment. Record the child's wishes in their own words next time.",
    "Good history and checks. The plan needs an owner and a date for each action.",
    "Clear and child-centred; the SDQ is discussed well.",
    "Growth measured but not plotted; please attach the centile chart.",
)
REPLIES = (
    "Thank you. I have added the child's words to the record.",
    "Noted: the plan now has owners and dates.",
    "Thanks. The centile chart was in the paper notes; I will upload it.",
)


def build_quality(
    *, seed: int, as_of: date, area_codes: list[str], staff: dict[str, dict[str, Any]]
) -> int:
    """A year of samples and scores; returns how many assessments were scored."""
    rng = random.Random(seed + 31)
    designated = staff["icb"]["designated"]
    icb = samples.qa_organisations(designated).get()
    version = tools.current(tools.tool_for(icb))
    criteria = list(version.criteria.select_related("section"))
    grades = [code for code, _ in version.grades]
    for code in area_codes:
        area_settings.update_settings(by=designated, area_code=code, values=SETTINGS)
    periods = list(reversed(samples.recent_periods(as_of, "quarter", 5)[1:]))
    scored = 0
    for period in periods:
        sample = samples.draw_sample(by=designated, organisation=icb, period=period, as_of=as_of)
        drawn = timezone.make_aware(datetime.combine(period.end + timedelta(days=5), time(10)))
        QaSample.objects.filter(pk=sample.pk).update(drawn_at=drawn)
        for item in sample.items.select_related("assessment__practitioner"):
            practitioner = item.assessment.practitioner
            answers, worth = _answers(practitioner, criteria, rng)
            review = reviews.score(
                by=designated,
                item=item,
                version=version,
                answers=answers,
                grade=grades[sum(worth < cut for cut in GRADE_CUTS)],
                feedback=rng.choice(FEEDBACK),
                as_of=min(as_of, period.end + timedelta(days=rng.randint(10, 40))),
            )
            scored += 1
            if rng.random() < 0.3:
                reviews.reply(by=practitioner, review=review, text=rng.choice(REPLIES))
    return scored


def _answers(
    practitioner: User, criteria: list[Any], rng: random.Random
) -> tuple[list[reviews.Answer], float]:
    """One assessment's answers as this practitioner's work would earn them, and its mean
    worth (0 to 1), from which its grade follows."""
    username = practitioner.username
    found, worths = [], []
    for criterion in criteria:
        chance = STRONGER.get(username, USUAL)
        for (who, start), weaker in WEAKER.items():
            if who == username and criterion.text.startswith(start):
                chance = weaker
        if criterion.text.startswith("Vision") and rng.random() < 0.2:
            found.append(reviews.Answer(criterion.pk, "na"))
            continue
        roll = rng.random()
        answer = (
            "met" if roll < chance else "partly" if roll < chance + (1 - chance) / 2 else "not_met"
        )
        worths.append({"met": 1.0, "partly": 0.5, "not_met": 0.0}[answer])
        found.append(reviews.Answer(criterion.pk, answer))
    return found, sum(worths) / len(worths)
