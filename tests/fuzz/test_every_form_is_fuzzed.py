"""Every form class under src/lachealth is posted by the fuzzer: a new form cannot land
without a target in tests/fuzz/targets.py (or, for a base or mixin, a line in NOT_BUILT)."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import lachealth

from .targets import NOT_BUILT, TARGETS


def lachealth_form_classes() -> set[type]:
    """Every form and formset class defined in lachealth's modules (all imported first)."""
    for module in pkgutil.walk_packages(lachealth.__path__, "lachealth."):
        if ".migrations" not in module.name and not module.name.endswith((".wsgi", ".cli")):
            importlib.import_module(module.name)
    found: set[type] = set()
    pending: list[type] = [forms.BaseForm, forms.BaseFormSet]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("lachealth."):
            found.add(cls)
    return found


def test_every_form_class_has_a_fuzz_target() -> None:
    fuzzed = {cls for target in TARGETS for cls in target.forms}
    unfuzzed = lachealth_form_classes() - fuzzed - set(NOT_BUILT)
    assert not unfuzzed, (
        "Add a Target for each of these forms to tests/fuzz/targets.py: "
        + ", ".join(sorted(f"{c.__module__}.{c.__qualname__}" for c in unfuzzed))
    )


def test_the_registry_names_only_real_forms() -> None:
    known = lachealth_form_classes()
    assert {cls for target in TARGETS for cls in target.forms} <= known
    assert set(NOT_BUILT) <= known
    assert len({t.name for t in TARGETS}) == len(TARGETS)
