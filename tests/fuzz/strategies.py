"""Hypothesis strategies derived from a form's own fields: for each field, what a careful user
would type and what a hostile one would post instead.

A page's form (and its formsets) become `Part`s: the POST keys one field owns and a strategy
for their values. `page_data` mixes them: most examples start from a post the page accepts and
spoil one or a few fields, so that the service behind the form is reached, not only the form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from hypothesis import strategies as st

from lachealth.forms import SplitDateField

from .hostile import (
    ABSENT,
    ARABIC_INDIC,
    FILE_CONTENTS,
    FILE_NAMES,
    FULLWIDTH,
    HOSTILE_NUMBERS,
    HOSTILE_TEXT,
    IMPOSSIBLE_DATES,
    LONG_TEXTS,
)


@dataclass(frozen=True)
class Context:
    """The dates that make a date hostile for this page: today, and the child's birth, entry
    to care and leaving care when the form is about a child."""

    today: date
    born: date | None = None
    entered: date | None = None
    left: date | None = None

    def edge_dates(self) -> list[date]:
        """The few dates each date field is always tried with."""
        days = [
            self.today + timedelta(days=1),
            self.today.replace(year=self.today.year + 10) + timedelta(days=1),
            date(1900, 1, 1),
            date(2099, 12, 31),
        ]
        if self.born:
            days.append(self.born - timedelta(days=1))
        if self.left:
            days.append(self.left + timedelta(days=1))
        return days

    def anchor_dates(self) -> list[date]:
        t = self.today
        days = [
            t,
            t - timedelta(days=1),
            t + timedelta(days=1),
            t + timedelta(days=365 * 10),
            t - timedelta(days=365 * 120),
            date(1, 1, 1),
            date(1899, 12, 31),
            date(1900, 1, 1),
            date(9999, 12, 31),
            date(2000, 2, 29),
        ]
        for d in (self.born, self.entered):
            if d:
                days += [d - timedelta(days=1), d, d + timedelta(days=1)]
        if self.left:
            days += [self.left, self.left + timedelta(days=1), self.left + timedelta(days=200)]
        return days


@dataclass(frozen=True)
class Part:
    """One field of a page: the POST keys it owns and a strategy for their values (a dict
    whose values are strings, lists of strings, files or ABSENT)."""

    name: str
    keys: tuple[str, ...]
    values: st.SearchStrategy[dict[str, Any]]
    date: bool = False
    #: The field's worst values, always tried (one at a time) before the random examples.
    edges: tuple[dict[str, Any], ...] = ()


@dataclass
class PageSpec:
    parts: list[Part] = field(default_factory=list)
    #: The prefixes of the page's formsets, whose own refusals name no single field.
    formsets: list[str] = field(default_factory=list)

    @property
    def date_keys(self) -> list[str]:
        return [p.keys[0][: -len("_0")] for p in self.parts if p.date]


# ---- single values -------------------------------------------------------------------------


def _text(max_length: int | None) -> st.SearchStrategy[str]:
    limit = max_length or 2_000
    fair = st.text(
        st.characters(categories=("L", "N", "Zs", "P", "S")), min_size=1, max_size=min(limit, 40)
    )
    anything = st.text(st.characters(exclude_categories=("Cs",)), max_size=min(limit + 2, 60))
    edges: list[str] = list(LONG_TEXTS)
    if max_length:
        edges += ["a" * max_length, "a" * (max_length + 1), "é" * max_length]
    return st.one_of(fair, fair, anything, st.sampled_from(HOSTILE_TEXT), st.sampled_from(edges))


def _number(
    f: forms.IntegerField | forms.DecimalField | forms.FloatField,
) -> st.SearchStrategy[str]:
    low = f.min_value if f.min_value is not None else -(10**6)
    high = f.max_value if f.max_value is not None else 10**6
    edges = [low, high, low - 1, high + 1]
    if isinstance(f, forms.DecimalField):
        places = f.decimal_places if f.decimal_places is not None else 2
        step = Decimal(1).scaleb(-places)
        fair: st.SearchStrategy[Any] = st.decimals(
            Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False
        )
        edges += [Decimal(low) - step, Decimal(high) + step, Decimal(low) + step / 10]
    else:
        fair = st.integers(int(low), int(high))
    return st.one_of(
        fair.map(str),
        fair.map(str),
        st.sampled_from([str(e) for e in edges] + list(HOSTILE_NUMBERS)),
    )


def _bogus_choices(values: Sequence[str]) -> st.SearchStrategy[str]:
    spoiled = [f" {v}" for v in values[:3] if v] + [v.lower() + "x" for v in values[:3] if v]
    return st.sampled_from(
        ["zzz", "<script>", "1e309", "-1", "0", "99999999999999999999", "\x00", "None", *spoiled]
    )


def _choice_values(f: forms.ChoiceField) -> list[str]:
    values: list[str] = []
    for value, label in f.choices:  # type: ignore[attr-defined]
        if isinstance(label, list | tuple):  # an option group
            values += [str(v) for v, _ in label]
        else:
            values.append(str(value))
    return values


def _model_values(f: forms.ModelChoiceField) -> list[str]:
    """Every object of the field's model, those the page offers and those it must refuse
    (another area's, another team's): the ids a user could type into the URL-encoded post."""
    key = f.to_field_name or "pk"
    model = f.queryset.model
    return [str(v) for v in model._base_manager.order_by(key).values_list(key, flat=True)[:200]]


def _choice(f: forms.ChoiceField) -> st.SearchStrategy[Any]:
    offered = [v for v in _choice_values(f)]
    outside = _model_values(f) if isinstance(f, forms.ModelChoiceField) else []
    real = [v for v in offered if v != ""]
    options: list[st.SearchStrategy[Any]] = [st.sampled_from(offered or [""]), _bogus_choices(real)]
    if real:
        options.insert(0, st.sampled_from(real))
    if outside:
        options.append(st.sampled_from(outside))
    single = st.one_of(*options)
    if isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.one_of(st.lists(single, max_size=4), st.just(ABSENT))
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def _boolean() -> st.SearchStrategy[Any]:
    return st.sampled_from(["on", "on", ABSENT, "", "false", "0", "1", "off", "\x00", "x" * 10_000])


def _email(max_length: int | None) -> st.SearchStrategy[str]:
    fair = st.emails().filter(lambda e: len(e) <= (max_length or 254))
    edges = [
        "name@example.org",
        "a@b",
        "@example.org",
        "name@",
        "name@@example.org",
        "a" * 300 + "@example.org",
    ]
    return st.one_of(fair, fair, st.sampled_from(edges), _text(max_length))


def _date_parts(ctx: Context) -> st.SearchStrategy[tuple[str, str, str]]:
    def spelled(d: date) -> st.SearchStrategy[tuple[str, str, str]]:
        plain = (str(d.day), str(d.month), f"{d.year:04d}")
        return st.sampled_from(
            [
                plain,
                plain,
                (f"{d.day:02d}", f"{d.month:02d}", f"{d.year:04d}"),
                (f" {d.day} ", f" {d.month}", f"{d.year:04d} "),
                tuple(p.translate(FULLWIDTH) for p in plain),  # type: ignore[misc]
                tuple(p.translate(ARABIC_INDIC) for p in plain),  # type: ignore[misc]
            ]
        )

    days = st.one_of(
        st.sampled_from(ctx.anchor_dates()),
        st.sampled_from(ctx.anchor_dates()),
        st.dates(ctx.today - timedelta(days=365 * 30), ctx.today + timedelta(days=365 * 3)),
        st.dates(),
    )
    junk = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
    return st.one_of(
        days.flatmap(spelled),
        days.flatmap(spelled),
        st.sampled_from(IMPOSSIBLE_DATES),
        st.tuples(junk, junk, junk),
    )


# ---- fields, forms and formsets ------------------------------------------------------------


def field_values(f: forms.Field, ctx: Context) -> st.SearchStrategy[Any]:
    """A strategy for what one field's input is posted with (not for a split date)."""
    if isinstance(f, forms.BooleanField):
        return _boolean()
    if isinstance(f, forms.ChoiceField):  # ModelChoiceField too
        return _choice(f)
    if isinstance(f, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return _number(f)
    if isinstance(f, forms.EmailField):
        return _email(f.max_length)
    if isinstance(f, forms.FileField):
        return _files()
    if isinstance(f, forms.CharField):
        return _text(f.max_length)
    raise TypeError(f"no strategy for {type(f).__name__}: add one to tests/fuzz/strategies.py")


@st.composite
def _date_dict(draw: Any, key: str, ctx: Context) -> dict[str, Any]:
    if draw(st.integers(0, 15)) == 0:
        return {f"{key}_{i}": ABSENT for i in range(3)}
    parts = draw(_date_parts(ctx))
    return {f"{key}_{i}": p for i, p in enumerate(parts)}


def _edges(key: str, f: forms.Field) -> tuple[dict[str, Any], ...]:
    """A field's worst values: one that is no value of its kind, one beyond its bounds (for a
    tick box: ticked, and left out)."""
    if isinstance(f, SplitDateField):
        return (
            {f"{key}_0": "31", f"{key}_1": "2", f"{key}_2": "2024"},
            {f"{key}_0": "9" * 20, f"{key}_1": "1", f"{key}_2": "2024"},
        )
    if isinstance(f, forms.BooleanField):  # ticked alone, and not sent at all
        return ({key: "on"}, {})
    if isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return ({key: ["zzz"]}, {key: ["9" * 20, "\x00"]})
    if isinstance(f, forms.ChoiceField):
        return ({key: "zzz"}, {key: "\x00"})
    if isinstance(f, forms.IntegerField | forms.DecimalField | forms.FloatField):
        beyond = f.max_value + 1 if f.max_value is not None else "9" * 40
        return ({key: "1e309"}, {key: str(beyond)})
    if isinstance(f, forms.FileField):
        return ({key: [FileValue("Header.csv", b"")]},)
    if isinstance(f, forms.CharField):  # and a plain word, alone where others are left empty
        return (
            {key: "\u202eAda\x07"},
            {key: "y" * ((f.max_length or 9_999) + 1)},
            {key: "Ada"[: f.max_length or 3]},
        )
    return ()


def field_part(name: str, key: str, f: forms.Field, ctx: Context) -> Part:
    if isinstance(f, SplitDateField):
        keys = tuple(f"{key}_{i}" for i in range(3))
        return Part(name, keys, _date_dict(key, ctx), date=True, edges=_edges(key, f))
    values = st.one_of(field_values(f, ctx), st.just(ABSENT))
    return Part(name, (key,), values.map(lambda v: {key: v}), edges=_edges(key, f))


def form_parts(form: forms.BaseForm, ctx: Context) -> list[Part]:
    return [field_part(name, form.add_prefix(name), f, ctx) for name, f in form.fields.items()]


#: What a hostile post puts in a formset's management form.
ABSURD_COUNTS = ("", "-1", "1000", "1000000000", "1e309", "abc", "3.5", "\x00", ABSENT)


def formset_parts(formset: forms.BaseFormSet, ctx: Context, rows: int = 3) -> list[Part]:
    prefix = formset.prefix
    counts = st.one_of(st.integers(0, rows).map(str), st.sampled_from(ABSURD_COUNTS))
    management = st.fixed_dictionaries(
        {
            f"{prefix}-TOTAL_FORMS": counts,
            f"{prefix}-INITIAL_FORMS": st.sampled_from(["0", "0", "", "-1", "5", "1e309", ABSENT]),
            f"{prefix}-MIN_NUM_FORMS": st.sampled_from([ABSENT, "0", "1000"]),
            f"{prefix}-MAX_NUM_FORMS": st.sampled_from([ABSENT, "1000", "-1"]),
        }
    )
    parts = [
        Part(
            f"{prefix} (management form)",
            tuple(
                f"{prefix}-{k}"
                for k in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
            ),
            management,
            edges=({f"{prefix}-TOTAL_FORMS": "1000000000"}, {f"{prefix}-INITIAL_FORMS": "-1"}),
        )
    ]
    row_form = formset.empty_form
    for i in range(rows):
        for name, f in row_form.fields.items():
            parts.append(field_part(f"{prefix}-{i}-{name}", f"{prefix}-{i}-{name}", f, ctx))
    return parts


def page_spec(
    forms_: Iterable[forms.BaseForm], formsets: Iterable[forms.BaseFormSet], ctx: Context
) -> PageSpec:
    spec = PageSpec()
    for form in forms_:
        spec.parts += form_parts(form, ctx)
    for formset in formsets:
        spec.parts += formset_parts(formset, ctx)
        spec.formsets.append(formset.prefix)
    return spec


# ---- files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileValue:
    """An upload, made into a fresh SimpleUploadedFile for each post (a file is read once)."""

    name: str
    content: bytes


def _files() -> st.SearchStrategy[Any]:
    one = st.builds(
        FileValue,
        st.sampled_from(FILE_NAMES),
        st.one_of(st.sampled_from(FILE_CONTENTS), st.binary(max_size=512)),
    )
    return st.one_of(st.lists(one, min_size=1, max_size=3), st.just(ABSENT))


# ---- a whole post --------------------------------------------------------------------------


@st.composite
def page_data(draw: Any, spec: PageSpec, base: dict[str, Any] | None) -> dict[str, Any]:
    """A post of the page: with a post the page accepts (`base`), mostly that post with one
    field, or a few, spoilt; otherwise, or sometimes, every field drawn afresh."""
    modes = ["base", "one", "one", "one", "some", "some", "all"] if base else ["all"]
    mode = draw(st.sampled_from(modes))
    data: dict[str, Any] = {} if mode == "all" else dict(base or {})
    if mode == "base" or not spec.parts:
        chosen: list[Part] = []
    elif mode == "one":
        chosen = [draw(st.sampled_from(spec.parts))]
    elif mode == "some":
        size = min(len(spec.parts), 5)
        chosen = draw(
            st.lists(
                st.sampled_from(spec.parts),
                min_size=min(size, 2),
                max_size=size,
                unique_by=lambda p: p.name,
            )
        )
    else:
        chosen = spec.parts
    for part in chosen:
        for key in part.keys:
            data.pop(key, None)
        data.update(draw(part.values))
    return {k: v for k, v in data.items() if v is not ABSENT}
