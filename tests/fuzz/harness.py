"""Fuzzing one target's forms: capture the forms its page really builds, derive their
strategies, post the worst value of each field and then Hypothesis's examples, and hold every
answer to the property in `checks.py`. Used by the tests in this folder and by
`bench/fuzz_forms.py` (more examples, figures printed).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from unittest import mock

from django import forms
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings

from lachealth.forms import SplitDateField

from .checks import Failure, Fuzzed, check_example, post_value, read_page, watched_tables
from .strategies import Context, PageSpec, page_data, page_spec


def examples_per_form() -> int:
    """30 in the test suite (CI time); `bench/fuzz_forms.py` asks for more."""
    return int(os.environ.get("LACHEALTH_FUZZ_EXAMPLES", "30"))


# ---- what the page built -------------------------------------------------------------------


@contextmanager
def captured_forms() -> Iterator[list[Any]]:
    """Every form and formset a request builds, in order: what the page really offers, with
    the choices and querysets the view gave it for this user and object."""
    seen: list[Any] = []
    form_init = forms.BaseForm.__init__
    formset_init = forms.BaseFormSet.__init__

    def record_form(self: Any, *args: Any, **kwargs: Any) -> None:
        form_init(self, *args, **kwargs)
        seen.append(self)

    def record_formset(self: Any, *args: Any, **kwargs: Any) -> None:
        formset_init(self, *args, **kwargs)
        seen.append(self)

    with (
        mock.patch.object(forms.BaseForm, "__init__", record_form),
        mock.patch.object(forms.BaseFormSet, "__init__", record_formset),
    ):
        yield seen


def page_forms(
    seen: list[Any], classes: tuple[type, ...]
) -> tuple[list[forms.BaseForm], list[forms.BaseFormSet]]:
    """The target's forms among those the page built (a formset's rows go with it)."""
    formsets = [
        f
        for f in seen
        if isinstance(f, forms.BaseFormSet) and any(isinstance(f, c) for c in classes)
    ]
    row_prefixes = tuple(f"{fs.prefix}-" for fs in formsets)
    found: dict[tuple[type, str | None], forms.BaseForm] = {}
    for f in seen:
        if not isinstance(f, forms.BaseForm) or type(f) not in classes:
            continue
        if f.prefix and f.prefix.startswith(row_prefixes):
            continue
        found.setdefault((type(f), f.prefix), f)
    return list(found.values()), formsets


def fuzz(
    client: Client,
    *,
    name: str,
    method: str,
    url: str,
    spec: PageSpec,
    ctx: Context,
    base: dict[str, Any] | None,
    fixed: dict[str, Any],
    refusal_statuses: frozenset[int],
    access_refusals: frozenset[int],
    born: Callable[[], date | None],
    examples: int,
    raise_failure: bool = True,
) -> Fuzzed:
    """Run `examples` fuzzed posts of one page's forms; a failure is raised (or, for the
    benchmark, recorded) with Hypothesis's smallest example."""
    outcome = Fuzzed(name)
    tables = watched_tables()

    def post(data: dict[str, Any]) -> None:
        outcome.examples += 1
        check_example(
            client,
            method=method,
            url=url,
            data={**data, **fixed},
            spec=spec,
            ctx=ctx,
            tables=tables,
            refusal_statuses=refusal_statuses,
            access_refusals=access_refusals,
            born=born,
            outcome=outcome,
        )

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(page_data(spec, base))
    def example(data: dict[str, Any]) -> None:
        post(data)

    start = time.perf_counter()
    try:
        for data in edge_examples(spec, base, ctx):
            post(data)
        example()
    except Failure as failure:
        outcome.failure, outcome.error = str(failure), failure
        if raise_failure:
            raise
    finally:
        outcome.seconds = time.perf_counter() - start
    return outcome


def edge_examples(
    spec: PageSpec, base: dict[str, Any] | None, ctx: Context
) -> list[dict[str, Any]]:
    """Before the random examples, the accepted post with one field at a time set to each
    of its worst values, and each date moved to each edge: the day before the child's birth,
    the day after they left care, tomorrow, beyond the horizon, the first and last years a
    date takes (fields of a formset's first row only)."""
    if base is None:
        return []
    out = []
    for part in spec.parts:
        if any(f"-{i}-" in part.keys[0] for i in range(1, 10)):
            continue
        edges = list(part.edges)
        if part.date:
            key = part.keys[0][: -len("_0")]
            edges += [
                {f"{key}_0": str(d.day), f"{key}_1": str(d.month), f"{key}_2": f"{d.year:04d}"}
                for d in ctx.edge_dates()
            ]
        for edge in edges:
            out.append({k: v for k, v in base.items() if k not in part.keys} | edge)
    return out


# ---- a target's run ------------------------------------------------------------------------


def initial_post(forms_: list[forms.BaseForm], formsets: list[forms.BaseFormSet]) -> dict[str, Any]:
    """What posting the page untouched sends: each field's first value, as its input holds it."""
    data: dict[str, Any] = {}
    for form in forms_:
        for name, f in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(f, SplitDateField):
                if isinstance(value, date):
                    data |= {f"{key}_0": str(value.day), f"{key}_1": str(value.month)}
                    data[f"{key}_2"] = str(value.year)
            elif isinstance(f, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[key] = [str(getattr(v, "pk", v)) for v in value or []]
            elif value is not None:
                data[key] = str(getattr(value, "pk", value))
    for formset in formsets:
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
    return data


def client_for(target: Any, world: Any) -> Client:
    """A client as the target's user: signed in fully, by password only (the security code
    step), by password without an authenticator app (enrolment), or not at all."""
    from lachealth.people.models import User

    from ..conftest import sign_in
    from ..factories import TOTPDeviceFactory

    client = Client()
    if target.user is None:
        return client
    user = world.users.get(target.user) or User.objects.get(username=target.user)
    if target.sign_in == "verified":
        return sign_in(client, user)
    if target.sign_in == "password":
        TOTPDeviceFactory(user=user)
    client.force_login(user)
    return client


def context_for(child: Any, today: date) -> Context:
    if child is None:
        return Context(today=today)
    episodes = list(child.episodes.order_by("decom").values_list("decom", "dec"))
    left = episodes[-1][1] if episodes and not child.looked_after else None
    return Context(
        today=today,
        born=child.date_of_birth,
        entered=episodes[0][0] if episodes else None,
        left=left,
    )


def prepare(target: Any, world: Any, today: date) -> dict[str, Any]:
    """Everything one target's examples need: its client, record, page's forms and a post
    the page accepts (checked to be accepted, so that fuzzing it reaches the service)."""
    scene = target.scene(world)
    client = client_for(target, world)
    url = target.url(scene)
    page = target.page(scene) if target.page else url
    with captured_forms() as seen:
        shown = client.get(page)
    assert shown.status_code == 200, f"{target}: {page} answered {shown.status_code}"
    forms_, formsets = page_forms(seen, target.forms)
    assert forms_ or formsets, f"{target}: {page} built none of {target.forms}"
    unbounded = [
        form.add_prefix(name)
        for form in [*forms_, *(fs.empty_form for fs in formsets)]
        for name, f in form.fields.items()
        if isinstance(f, forms.CharField) and f.max_length is None
    ]
    assert not unbounded, f"{target}: give these text fields a max_length: {unbounded}"
    child = target.child(scene)
    ctx = context_for(child, today)
    spec = page_spec(forms_, formsets, ctx)
    base = None
    if target.valid is not None:
        base = initial_post(forms_, formsets) | target.valid(scene)
        # A page may give the session a new key (the security code step does); the check's
        # rollback removes that session, so the client goes back to the one it had.
        name = django_settings.SESSION_COOKIE_NAME
        session_key = client.cookies[name].value if name in client.cookies else None
        with transaction.atomic():
            payload = {k: post_value(v) for k, v in {**base, **target.fixed}.items()}
            send = client.post if target.method == "post" else client.get
            response = send(url, payload)
            html = response.content.decode() if "html" in response.get("Content-Type", "") else ""
            errors = read_page(html).summary
            # A post the page accepts redirects; a search (GET) the page accepts shows results.
            wanted = 302 if target.method == "post" else 200
            assert response.status_code == wanted and not errors, (
                f"{target}: its valid {target.method} got {response.status_code} {errors}"
            )
            transaction.set_rollback(True)
        if session_key is not None:
            client.cookies[name] = session_key

    def born() -> date | None:
        if child is None:
            return None
        from lachealth.care.models import Child

        return (
            Child._base_manager.filter(pk=child.pk).values_list("date_of_birth", flat=True).first()
        )

    return {
        "client": client,
        "method": target.method,
        "url": url,
        "spec": spec,
        "ctx": ctx,
        "base": base,
        "fixed": target.fixed,
        "refusal_statuses": frozenset({200}) | target.refusal_statuses,
        "access_refusals": target.access_refusals,
        "born": born,
    }


def run_target(
    target: Any, world: Any, *, today: date, examples: int | None = None, raise_failure: bool = True
) -> Fuzzed:
    """Fuzz one target's forms: `examples` (by default `examples_per_form()` scaled by the
    target's share) posts, each rolled back."""
    wanted = examples if examples is not None else examples_per_form()
    count = max(3, round(wanted * target.share))
    outcome = Fuzzed(str(target))
    try:
        outcome = fuzz(
            name=str(target), examples=count, raise_failure=False, **prepare(target, world, today)
        )
    except Exception as error:  # the target's own set-up failed: report it like a failure
        outcome.failure = f"{type(error).__name__}: {error}"
        raise
    finally:
        report(outcome)
    if outcome.error is not None and raise_failure:
        raise outcome.error
    return outcome


def report(outcome: Fuzzed) -> None:
    """For `bench/fuzz_forms.py`: one JSON line per form, to the file it names."""
    path = os.environ.get("LACHEALTH_FUZZ_REPORT")
    if not path:
        return
    line = {
        "form": outcome.name,
        "examples": outcome.examples,
        "accepted": outcome.accepted,
        "refused": outcome.refused,
        "statuses": dict(outcome.statuses),
        "seconds": round(outcome.seconds, 2),
        "failure": outcome.failure.splitlines()[0][:3000] if outcome.failure else "",
        "unlinked": dict(outcome.unlinked),
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
