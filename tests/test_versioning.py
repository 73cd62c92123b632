"""Writing many rows at once keeps the same history as writing them one by one."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from lachealth.care.models import Child
from lachealth.versioning import create_versioned

from .factories import ChildFactory, UserFactory, area

pytestmark = pytest.mark.django_db


def _children(responsible, *ids: str) -> list[Child]:
    return [
        Child(
            la_child_id=i,
            date_of_birth=date(2016, 3, 4),
            sex="M",
            ethnicity="WBRI",
            responsible_area=responsible,
        )
        for i in ids
    ]


def test_rows_get_their_keys_and_one_creation_version_each(areas) -> None:
    bradford = area("E08000032")
    officer = UserFactory()
    ChildFactory(responsible_area=bradford).delete()  # a key given once is never given again
    before = Child.history.count()
    children = _children(bradford, "N1", "N2", "N3")

    create_versioned(children, Child, by=officer, reason="SSDA903 import 7")

    stored = {c.pk: c.la_child_id for c in Child.objects.all()}
    assert stored == {c.pk: c.la_child_id for c in children}
    assert len(stored) == 3
    versions = Child.history.filter(id__in=stored)
    assert Child.history.count() == before + 3
    assert {(v.id, v.la_child_id, v.history_type) for v in versions} == {
        (c.pk, c.la_child_id, "+") for c in children
    }
    assert {(v.history_user_id, v.history_change_reason) for v in versions} == {
        (officer.pk, "SSDA903 import 7")
    }
    assert all(v.created_at is not None for v in versions)
    # the next row saved the ordinary way takes the next key
    later = ChildFactory(responsible_area=bradford)
    assert later.pk > max(stored)


def test_a_refused_row_leaves_no_row_and_no_version(areas) -> None:
    bradford = area("E08000032")
    ChildFactory(responsible_area=bradford, la_child_id="N2")
    before = (Child.objects.count(), Child.history.count())

    with pytest.raises(IntegrityError), transaction.atomic():
        create_versioned(_children(bradford, "N1", "N2"), Child, by=None, reason="import")

    assert (Child.objects.count(), Child.history.count()) == before
