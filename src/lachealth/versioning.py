"""One way every service writes a row: validated, and its history version credited to a user."""

from __future__ import annotations

from typing import Any


def save_versioned(instance: Any, by: Any, **save_kwargs: Any) -> None:
    """Validate and save a model instance, its django-simple-history version credited to `by`.

    `exclude` is passed to `full_clean`; every other keyword goes to `save`.
    """
    instance._history_user = by
    instance.full_clean(exclude=save_kwargs.pop("exclude", None))
    instance.save(**save_kwargs)
