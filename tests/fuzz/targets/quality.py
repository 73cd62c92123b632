"""The quality pages' forms: assessment QA (drawing a sample, adding to it, scoring, replying,
the tool's draft, an area's settings) and the providers' pages (providers, visits, concerns,
joint funding)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from lachealth.quality import providers, samples, tools
from lachealth.quality.forms import (
    AddForm,
    CriterionRow,
    CriterionRows,
    DraftForm,
    DrawForm,
    ReplyForm,
    ScoreForm,
    SettingsForm,
)
from lachealth.quality.models import Provider
from lachealth.quality.provider_forms import (
    CancelForm,
    ConcernForm,
    ConcernUpdateForm,
    EndFundingForm,
    JointFundingForm,
    OutcomeForm,
    ProviderForm,
    VisitForm,
)

from ...conftest import BRADFORD
from ...quality.conftest import assessed
from ..scenes import TODAY as AS_OF
from .base import Target, child_of, day

Q3 = samples.Period(date(2026, 7, 1), date(2026, 9, 30))


def _assessments(world: Any) -> dict[str, Any]:
    """Provider A's nurse's and Provider C's nurse's assessments in July to September 2026."""
    for n, name in enumerate(["child_a", "child_b", "child_a", "child_b", "child_a", "child_c"]):
        nurse, team = (
            ("prov_c_nurse", "prov_c") if name == "child_c" else ("prov_a_nurse", "prov_a")
        )
        assessed(world.children[name], world.users[nurse], world.orgs[team], date(2026, 8, 3 + n))
    return {}


def _sample(world: Any) -> dict[str, Any]:
    _assessments(world)
    sample = samples.draw_sample(
        by=world.users["icb_designated"], organisation=world.orgs["icb"], period=Q3, as_of=AS_OF
    )
    return {"sample": sample, "item": sample.items.first()}


def _review(world: Any) -> dict[str, Any]:
    from lachealth.quality import reviews

    found = _sample(world)
    version = tools.current(tools.tool_for(world.orgs["icb"]))
    review = reviews.score(
        by=world.users["icb_designated"],
        item=found["item"],
        version=version,
        answers=[reviews.Answer(c.pk, "met") for c in version.criteria.all()],
        grade="good",
        feedback="Thorough",
        as_of=AS_OF,
    )
    return {"review": review}


def _draft(world: Any) -> dict[str, Any]:
    tool = tools.tool_for(world.orgs["icb"])
    return {"draft": tools.start_draft(by=world.users["icb_designated"], tool=tool)}


def _scores(s: Any) -> dict[str, str]:
    version = tools.current(tools.tool_for(s.world.orgs["icb"]))
    return {f"criterion_{c.pk}": "met" for c in version.criteria.all()} | {
        "grade": "good",
        "feedback": "Clear plan; quote the child.",
    }


QUALITY_QA: list[Target] = [
    Target(
        "quality:draw",
        "quality",
        (DrawForm,),
        "icb_designated",
        make=_assessments,
        url=lambda s: reverse("quality:draw"),
        valid=lambda s: {"organisation": str(s.world.orgs["icb"].pk), "period": "2026-07-01"},
    ),
    Target(
        "quality:sample_add",
        "quality",
        (AddForm,),
        "icb_designated",
        make=_sample,
        url=lambda s: reverse("quality:sample_add", args=[s.sample.pk]),
        page=lambda s: (
            reverse("quality:sample_add", args=[s.sample.pk])
            + f"?practitioner={s.world.users['prov_a_nurse'].pk}"
        ),
        valid=lambda s: {
            "practitioner": str(s.world.users["prov_a_nurse"].pk),
            "assessment": str(
                samples.addable(s.sample, s.world.users["icb_designated"])
                .filter(practitioner=s.world.users["prov_a_nurse"])[0]
                .pk
            ),
            "reason": "A new practitioner",
        },
    ),
    Target(
        "quality:score",
        "quality",
        (ScoreForm,),
        "icb_designated",
        make=_sample,
        url=lambda s: reverse("quality:score", args=[s.item.pk]),
        valid=_scores,
    ),
    Target(
        "quality:review",
        "quality",
        (ReplyForm,),
        "prov_a_nurse",
        make=_review,
        url=lambda s: reverse("quality:review", args=[s.review.pk]),
        valid=lambda s: {"text": "Thank you: done."},
    ),
    Target(
        "quality:tool",
        "quality",
        (DraftForm, CriterionRow, CriterionRows),
        "icb_designated",
        make=_draft,
        url=lambda s: reverse("quality:tool", args=[s.world.orgs["icb"].pk]),
        valid=lambda s: {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-section": "Voice",
            "rows-0-text": "The child's own words quoted",
            "rows-0-guidance": "",
            "answers": "Met\nNot met",
            "grades": "Good\nPoor",
        },
    ),
    Target(
        "quality:settings",
        "quality",
        (SettingsForm,),
        "icb_designated",
        url=lambda s: reverse("quality:settings", args=[BRADFORD]),
        valid=lambda s: {"percentage": "12.5"},
    ),
]


def _provider(world: Any) -> Provider:
    return providers.add_provider(
        by=world.users["la_a_data"],
        name="Willow House",
        kind="childrens_home",
        urn="SC111111",
        area_code=BRADFORD,
        postcode="",
        opened_on=date(2020, 1, 1),
        as_of=AS_OF,
    )


def _visit(world: Any) -> dict[str, Any]:
    home = _provider(world)
    return {
        "home": home,
        "visit": providers.schedule_visit(
            by=world.users["la_a_data"],
            provider=home,
            organisation=world.orgs["la_a"],
            area_code=BRADFORD,
            planned_on=date(2026, 11, 20),
            purpose="Annual",
            as_of=AS_OF,
        ),
    }


def _concern(world: Any) -> dict[str, Any]:
    home = _provider(world)
    return {
        "home": home,
        "concern": providers.raise_concern(
            by=world.users["la_a_sw"],
            provider=home,
            area_code=BRADFORD,
            raised_by=world.orgs["la_a"],
            raised_on=date(2026, 11, 20),
            severity="serious",
            summary="Restraint",
            details="",
            as_of=AS_OF,
        ),
    }


def _funded(world: Any) -> dict[str, Any]:
    from lachealth.quality import joint_funding

    joint_funding.record_joint_funding(
        by=world.users["la_a_sw"],
        child=world.children["child_a"],
        icb=world.orgs["icb"],
        starts_on=date(2026, 4, 1),
        ends_on=None,
        council_share=60,
        council_responsibilities="Fees",
        icb_responsibilities="Therapy",
        agreed_on=date(2026, 3, 1),
        as_of=AS_OF,
    )
    return {}


QUALITY_PROVIDERS: list[Target] = [
    Target(
        "quality:provider_add",
        "quality",
        (ProviderForm,),
        "commissioner",
        url=lambda s: reverse("quality:provider_add"),
        valid=lambda s: {
            "name": "Oak Lodge",
            "kind": "supported",
            "area": BRADFORD,
            **day("opened_on", date(2019, 1, 1)),
        },
    ),
    Target(
        "quality:provider_edit",
        "quality",
        (ProviderForm,),
        "la_a_sw",
        make=lambda w: {"home": _provider(w)},
        url=lambda s: reverse("quality:provider_edit", args=[s.home.pk]),
        valid=lambda s: {"name": "Willow House Children's Home"},
    ),
    Target(
        "quality:visit_schedule",
        "quality",
        (VisitForm,),
        "la_a_data",
        make=lambda w: {"home": _provider(w)},
        url=lambda s: reverse("quality:visit_schedule"),
        valid=lambda s: {
            "provider": s.home.pk,
            "purpose": "Annual",
            **day("planned_on", date(2027, 1, 10)),
        },
    ),
    Target(
        "quality:visit_outcome",
        "quality",
        (OutcomeForm,),
        "la_a_data",
        make=_visit,
        url=lambda s: reverse("quality:visit_outcome", args=[s.visit.pk]),
        valid=lambda s: {"visitors": "Dani", "findings": "Fine", "outcome": "good"},
    ),
    Target(
        "quality:visit_cancel",
        "quality",
        (CancelForm,),
        "la_a_data",
        make=_visit,
        url=lambda s: reverse("quality:visit_cancel", args=[s.visit.pk]),
        valid=lambda s: {"reason": "Home closed"},
    ),
    Target(
        "quality:concern_raise",
        "quality",
        (ConcernForm,),
        "prov_a_nurse",
        make=lambda w: {"home": _provider(w)},
        url=lambda s: reverse("quality:concern_raise"),
        valid=lambda s: {
            "provider": s.home.pk,
            "severity": "low",
            "summary": "Late",
            **day("raised_on", date(2026, 11, 20)),
        },
    ),
    Target(
        "quality:concern_update",
        "quality",
        (ConcernUpdateForm,),
        "la_a_sw",
        make=_concern,
        url=lambda s: reverse("quality:concern_update", args=[s.concern.pk]),
        valid=lambda s: {"status": "monitoring"},
    ),
    Target(
        "quality:joint_funding",
        "quality",
        (JointFundingForm,),
        "la_a_sw",
        url=lambda s: reverse("quality:joint_funding", args=[s.world.children["child_a"].pk]),
        valid=lambda s: {
            "form": "new",
            "council_share": "60",
            "council_responsibilities": "Fees",
            "icb_responsibilities": "Therapy",
            **day("starts_on", date(2026, 4, 1)),
            **day("agreed_on", date(2026, 3, 1)),
        },
        fixed={"form": "new"},
        child=child_of("child_a"),
    ),
    Target(
        "quality:joint_funding[end]",
        "quality",
        (EndFundingForm,),
        "la_a_sw",
        make=_funded,
        url=lambda s: reverse("quality:joint_funding", args=[s.world.children["child_a"].pk]),
        valid=lambda s: {"form": "end", **day("ends_on", date(2026, 12, 31))},
        fixed={"form": "end"},
        child=child_of("child_a"),
    ),
]


QUALITY: list[Target] = [*QUALITY_QA, *QUALITY_PROVIDERS]
