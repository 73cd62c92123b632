"""Gathering a write's refusals so that a form shows them all at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from lachealth.problems import Problems


def test_problems_gather_every_refusal_by_its_field():
    problems = Problems()
    assert not problems
    problems.raise_any()  # nothing found: nothing raised
    problems.add("day", "Enter a day")
    with problems.gather():
        raise ValidationError({"day": "The day must be today or later", "venue": "Enter where"})
    with problems.gather():
        raise ValidationError("Another team arranges these assessments")
    with problems.gather():
        pass
    with pytest.raises(ValidationError) as refused:
        problems.raise_any()
    assert refused.value.message_dict == {
        "day": ["Enter a day", "The day must be today or later"],
        "venue": ["Enter where"],
        NON_FIELD_ERRORS: ["Another team arranges these assessments"],
    }
