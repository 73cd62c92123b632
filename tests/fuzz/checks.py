"""The property every form keeps, checked on one example:

- no response is a server error, and none is a 400 unless the page refuses with it on purpose
  (then it shows the error summary, like any refusal);
- a refused post shows the NHS.UK error summary, each message linked to a field on the page
  (but a formset's own, "up to 30 actions"), and no message is one of Django's own ("This
  field is required.", "Ensure this value…");
- a refused post writes nothing (row counts and highest ids of every table, history included,
  but for the access log, sessions and django-axes' records of sign-in attempts);
- an accepted post stores only what its fields allow: no hidden characters, nothing longer
  than a column, no choice that is not one, no date before 1900, more than 10 years ahead, or
  before the birth of the child it is about.

Each example runs in a savepoint rolled back after it, so the world is built once per form.
"""

from __future__ import annotations

import html
import inspect
import re
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.shortcuts import resolve_url
from django.test import Client

from .strategies import Context, FileValue, PageSpec

#: Tables a refused post may still write: who looked at the page, the session, and
#: django-axes' count of failed sign-ins.
UNWATCHED = ("people_accesslog", "django_session", "axes_")

#: Dates an accepted post may store: none before 1900, none more than 10 years ahead.
EARLIEST = date(1900, 1, 1)
HORIZON_YEARS = 10


# ---- the page's answer ---------------------------------------------------------------------


SUMMARY_LIST = re.compile(r'<ul class="[^"]*nhsuk-error-summary__list[^"]*">(.*?)</ul>', re.S)
SUMMARY_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)
FIELD_MESSAGE = re.compile(
    r'<span class="nhsuk-error-message[^"]*"[^>]*>\s*'
    r'<span class="nhsuk-u-visually-hidden">Error: </span>(.*?)</span>',
    re.S,
)
ID = re.compile(r'\sid="([^"]+)"')
TAG = re.compile(r"<[^>]+>")


@dataclass
class Page:
    """What a refusal shows: the error summary's links and texts, the messages beside the
    fields, and every id on the page (for the summary's links to point at)."""

    summary: list[tuple[str | None, str]]
    field_messages: list[str]
    ids: set[str]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub("", fragment)).split())


def read_page(content: str) -> Page:
    summary: list[tuple[str | None, str]] = []
    for listed in SUMMARY_LIST.findall(content):
        for item in SUMMARY_ITEM.findall(listed):
            link = LINK.search(item)
            summary.append(
                (html.unescape(link.group(1)), _text(link.group(2)))
                if link
                else (None, _text(item))
            )
    return Page(
        summary=summary,
        field_messages=[_text(m) for m in FIELD_MESSAGE.findall(content)],
        ids={html.unescape(i) for i in ID.findall(content)},
    )


PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{[^}]*\}|“[^”]*”")

#: Django's messages that are plural-aware, which read as '' until given a number.
DJANGO_PLURALS = (
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "Ensure that there are no more than %(max)s digits in total.",
    "Ensure that there are no more than %(max)s decimal places.",
    "Ensure that there are no more than %(max)s digits before the decimal point.",
    "Please submit at most %(num)d forms.",
    "Please submit at least %(num)d forms.",
    "Ensure this filename has at most %(max)d characters (it has %(length)d).",
)


def _django_defaults() -> list[re.Pattern[str]]:
    """Every message Django itself would show, as a pattern (its placeholders match any
    text): a lachealth page must never show one."""
    texts: set[str] = set(DJANGO_PLURALS)
    classes: list[type] = [forms.Field, forms.BaseFormSet, models.Field]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        if cls.__module__.startswith("django."):
            texts |= {str(m) for m in vars(cls).get("default_error_messages", {}).values()}
    for _, cls in inspect.getmembers(django_validators, inspect.isclass):
        if getattr(cls, "message", None) is not None:
            texts.add(str(cls.message))
    patterns = []
    for text in texts:
        pieces = [p for p in PLACEHOLDER.split(text.strip().rstrip("."))]
        if sum(len(p.strip()) for p in pieces) >= 8:
            patterns.append(re.compile(".*?".join(re.escape(p) for p in pieces)))
    return sorted(patterns, key=lambda p: p.pattern)


DJANGO_DEFAULTS = _django_defaults()


def django_default_in(text: str) -> str | None:
    return next((p.pattern for p in DJANGO_DEFAULTS if p.search(text)), None)


# ---- what the database holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    pk: str | None  # the integer key's column, to find the rows a post added
    model: type[models.Model]


def watched_tables() -> list[Table]:
    tables: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table.startswith(UNWATCHED):
            continue
        pk = meta.pk
        integer = isinstance(pk, models.IntegerField | models.AutoField)
        tables.setdefault(
            meta.db_table, Table(meta.db_table, pk.column if integer else None, model)
        )
    return sorted(tables.values(), key=lambda t: t.name)


def fingerprint(tables: list[Table]) -> dict[str, tuple[int, int]]:
    """Each table's row count and highest id, in one query."""
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t.name}', COUNT(*), {f'MAX({qn(t.pk)})' if t.pk else '0'} FROM {qn(t.name)}"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {name: (count, top or 0) for name, count, top in cursor.fetchall()}


def _instances(table: Table, above: int) -> list[models.Model]:
    rows = list(table.model._base_manager.filter(pk__gt=above).order_by("pk")[:50])
    if hasattr(table.model, "instance_type"):  # a history row: check the record it copies
        return [row.instance for row in rows if hasattr(row, "instance")]
    return rows


def stored_problems(
    tables: list[Table],
    before: dict[str, tuple[int, int]],
    after: dict[str, tuple[int, int]],
    today: date,
) -> list[str]:
    """What an accepted post stored that its columns do not allow."""
    problems: list[str] = []
    latest = today.replace(year=today.year + HORIZON_YEARS)
    births: dict[int, date | None] = {}
    for table in tables:
        if not table.pk or after[table.name][1] <= before[table.name][1]:
            continue
        if table.model._meta.auto_created:
            continue
        for obj in _instances(table, before[table.name][1]):
            where = f"{type(obj).__name__} {obj.pk}"
            try:
                obj.clean_fields()
            except ValidationError as error:
                # "blank" is a form's notion (a JSON list left empty is one), not a bound.
                wrong = {
                    name: [e.messages for e in errors if e.code != "blank"]
                    for name, errors in error.error_dict.items()
                }
                problems += [f"{where}.{name}: {m}" for name, m in wrong.items() if m]
            child_id = getattr(obj, "child_id", None)
            if child_id and child_id not in births:
                from lachealth.care.models import Child

                births[child_id] = (
                    Child._base_manager.filter(pk=child_id)
                    .values_list("date_of_birth", flat=True)
                    .first()
                )
            born = births.get(child_id) if child_id else None
            for f in obj._meta.concrete_fields:
                value = getattr(obj, f.attname)
                if isinstance(value, str) and hidden(value):
                    problems.append(f"{where}.{f.name} holds hidden characters: {value!r}")
                if isinstance(f, models.DateTimeField) or not isinstance(f, models.DateField):
                    continue
                if value is None:
                    continue
                if not EARLIEST <= value <= latest:
                    problems.append(f"{where}.{f.name} is {value}")
                if born and value < born and f.name != "date_of_birth":
                    problems.append(f"{where}.{f.name} is {value}, before the birth ({born})")
    return problems


def hidden(text: str) -> bool:
    """Whether text holds what no one types: a control character (but tab and line breaks)
    or a direction override or isolate."""
    return any(
        (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
        or "\u202a" <= c <= "\u202e"
        or "\u2066" <= c <= "\u2069"
        for c in text
    )


def _row_sent(key: str, data: dict[str, Any], spec: PageSpec) -> bool:
    """Whether a formset row's field was part of the post (its row within TOTAL_FORMS)."""
    for prefix in spec.formsets:
        row = re.match(rf"{re.escape(prefix)}-(\d+)-", key)
        if row:
            total = str(data.get(f"{prefix}-TOTAL_FORMS", ""))
            return total.isdigit() and int(row.group(1)) < int(total)
    return True


def posted_date(data: dict[str, Any], key: str) -> date | None:
    """The date a split date's boxes make, read as `SplitDateField` reads them."""
    parts = [data.get(f"{key}_{i}") for i in range(3)]
    if not all(isinstance(p, str) for p in parts):
        return None
    day, month, year = (str(p).strip() for p in parts)
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        return None


# ---- one form, many examples ---------------------------------------------------------------


@dataclass
class Fuzzed:
    """What the examples of one form did."""

    name: str
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: int = 0
    refused: int = 0
    seconds: float = 0.0
    failure: str = ""
    error: BaseException | None = None
    #: Messages of the error summary that link to no field, and how often each was shown.
    unlinked: Counter[str] = field(default_factory=Counter)


def post_value(value: Any) -> Any:
    if isinstance(value, list):
        return [post_value(v) for v in value]
    if isinstance(value, FileValue):
        return SimpleUploadedFile(value.name, value.content)
    return value


class Failure(AssertionError):
    pass


def check_example(client: Client, **kwargs: Any) -> None:
    """Send one example and hold its answer to the property; roll everything back. A page
    may give the session a new key (the security code step does); the rollback removes that
    session, so the client goes back to the one it had."""
    name = django_settings.SESSION_COOKIE_NAME
    session_key = client.cookies[name].value if name in client.cookies else None
    try:
        _check_example(client, **kwargs)
    finally:
        if session_key is not None:
            client.cookies[name] = session_key


def _check_example(
    client: Client,
    *,
    method: str,
    url: str,
    data: dict[str, Any],
    spec: PageSpec,
    ctx: Context,
    tables: list[Table],
    refusal_statuses: frozenset[int],
    access_refusals: frozenset[int],
    born: Callable[[], date | None],
    outcome: Fuzzed,
) -> None:
    with transaction.atomic():
        before = fingerprint(tables)
        payload = {k: post_value(v) for k, v in data.items()}
        try:
            send = client.post if method == "post" else client.get
            response = send(url, payload)
        except Exception:
            raise Failure(f"server error for {data!r}\n{traceback.format_exc()}") from None
        status = response.status_code
        outcome.statuses[status] += 1
        after = fingerprint(tables)
        if status == 302:
            if method == "post":
                outcome.accepted += 1
                _check_accepted(response, data, spec, ctx, tables, before, after, born)
        elif status in access_refusals:
            if after != before:
                raise Failure(f"refused access ({status}) but wrote: {data!r}")
        elif status == 200 or status in refusal_statuses:
            html = response.content.decode() if "html" in response.get("Content-Type", "") else ""
            page = read_page(html)
            _check_messages(page, data)
            outcome.unlinked.update(text for href, text in page.summary if href is None)
            refused = method == "post" or status != 200
            if refused:
                outcome.refused += 1
                if not page.summary:
                    raise Failure(f"refused ({status}) without an error summary: {data!r}")
                unnamed = [text for href, text in page.summary if href is None]
                if unnamed and not spec.formsets:
                    # Only a formset's own refusals ("up to 30 actions") have no one field.
                    raise Failure(f"refused naming no field: {unnamed}: {data!r}")
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                if method == "post" and changed:
                    raise Failure(f"a refused post wrote {changed}: {data!r}")
        else:
            raise Failure(f"status {status} for {data!r}")
        transaction.set_rollback(True)


def _check_messages(page: Page, data: dict[str, Any]) -> None:
    for href, text in page.summary:
        default = django_default_in(text)
        if default:
            raise Failure(f"Django's own message {text!r} in the summary: {data!r}")
        if href is not None and href.removeprefix("#") not in page.ids:
            raise Failure(f"the summary links to {href}, which is not on the page: {data!r}")
    for text in page.field_messages:
        if django_default_in(text):
            raise Failure(f"Django's own message {text!r} beside a field: {data!r}")


def _check_accepted(
    response: Any,
    data: dict[str, Any],
    spec: PageSpec,
    ctx: Context,
    tables: list[Table],
    before: dict[str, tuple[int, int]],
    after: dict[str, tuple[int, int]],
    born: Callable[[], date | None],
) -> None:
    if response.get("Location", "").startswith(resolve_url(django_settings.LOGIN_URL) + "?"):
        raise Failure(f"sent to sign in after posting {data!r}")
    problems = stored_problems(tables, before, after, ctx.today)
    latest = ctx.today.replace(year=ctx.today.year + HORIZON_YEARS)
    birth = posted_date(data, "date_of_birth") if "date_of_birth" in spec.date_keys else None
    birth = birth or born()
    for key in spec.date_keys:
        value = posted_date(data, key)
        if value is None or key.endswith("date_of_birth") or not _row_sent(key, data, spec):
            continue
        if not EARLIEST <= value <= latest:
            problems.append(f"{key} accepted as {value}")
        if birth and value < birth:
            problems.append(f"{key} accepted as {value}, before the child's birth ({birth})")
    if problems:
        raise Failure(f"accepted {data!r} but stored: {problems}")
