"""Every quality form, posted with hostile values by a user allowed to post it (tests/fuzz)."""

from __future__ import annotations

import pytest

from .harness import run_target
from .scenes import TODAY
from .targets import Target, by_app


@pytest.mark.parametrize("target", by_app("quality"), ids=str)
def test_hostile_posts_are_refused_in_nhs_words_and_write_nothing(target: Target, world) -> None:  # type: ignore[no-untyped-def]
    run_target(target, world, today=TODAY)
