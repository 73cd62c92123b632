"""Each area's quality settings: how often and how much of its children's assessments are
sampled, the score below which a criterion is named, how recent an RHA request's SDQ must
be, and how close two agencies' visits to one provider are a chance to visit together. An
area that never set them has the defaults (the model's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from lachealth.people import access, audit
from lachealth.people.models import AccessAction
from lachealth.versioning import save_versioned

from .models import QaSettings
from .tools import QA_ROLES

SETTINGS_FIELDS = (
    "frequency",
    "percentage",
    "minimum_per_practitioner",
    "threshold",
    "sdq_window_months",
    "joint_visit_window_days",
)


def settings_for_areas(codes: Iterable[str]) -> dict[str, QaSettings]:
    """Each area's settings, the defaults (not saved) where it has none: one query."""
    wanted = sorted(set(codes))
    found = {s.area_id: s for s in QaSettings.objects.filter(area_id__in=wanted)}
    return {code: found.get(code) or QaSettings(area_id=code) for code in wanted}


def settings_for(area_code: str) -> QaSettings:
    return settings_for_areas([area_code])[area_code]


def update_settings(
    *, by: Any, area_code: str, values: dict[str, Any], request: HttpRequest | None = None
) -> QaSettings:
    """Change an area's QA settings: its designated professionals do. Samples already drawn
    keep the setting they were drawn with."""
    if area_code not in access.areas_for(by, QA_ROLES):
        raise ValidationError(
            {"percentage": "Only the area's designated professionals change its QA settings"}
        )
    with transaction.atomic():
        found = QaSettings.objects.select_for_update().filter(area_id=area_code).first()
        found = found or QaSettings(area_id=area_code)
        for name in SETTINGS_FIELDS:
            setattr(found, name, values[name])
        save_versioned(found, by=by, reason="QA settings changed")
        audit.record(request, AccessAction.CHANGE, user=by, detail=f"QA settings of {area_code}")
    return found
