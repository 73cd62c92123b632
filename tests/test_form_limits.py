"""Every field of every form is bounded, and the largest pages fit the request limits: a new
form, field or formset without its bound fails here, before it can let one post tie up a worker
(an audit found an assessment posted with 1,000 plan rows taking 24 s, and the child's voice
taking 2,000,000 characters).

Fields are read twice: from each form class (what it declares, and what a ModelForm takes from
its model), and from the source, for the fields a form adds in `__init__` (the SDQ's items, the
QA tool's criteria, the projection's costs), which no class holds until a page builds it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

import lachealth
from lachealth import settings as lachealth_settings
from lachealth.forms import SplitDateField
from lachealth.health import forms as health_forms
from lachealth.interop import files as interop_files
from lachealth.interop.forms import ReturnFilesField
from lachealth.quality import forms as quality_forms
from lachealth.quality import tools

#: The most rows any formset takes, whatever it says: a page of more rows is no form.
MOST_ROWS = 100

#: How many bytes one character of a text box can take in a post, at most: four in UTF-8,
#: each percent-encoded as three.
BYTES_PER_CHARACTER = 12

#: Each kind of file a form takes, and where its size limit is said (in bytes). A new file
#: field fails `test_every_file_field_has_its_size_limit` until its limit is named here.
FILE_LIMITS: dict[type[forms.FileField], Any] = {
    ReturnFilesField: interop_files.max_return_bytes,
}

#: The largest a file limit may be, all files of one post together.
MOST_FILE_BYTES = 200 * 1024 * 1024

SRC = Path(lachealth.__file__).parent


def lachealth_modules() -> list[Any]:
    """Every module of lachealth, imported (forms live in forms.py, views and elsewhere)."""
    found = []
    for module in pkgutil.walk_packages(lachealth.__path__, "lachealth."):
        if ".migrations" not in module.name and not module.name.endswith((".wsgi", ".cli")):
            found.append(importlib.import_module(module.name))
    return found


def _subclasses(root: type) -> Iterator[type]:
    pending = [root]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        yield cls


def form_classes() -> list[type[forms.BaseForm]]:
    lachealth_modules()
    return sorted(
        {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("lachealth.")},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def formset_classes() -> list[type[forms.BaseFormSet]]:
    """Every formset a factory made of a lachealth form (the factory's class belongs to
    django.forms.formsets; its form, or its base, to lachealth)."""
    lachealth_modules()
    return list(
        {
            c
            for c in _subclasses(forms.BaseFormSet)
            if getattr(c, "form", None) is not None
            and any(k.__module__.startswith("lachealth.") for k in (c.form, *c.__mro__))
        }
    )


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fields(field: forms.Field) -> Iterator[forms.Field]:
    """A field and, for one of several parts (a split date), each part."""
    yield field
    if isinstance(field, forms.MultiValueField):
        for part in field.fields:
            yield from _fields(part)


# ---- the request limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS",
        "DATA_UPLOAD_MAX_NUMBER_FILES",
        "FILE_UPLOAD_MAX_MEMORY_SIZE",
    ],
)
def test_each_request_limit_is_set_in_lachealths_own_settings(name: str) -> None:
    """Set, not left to Django's default: a limit is a decision, with its reason beside it."""
    assert isinstance(getattr(lachealth_settings, name, None), int), name
    source = Path(lachealth_settings.__file__).read_text()
    line = next(n for n, text in enumerate(source.splitlines()) if text.startswith(f"{name} ="))
    assert source.splitlines()[line - 1].startswith("#"), f"say why {name} is what it is"


# ---- fields ----------------------------------------------------------------------------------


def test_every_text_field_of_every_form_class_has_a_max_length() -> None:
    unbounded = [
        f"{_name(cls)}.{name}"
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        for part in _fields(field)
        if isinstance(part, forms.CharField) and part.max_length is None
    ]
    assert not unbounded, f"give each a max_length: {unbounded}"


def _has_most(cls: type[forms.BaseForm], name: str, field: forms.Field) -> bool:
    """A number field's most: its own, or for a ModelForm its model field's (checked as the
    form is cleaned, like a PositiveSmallIntegerField's 32,767)."""
    if getattr(field, "max_value", None) is not None:
        return True
    model = getattr(getattr(cls, "_meta", None), "model", None)
    if model is None:
        return False
    return any(isinstance(v, MaxValueValidator) for v in model._meta.get_field(name).validators)


def test_every_number_field_of_every_form_class_has_its_most() -> None:
    numbers = (forms.IntegerField, forms.DecimalField, forms.FloatField)
    unbounded = [
        f"{_name(cls)}.{name}"
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, numbers) and not _has_most(cls, name, field)
    ]
    assert not unbounded, f"give each a max_value: {unbounded}"


def _source_calls() -> Iterator[tuple[str, int, str, set[str], bool]]:
    """Every call of a `forms.<Field>(…)` or `…formset_factory(…)` in lachealth's source:
    where, what, its keywords, and whether it passes `**kwargs` on."""
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                owner, name = func.value.id, func.attr
            elif isinstance(func, ast.Name):
                owner, name = "", func.id
            else:
                continue
            if owner not in ("forms", ""):
                continue
            keywords = {k.arg for k in node.keywords if k.arg}
            spread = any(k.arg is None for k in node.keywords)
            yield f"{path.relative_to(SRC.parent)}:{node.lineno}", owner, name, keywords, spread


def _form_field_classes(base: type | tuple[type, ...]) -> set[str]:
    return {
        name for name, obj in vars(forms).items() if isinstance(obj, type) and issubclass(obj, base)
    }


def test_every_text_field_a_form_adds_as_it_is_built_has_a_max_length() -> None:
    """The fields made in `__init__` or by a helper: each `forms.CharField(…)` (or email, URL,
    regex field) in the source says its max_length."""
    text_fields = _form_field_classes(forms.CharField)
    unbounded = [
        where
        for where, owner, name, keywords, spread in _source_calls()
        if owner == "forms" and name in text_fields and "max_length" not in keywords
    ]
    assert not unbounded, f"give each a max_length: {unbounded}"


def test_every_number_field_a_form_adds_as_it_is_built_has_its_most() -> None:
    numbers = _form_field_classes((forms.IntegerField, forms.DecimalField, forms.FloatField))
    unbounded = [
        where
        for where, owner, name, keywords, spread in _source_calls()
        if owner == "forms" and name in numbers and not spread and "max_value" not in keywords
    ]
    assert not unbounded, f"give each a max_value: {unbounded}"


def test_every_file_field_has_its_size_limit() -> None:
    """A file is not counted in DATA_UPLOAD_MAX_MEMORY_SIZE: each file field names its own
    limit here (`FILE_LIMITS`), which its page checks and says."""
    for cls in form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.FileField):
                assert type(field) in FILE_LIMITS, f"name the size limit of {_name(cls)}.{name}"
    for kind, limit in FILE_LIMITS.items():
        assert 0 < limit() <= MOST_FILE_BYTES, kind


def test_health_text_boxes_say_their_most_beside_the_box() -> None:
    """What the page says: each of the assessment's text boxes gives its limit in its hint."""
    for cls in form_classes():
        if cls.__module__ != health_forms.__name__:
            continue
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                said = f"Up to {field.max_length:,} characters"
                assert said in str(field.help_text), f"{_name(cls)}.{name}: say “{said}”"


# ---- formsets --------------------------------------------------------------------------------


def test_every_formset_has_a_most_rows_it_takes() -> None:
    found = formset_classes()
    assert health_forms.ActionFormSet in found and quality_forms.CriterionRows in found
    for formset in found:
        where = f"{_name(formset)} of {_name(formset.form)}"
        assert formset.absolute_max <= MOST_ROWS, f"{where}: absolute_max over {MOST_ROWS}"
        assert formset.max_num <= formset.absolute_max, where


def test_every_formset_factory_call_says_its_rows() -> None:
    """Django's defaults are 1,000 rows and 2,000 at most: each factory says its own."""
    unbounded = [
        where
        for where, owner, name, keywords, spread in _source_calls()
        if name.endswith("formset_factory") and not {"max_num", "absolute_max"} <= keywords
    ]
    assert not unbounded, f"give each a max_num and an absolute_max: {unbounded}"


# ---- the largest pages fit the limits, with room -----------------------------------------------


def _worst(form: forms.BaseForm) -> tuple[int, int]:
    """The most fields and bytes one form can send: every box full, every choice ticked."""
    fields = size = 0
    for name, field in form.fields.items():
        key = len(form.add_prefix(name)) + 2  # name= and &
        if isinstance(field, forms.MultiValueField):
            for part in field.fields:
                fields += 1
                size += key + 2 + BYTES_PER_CHARACTER * (getattr(part, "max_length", None) or 20)
        elif isinstance(field, forms.ModelChoiceField):  # a record chosen by its id
            fields += 1
            size += key + BYTES_PER_CHARACTER * 20
        elif isinstance(field, forms.MultipleChoiceField):
            for value, _ in field.choices:
                fields += 1
                size += key + BYTES_PER_CHARACTER * len(str(value))
        elif isinstance(field, forms.CharField):
            assert field.max_length is not None
            fields += 1
            size += key + BYTES_PER_CHARACTER * field.max_length
        elif isinstance(field, forms.ChoiceField):
            fields += 1
            size += key + BYTES_PER_CHARACTER * max(
                (len(str(v)) for v, _ in field.choices), default=0
            )
        else:  # a number, a box ticked
            fields += 1
            size += key + BYTES_PER_CHARACTER * 20
    return fields, size


def _worst_formset(formset: type[forms.BaseFormSet], prefix: str) -> tuple[int, int]:
    rows = [formset.form(prefix=f"{prefix}-{i}") for i in range(formset.absolute_max)]
    worst = [_worst(row) for row in rows]
    management = 4  # TOTAL_FORMS, INITIAL_FORMS, MIN_NUM_FORMS, MAX_NUM_FORMS
    return sum(f for f, _ in worst) + management, sum(s for _, s in worst) + management * 40


def _page(*parts: tuple[int, int]) -> tuple[int, int]:
    csrf = (1, 100)
    return (
        sum(f for f, _ in (*parts, csrf)),
        sum(s for _, s in (*parts, csrf)),
    )


def assessment_page() -> tuple[int, int]:
    """The health assessment at its longest: 30 actions, 30 new summary entries, and 100 of
    the child's current summary entries ticked as resolved."""
    form = health_forms.AssessmentForm(practitioners=None)  # type: ignore[arg-type]
    current = [
        SimpleNamespace(pk=10**9 + n, get_kind_display=lambda: "Condition", term="x")
        for n in range(100)
    ]
    review = health_forms.ReviewSummaryForm(current=current, prefix="summary")
    add = (1, 40)  # "Add another"
    return _page(
        _worst(form),
        _worst_formset(health_forms.ActionFormSet, "actions"),
        _worst_formset(health_forms.NewEntryFormSet, "entries"),
        _worst(review),
        add,
    )


def qa_draft_page() -> tuple[int, int]:
    """The QA tool's draft at its longest: every criterion row full."""
    return _page(
        _worst(quality_forms.DraftForm()),
        _worst_formset(quality_forms.CriterionRows, "criteria"),
    )


def qa_score_page() -> tuple[int, int]:
    """Scoring an assessment with a tool of the most criteria, each with its note."""
    criteria = [
        SimpleNamespace(pk=10**9 + n, text="Criterion", guidance="")
        for n in range(tools.MAX_CRITERIA)
    ]
    section = SimpleNamespace(title="Section", criteria=SimpleNamespace(all=lambda: criteria))
    version = SimpleNamespace(
        sections=SimpleNamespace(prefetch_related=lambda *_: [section]),
        answers=[("x" * 50, "Answer")] * tools.MAX_LABELS,
        grades=[("x" * 50, "Grade")] * tools.MAX_LABELS,
    )
    return _page(_worst(quality_forms.ScoreForm(version=version)))  # type: ignore[arg-type]


#: How much of each request limit the largest page may use at its longest: the rest is room
#: for a page to grow before the limit refuses what someone legitimately typed.
ROOM = 0.6


@pytest.mark.parametrize("page", [assessment_page, qa_draft_page, qa_score_page])
def test_the_largest_pages_fit_the_request_limits_with_room(page: Any) -> None:
    fields, size = page()
    assert fields <= ROOM * settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, (page.__name__, fields)
    assert size <= ROOM * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, (page.__name__, size)


def test_the_assessment_is_the_page_the_field_limit_is_measured_against() -> None:
    """What settings.py says of the largest pages stays true (about 430 fields)."""
    fields, _ = assessment_page()
    assert 400 <= fields - 100 <= 460  # less the 100 entries ticked as resolved


def test_a_split_date_is_three_small_boxes() -> None:
    field = SplitDateField(label="When")
    assert [part.max_length for part in field.fields] == [2, 2, 4]  # type: ignore[attr-defined]


def test_the_source_walk_sees_the_fields_a_form_adds_as_it_is_built() -> None:
    """The source walk is not blind: it finds the SDQ's items (made in `SdqForm.__init__`) and
    the factories of the plan's and the QA tool's rows."""
    calls = [(where, name) for where, owner, name, *_ in _source_calls()]
    first_line = inspect.getsourcelines(health_forms.SdqForm)[1]
    assert any(
        where.startswith("lachealth/health/forms.py:")
        and int(where.split(":")[1]) > first_line
        and name == "ChoiceField"
        for where, name in calls
    )
    factories = {where.split(":")[0] for where, name in calls if name == "formset_factory"}
    assert {"lachealth/health/forms.py", "lachealth/quality/forms.py"} <= factories
