"""Sending the matrix's requests and judging them: each request in a transaction rolled back
afterwards, the client's cookies as before; no server error, the status its probe expects, no
name of a child the user may not see, and nothing written by a POST that may not reach the
view (`fingerprint`).

POSTs carry an empty form and no CSRF token, which the test client does not check: as if the
user's own session had given them a valid one, so the view's own refusal is what is tested
(what a colleague in another area, signed in, would meet). One more POST per case, with CSRF
checked and no token, must be refused (403) and write nothing: a view exempted from CSRF
would fail it.
"""

from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from lachealth.people.models import AccessLog
from lachealth.reach import PUBLIC

from .patterns import Case, problems
from .probes import METHODS, REACHES, SIGN_IN, Probe, accepted_methods, expected, plan
from .world import Matrix


@dataclass
class Sent:
    status: int
    location: str
    body: bytes
    error: str
    changed: list[str]


def send(
    client: Client,
    method: str,
    url: str,
    baseline: dict[str, Any] | None,
    enforce_csrf: bool = False,
) -> Sent:
    """One request in a transaction rolled back afterwards, the client's cookies as before;
    with a baseline, the tables it changed."""
    cookies = copy.deepcopy(client.cookies)
    client.handler.enforce_csrf_checks = enforce_csrf
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            else:
                body = response.content
            changed = []
            if baseline is not None and response.status_code < 500:
                now = fingerprint()
                changed = sorted(
                    t for t in baseline.keys() | now.keys() if baseline.get(t) != now.get(t)
                )
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
        client.handler.enforce_csrf_checks = False
    error = ""
    if getattr(response, "exc_info", None):
        error = repr(response.exc_info[1])  # type: ignore[attr-defined]
    return Sent(response.status_code, response.get("Location", ""), body, error, changed)


def judge(
    matrix: Matrix, probe: Probe, method: str, sent: Sent, want: set[int], public: bool
) -> list[str]:
    """What went wrong with one request (a public page may send anyone to sign in)."""
    said = f"{method} {probe.url()} as {probe.who or 'anonymous'}"
    said += f" ({probe.about}; {probe.expect})" if probe.about else f" ({probe.expect})"
    found = []
    if sent.status >= 500:
        found.append(f"{said}: server error {sent.status} {sent.error}")
    elif sent.status not in want:
        found.append(f"{said}: {sent.status}, expected {' or '.join(map(str, sorted(want)))}")
    elif sent.status == 302 and not public:
        to_sign_in = urlparse(sent.location).path == reverse("people:sign_in")
        if to_sign_in != (probe.expect == SIGN_IN):
            found.append(f"{said}: redirected to {sent.location}")
    shown = [name for name in matrix.unseen[probe.who] if name.encode() in sent.body]
    if shown:
        found.append(f"{said}: shows {', '.join(shown)}, a child they may not see")
    if sent.changed:
        found.append(f"{said}: changed {', '.join(sent.changed)}")
    return found


def check(matrix: Matrix, case: Case) -> None:
    """Send every request of the case; fail with every one that went wrong."""
    complaints = problems(case)
    assert not complaints, "\n".join(complaints)
    started = time.perf_counter()
    accepted = accepted_methods(case.pattern.view)
    public = case.first.roles is PUBLIC
    if matrix.baseline is None:
        matrix.baseline = fingerprint()
    baseline = matrix.baseline
    failures: list[str] = []
    probes = plan(matrix, case)
    for probe in probes:
        client = matrix.clients[probe.who] if probe.who else matrix.anonymous
        for method in METHODS:
            watch = method == "POST" and probe.expect != REACHES
            sent = send(client, method, probe.url(), baseline if watch else None)
            want = expected(probe.expect, method, accepted, case.first.refuses)
            failures += judge(matrix, probe, method, sent, want, public)
    # A POST without the CSRF token is refused whoever sends it, and writes nothing.
    forged = next((p for p in probes if p.expect == REACHES and p.who), probes[0])
    client = matrix.clients[forged.who] if forged.who else matrix.anonymous
    sent = send(client, "POST", forged.url(), baseline, enforce_csrf=True)
    failures += judge(matrix, forged, "POST without CSRF token", sent, {403}, public)
    requests = 2 * len(probes) + 1
    _tally(matrix, case, requests, time.perf_counter() - started)
    assert not failures, (
        f"{case}: {len(failures)} of {requests} requests went wrong:\n" + "\n".join(failures)
    )


def _tally(matrix: Matrix, case: Case, requests: int, seconds: float) -> None:
    """For `bench/access_matrix.py`: what each case sent and how long it took, when asked."""
    path = os.environ.get("LACHEALTH_MATRIX_TALLY")
    if not path:
        return
    line = {
        "case": str(case),
        "pattern": case.pattern.name,
        "requests": requests,
        "seconds": seconds,
        "users": len(matrix.users),
        "roles": sorted({h.role for holds in matrix.held.values() for h in holds}),
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


# Nothing written: every table's row count and largest key (history tables too, so an UPDATE
# shows as a new version), and the rows themselves of the tables that keep no history. The
# access log, sessions and django-axes's tables legitimately grow on any request.
_SKIPPED_APPS = {"sessions", "axes"}
_REFERENCE = {"auth.permission", "contenttypes.contenttype", "people.area"}


def _models() -> list[type[Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in _SKIPPED_APPS and m is not AccessLog
    ]


def fingerprint() -> dict[str, Any]:
    quote = connection.ops.quote_name
    models = _models()
    sql = " UNION ALL ".join(
        f"SELECT '{m._meta.db_table}', COUNT(*), "
        # As text inside MAX: PostgreSQL has no MAX of a UUID key (the task queue's).
        f"MAX(CAST({quote(m._meta.pk.column)} AS VARCHAR(200))) FROM {quote(m._meta.db_table)}"
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found: dict[str, Any] = {table: (count, top) for table, count, top in cursor.fetchall()}
    for model in models:
        versioned = hasattr(model, "history") or model._meta.pk.name == "history_id"
        if versioned or model._meta.label_lower in _REFERENCE or not found[model._meta.db_table][0]:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        found[f"{model._meta.db_table} rows"] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows
        ]
    return found
