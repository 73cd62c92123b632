"""Every fuzzed page is posted on the same Monday, so that "today", "in the future" and the
statutory clocks mean the same thing in every run."""

from __future__ import annotations

import pytest
import time_machine


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-23 10:00:00 +0000", tick=False):
        yield
