"""The demo's clinical summaries: for about a third of the children, conditions (coded in
SNOMED CT where a nurse would know the code), the medicines that go with them, allergies, a
disability, and for a few an alert the carer must see first; some resolved or stopped."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from lachealth.care.models import Child
from lachealth.health.models import ClinicalEntry, EntryKind
from lachealth.versioning import create_versioned

#: (condition, SNOMED CT, medicine or "", alert or "", shareable)
CONDITIONS = [
    ("Asthma", "195967001", "Salbutamol inhaler: 2 puffs when needed", "", True),
    ("Atopic eczema", "24079001", "Emollient cream twice a day", "", False),
    ("ADHD", "406506008", "Methylphenidate 10 mg each morning", "", True),
    ("Autism spectrum disorder", "35919005", "", "", True),
    ("Depressive disorder", "35489007", "", "", False),
    (
        "Epilepsy",
        "84757009",
        "Sodium valproate 200 mg twice a day",
        "Epilepsy: rescue medicine (buccal midazolam) must go with the child",
        True,
    ),
    ("Type 1 diabetes", "46635009", "Insulin as the diabetes team plans", "", True),
]
#: (allergen, SNOMED CT, reaction, severity, alert or "")
ALLERGIES = [
    ("Penicillin", "91936005", "Rash", "moderate", ""),
    (
        "Peanuts",
        "91935009",
        "Swelling of the lips and throat",
        "life_threatening",
        "Severe peanut allergy: two adrenaline auto-injectors go with the child",
    ),
]
#: (disability, SNOMED CT)
DISABILITIES = [("Hearing impairment", "15188001"), ("Learning disability", "110359009")]


def build_summaries(
    *, seed: int, as_of: date, area_codes: list[str], staff: dict[str, dict[str, Any]]
) -> int:
    """Summaries for some demo children, recorded by their area's nurse; returns the count."""
    rng = random.Random(seed + 17)
    entries: list[ClinicalEntry] = []
    children = Child.objects.filter(responsible_area_id__in=area_codes).order_by("pk")
    for child in children:
        if rng.random() > 0.35:
            continue
        nurse = staff[child.responsible_area_id]["nurse"]
        span = max((as_of - child.date_of_birth).days, 1)

        def add(kind: str, term: str, _c: Child = child, _by: Any = nurse, **fields: Any) -> None:
            entries.append(ClinicalEntry(child=_c, kind=kind, term=term, recorded_by=_by, **fields))

        onset = child.date_of_birth + timedelta(days=rng.randrange(span // 3, span))
        term, code, medicine, alert, shared = rng.choice(CONDITIONS)
        resolved = term == "Atopic eczema" and rng.random() < 0.5
        end = as_of - timedelta(days=rng.randrange(10, 200)) if resolved else None
        end = max(end, onset) if end else None
        add(EntryKind.CONDITION, term, code=code, start=onset, end=end, shareable=shared)
        if medicine:
            add(EntryKind.MEDICINE, medicine, start=onset, end=end, shareable=shared)
        if alert:
            add(EntryKind.ALERT, alert, shareable=True)
        if rng.random() < 0.3:
            allergen, code, reaction, severity, alert = rng.choice(ALLERGIES)
            add(
                EntryKind.ALLERGY,
                allergen,
                code=code,
                reaction=reaction,
                severity=severity,
                shareable=True,
            )
            if alert:
                add(EntryKind.ALERT, alert, shareable=True)
        if rng.random() < 0.1:
            term, code = rng.choice(DISABILITIES)
            add(EntryKind.DISABILITY, term, code=code, shareable=True)
    create_versioned(entries, ClinicalEntry, by=None, reason="demo data")
    return len(entries)
