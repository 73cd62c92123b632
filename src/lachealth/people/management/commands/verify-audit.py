"""`lachealth verify-audit`: check that no access-log row was altered, removed or moved.

Walks the hash chain (`people/chain.py`) in id order and names the first row that breaks
it, exiting 1; or says the log is intact and prints its last seal. Keep that line somewhere
else (the nightly job's mail, the operations log): rows removed from the end leave a chain
that is intact but ends earlier, and only an earlier copy of the last seal shows it.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from lachealth.people import chain, selectors
from lachealth.people.models import AccessLog, audit_key


def _rows(n: int, after: str = "") -> str:
    """ "1 row is", "1,204 rows are", with `after` between the noun and the verb."""
    return f"{n:,} row{after} is" if n == 1 else f"{n:,} rows{after} are"


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%-d %B %Y at %H:%M:%S %Z}"


class Command(BaseCommand):
    help = "Check the access log's hash chain; name the first row altered, removed or moved."

    def handle(self, *args: Any, **options: Any) -> None:
        # Closed as soon as the walk stops, at a break too: PostgreSQL's server-side cursor
        # must not outlive the transaction it was opened in.
        with (
            closing(selectors.access_log_chain()) as stream,
            tqdm(
                stream,
                total=AccessLog.objects.count(),
                desc="Checking the access log",
                unit=" rows",
                file=self.stderr,
                dynamic_ncols=True,
            ) as rows,
        ):
            verdict = chain.check(rows, audit_key(), find=selectors.access_log_row_at)
        if verdict.broken is not None:
            broken = verdict.broken
            raise CommandError(
                f"The access log is broken at row {broken.row_id}, written {_when(broken.at)}: "
                f"{broken.problem}. "
                f"The {_rows(verdict.intact, ' before it')} intact."
            )
        self.stdout.write(f"The access log's {_rows(verdict.intact)} intact.")
        if verdict.last is not None:
            last = verdict.last
            self.stdout.write(
                f"Last seal: {last.row_hash} (row {last.id}, position {last.sealed.position}, "
                f"written {_when(last.sealed.at)})."
            )
