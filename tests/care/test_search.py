"""Finding a child as people type: the pure parsing, held to what staff write, and the
child list answering it through the access policy."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lachealth.care.models import Child
from lachealth.care.search import ChildSearch, as_date, parse

from ..conftest import BRADFORD, CALDERDALE
from ..factories import area, child_in_care


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("Megan Banks", ChildSearch(("Megan", "Banks"))),
        ("Banks, Megan", ChildSearch(("Banks", "Megan"))),
        ("  banks   megan ", ChildSearch(("banks", "megan"))),
        ("3/4/2012", ChildSearch(date_of_birth=date(2012, 4, 3))),
        ("03/04/2012", ChildSearch(date_of_birth=date(2012, 4, 3))),
        ("2012-04-03", ChildSearch(date_of_birth=date(2012, 4, 3))),
        ("Megan 3.4.2012", ChildSearch(("Megan",), date(2012, 4, 3))),
        ("943 476 5919", ChildSearch(nhs_number="9434765919")),
        ("943-476-5919", ChildSearch(nhs_number="9434765919")),
        ("31/02/2012", ChildSearch(("31/02/2012",))),  # not a date: a word, which finds nobody
        ("A123", ChildSearch(("A123",))),
        ("27 3 2015", ChildSearch(date_of_birth=date(2015, 3, 27))),
        ("Banks 943 476 5919", ChildSearch(("Banks",), nhs_number="9434765919")),
        ("2012 Megan", ChildSearch(("2012", "Megan"))),
    ],
)
def test_what_people_type_is_read_as_they_mean_it(typed, wanted):
    assert parse(typed) == wanted


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_a_date_of_birth_is_read_however_it_is_written(day):
    for written in (
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d/%m/%Y}",
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        day.isoformat(),
    ):
        assert as_date(written) == day, written
        assert parse(f"Banks {written}") == ChildSearch(("Banks",), day)


def _found(client, typed, **more):  # type: ignore[no-untyped-def]
    page = client.get(reverse("care:child_list"), {"q": typed, "status": "all", **more})
    return page.content.decode()


def test_the_child_list_finds_a_child_every_way_staff_type_it(world, as_user):
    megan = child_in_care(
        area(BRADFORD),
        la_child_id="BR4471",
        first_name="Megan",
        last_name="Banks",
        date_of_birth=date(2012, 4, 3),
        nhs_number="9434765919",
    )
    megan.former_names = "Megan Price"
    megan.save()
    child_in_care(area(BRADFORD), la_child_id="BR4472", first_name="Megan", last_name="Smith")
    client = as_user("la_a_sw")
    link = reverse("care:child_detail", args=[megan.pk])
    for typed in (
        "Megan Banks",
        "Banks, Megan",
        "banks megan",
        "Price",
        "3/4/2012",
        "03/04/2012",
        "Megan 3/4/2012",
        "943 476 5919",
        "9434765919",
        "Banks 943 476 5919",
        "3 4 2012",
        "br4471",
    ):
        page = _found(client, typed)
        assert link in page, typed
        assert "Smith" not in page, typed
    assert link not in _found(client, "Megan Jones")
    assert link not in _found(client, "Jones 943 476 5919")  # every part must match
    assert link in _found(client, "BR4471") and link not in _found(client, "BR447")
    # Another area's child is not found, however exactly typed.
    other = child_in_care(
        area(CALDERDALE), la_child_id="CA1", first_name="Megan", last_name="Banks"
    )
    assert reverse("care:child_detail", args=[other.pk]) not in _found(client, "Megan Banks")


def _left(la_child_id, born, left_on, name):  # type: ignore[no-untyped-def]
    child = child_in_care(
        area(BRADFORD), la_child_id=la_child_id, last_name=name, date_of_birth=born
    )
    child.episodes.update(decom=date(2015, 1, 5), dec=left_on, rec="E8")
    child.looked_after = False
    child.current_placement_area = None
    child.save()
    return reverse("care:child_detail", args=[child.pk])


def test_the_list_opens_on_children_looked_after_and_care_leavers(world, as_user):
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False):
        leaver = _left("L1", date(2007, 6, 1), date(2024, 6, 1), "Leaver")  # left at 17, now 19
        on_the_day = _left("L2", date(2008, 2, 29), date(2024, 2, 29), "Leapday")  # on the 16th
        home_young = _left("L3", date(2014, 1, 1), date(2020, 1, 1), "Youngleaver")  # left at 6
        aged_out = _left("L4", date(2000, 12, 1), date(2017, 1, 1), "Older")  # 26 today
        last_day = _left("L6", date(2000, 12, 2), date(2017, 1, 1), "Lastday")  # 26 tomorrow
        day_before = _left("L5", date(2008, 2, 29), date(2024, 2, 28), "Leapearly")  # still 15
        adopted = _left("L7", date(2007, 6, 1), date(2024, 6, 1), "Adopted")
        Child.objects.get(la_child_id="L7").episodes.update(rec="E11")
        client = as_user("la_a_sw")
        default = client.get(reverse("care:child_list")).content.decode()
        ashby = reverse("care:child_detail", args=[world.children["child_a"].pk])
        assert ashby in default and leaver in default and on_the_day in default
        assert last_day in default
        assert home_young not in default and aged_out not in default and day_before not in default
        assert adopted not in default
        assert "Looked after now and care leavers" in default
        leavers = client.get(
            reverse("care:child_list"), {"status": "care_leavers"}
        ).content.decode()
        assert leaver in leavers and ashby not in leavers
        left = client.get(reverse("care:child_list"), {"status": "left"}).content.decode()
        assert all(link in left for link in (leaver, home_young, aged_out))


def test_the_list_says_what_each_code_means_and_the_nhs_number_hint_is_a_valid_number(
    world, as_user
):
    import re

    import nhs_number

    from lachealth.care.forms import ChildDetailsForm

    page = as_user("la_a_sw").get(reverse("care:child_list")).content.decode()
    assert "Full care order (C2)" in page or "Single period of accommodation" in page
    hint = str(ChildDetailsForm().fields["nhs_number"].help_text)
    example = re.sub(r"\D", "", hint.split("for example")[1])
    assert len(example) == 10 and nhs_number.is_valid(example)
