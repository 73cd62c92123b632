"""Every URL pattern says who may reach it (`lachealth/reach.py`), and the access matrix runs it:
a new view cannot land unclassified. The matrix itself is `tests/<app>/test_access_matrix.py`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from lachealth.handovers import views as handovers_views
from lachealth.health.models import HealthAssessment
from lachealth.interop import views as interop_views
from lachealth.people import access
from lachealth.reach import OWN_AREA, OWN_ORGANISATION, PUBLIC, reach

from .matrix.patterns import ROOT, RUN_BY, Case, cases_of_pattern, every_pattern, problems
from .matrix.probes import accepted_methods


def test_every_url_pattern_declares_who_may_reach_it():
    found = [
        p for pattern in every_pattern() for c in cases_of_pattern(pattern) for p in problems(c)
    ]
    assert not found, "\n".join(found)


def test_every_url_namespace_has_its_matrix():
    patterns = every_pattern()
    assert len(patterns) > 60
    for pattern in patterns:
        assert pattern.namespace in RUN_BY, (
            f"{pattern.name}: add its namespace to RUN_BY in tests/matrix/patterns.py, with "
            "a tests/<app>/test_access_matrix.py that runs it"
        )
    for file in set(RUN_BY.values()):
        assert (ROOT / file).exists(), file


def test_an_undeclared_view_is_named_with_the_file_to_declare_it_in():
    (pattern,) = [p for p in every_pattern() if p.name == "care:child_detail"]
    bare = Case(pattern, ())
    (problem,) = problems(bare)
    assert problem.startswith("care:child_detail (children/<int:pk>/) declares nobody")
    assert "lachealth.care.views.child_detail in src/lachealth/care/views.py" in problem


def test_a_url_argument_neither_object_nor_example_is_refused():
    (pattern,) = [p for p in every_pattern() if p.name == "health:withdraw"]
    (problem,) = problems(Case(pattern, (reach(access.HEALTH_RECORD_ROLES)(lambda r: r).reach)))
    assert "say which object or example value fills kind, pk" in problem


def test_incomplete_declarations_are_refused_when_the_views_load():
    with pytest.raises(ImproperlyConfigured, match="organisation fields"):
        reach(access.LA_CHILD_ROLES, OWN_ORGANISATION)
    with pytest.raises(ImproperlyConfigured, match="no objects"):
        reach(PUBLIC, OWN_AREA)
    with pytest.raises(ImproperlyConfigured, match="Say which"):
        reach(access.ASSESSMENT_ROLES, model=HealthAssessment)


def test_the_matrix_reads_which_methods_a_view_accepts():
    assert accepted_methods(handovers_views.notification_acknowledge) == {"POST"}
    assert accepted_methods(interop_views.returns) == {"GET", "POST"}
    assert accepted_methods(handovers_views.notification_detail) == {"GET", "POST"}
