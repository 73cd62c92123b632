"""E-mail sent at most once: the daily digests record each message before sending it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import send_mail
from django.db import IntegrityError, transaction


def send_once(record: Callable[[], object], subject: str, body: str, recipient: str) -> bool:
    """Write the row that says this e-mail went (`record`), then send it, in one transaction.

    The row's unique constraint is what makes a second run the same day send nothing: if the
    row exists already, nothing is sent and this returns False. If sending fails, the row is
    rolled back, so the next run tries again.
    """
    try:
        with transaction.atomic():
            record()
            send_mail(subject, body, None, [recipient])
    except IntegrityError:
        return False
    return True
