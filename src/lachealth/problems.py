"""Every refusal a write finds, gathered, so that a form shows them all at once.

A service checks what it is given in turn; rather than stop at the first problem, it adds
each to a `Problems` and raises them together, keyed by the form field at fault, before it
writes anything:

    problems = Problems()
    if on > today:
        problems.add("completed_on", "The date must be today or in the past")
    with problems.gather():
        check_something_that_raises(...)
    problems.raise_any()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str | None, message: str) -> None:
        self.errors.setdefault(field or NON_FIELD_ERRORS, []).append(message)

    @contextmanager
    def gather(self) -> Iterator[None]:
        """Run a check that raises ValidationError; keep its messages and carry on."""
        try:
            yield
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add(field, message)
            else:
                for message in error.messages:
                    self.add(None, message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
