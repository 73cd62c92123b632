"""System administrators read the access log without learning who the children are: a row gives
the record's number, never the child's reference, what was typed to find a child or a page's
search words, unless the administrator also holds a role that sees that child. The child
filter finds children by name, date of birth, NHS number or LA child ID only among those."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lachealth.people import access, selectors
from lachealth.people.access_log import SEARCH_HIDDEN, csv_cells, shown_row
from lachealth.people.models import AccessAction, AccessLog, Role

from ..factories import MembershipFactory

LOG = "people:access_log"
NHS_NUMBER = "9434765919"
DAY = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def traces(world, as_user):
    """Bradford's social worker opens child_a's record and searches for them by name and NHS
    number; a Leeds social worker is refused child_a's page with the name in its query
    string, and opens child_b's record."""
    child = world.children["child_a"]
    type(child).objects.filter(pk=child.pk).update(first_name="Zephyrine", nhs_number=NHS_NUMBER)
    child.refresh_from_db()
    bradford = as_user("la_a_sw")
    assert bradford.get(reverse("care:child_detail", args=[child.pk])).status_code == 200
    for typed in (child.last_name, NHS_NUMBER):
        assert bradford.get(reverse("care:child_list"), {"q": typed}).status_code == 200
    leeds = as_user("la_b_sw")
    refused = reverse("care:child_detail", args=[child.pk])
    assert leeds.get(refused, {"q": child.last_name}).status_code in (403, 404)
    other = world.children["child_b"]
    assert leeds.get(reverse("care:child_detail", args=[other.pk])).status_code == 200
    return child


def _identities(child) -> list[str]:  # type: ignore[no-untyped-def]
    return [child.first_name, child.last_name, NHS_NUMBER, child.reference]


def _entries(page: str) -> int:
    """How many rows the log found (its table's caption)."""
    found = re.search(r">(\d+) entries<", page)
    assert found, "no caption"
    return int(found.group(1))


def test_an_administrator_sees_no_name_nhs_number_or_search_words(world, as_user, traces):
    child = traces
    admin = as_user("sysadmin")
    page = admin.get(reverse(LOG)).content.decode()
    csv = admin.get(reverse(LOG), {"format": "csv"}).content.decode()
    for shown in (page, csv):
        for identity in _identities(child):
            assert identity not in shown, identity
        assert world.children["child_b"].reference not in shown
        assert SEARCH_HIDDEN in shown
        assert f"404, child {child.pk}: /children/{child.pk}/" in shown  # the query gone
    assert "only for children your own roles let you see" in page
    assert f'aria-hidden="true">Record </span>{child.pk}</td>' in page  # the record's number
    lines = csv.splitlines()
    assert lines[0] == "when,user,organisation,action,child,child record,detail,path,ip"
    assert f"view,,{child.pk}," in csv and f",/children/{child.pk}/," in csv
    assert ",/children/," in csv  # the searches' paths without their words


def test_an_administrator_who_also_sees_the_child_sees_who_they_are(world, as_user, traces):
    child = traces
    MembershipFactory(
        user=world.users["sysadmin"], organisation=world.orgs["la_a"], role=Role.SOCIAL_WORKER
    )
    admin = as_user("sysadmin")
    page = admin.get(reverse(LOG)).content.decode()
    csv = admin.get(reverse(LOG), {"format": "csv"}).content.decode()
    for shown in (page, csv):
        assert child.reference in shown
        assert f"404, child {child.pk}: /children/{child.pk}/?q={child.last_name}" in shown
        assert world.children["child_b"].reference not in shown  # Leeds': not theirs
        assert NHS_NUMBER not in shown  # searches name no child: their words stay hidden
    assert f"view,{child.reference},{child.pk}," in csv


def test_the_name_filter_finds_only_children_the_reader_may_see(world, as_user, traces):
    child = traces
    admin = as_user("sysadmin")

    def found(typed: str) -> str:
        return admin.get(reverse(LOG), {"child": typed}).content.decode()

    # The readable reference carries the LA child ID: like a name, it finds nothing here.
    for typed in (
        child.last_name,
        f"{child.first_name} {child.last_name}",
        NHS_NUMBER,
        "A1",
        child.reference,
    ):
        assert _entries(found(typed)) == 0, typed
    by_number = found(str(child.pk))  # the record's number: for anyone
    assert _entries(by_number) >= 2 and child.reference not in by_number
    assert "or, for children your own roles let you see, their name" in found("x")

    MembershipFactory(
        user=world.users["sysadmin"], organisation=world.orgs["la_a"], role=Role.SOCIAL_WORKER
    )
    admin = as_user("sysadmin")
    assert child.reference in found(child.last_name)
    assert _entries(found(NHS_NUMBER)) >= 2
    assert _entries(found(child.reference)) >= 2
    assert _entries(found(world.children["child_b"].last_name)) == 0  # Leeds': not theirs


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("date_from", ("3", "12", "2026"), "The ‘from’ date must be today or in the past"),
        (
            "date_to",
            ("1", "12", "1951"),
            "The ‘to’ date must be within the last 75 years, on or after 2 December 1951",
        ),
    ],
)
def test_a_date_out_of_bounds_is_refused_with_its_message(world, as_user, field, typed, message):
    asked = {f"{field}_{i}": part for i, part in enumerate(typed)}
    admin = as_user("sysadmin")
    page = admin.get(reverse(LOG), asked)
    assert page.status_code == 200 and message in page.content.decode()
    csv = admin.get(reverse(LOG), {**asked, "format": "csv"})
    assert not csv["Content-Type"].startswith("text/csv")
    assert message in csv.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.parametrize("user", ["la_a_sw", "prov_a_nurse", "commissioner", "norole"])
def test_only_administrators_read_the_log(world, as_user, user):
    for asked in ({}, {"format": "csv"}, {"child": "Ashby"}):
        assert as_user(user).get(reverse(LOG), asked).status_code == 403
    response = Client().get(reverse(LOG))
    assert response.status_code == 302 and reverse("people:sign_in") in response["Location"]


def test_a_page_asks_once_which_of_its_children_the_reader_sees(world, as_user):
    """One query for the page's children however many rows name one (not one per row)."""
    MembershipFactory(
        user=world.users["sysadmin"], organisation=world.orgs["la_a"], role=Role.SOCIAL_WORKER
    )
    admin = as_user("sysadmin")
    nurse = as_user("prov_a_nurse")
    admin.get(reverse(LOG))  # the session's first page settles what it keeps

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert admin.get(reverse(LOG)).status_code == 200
        return len(seen)

    nurse.get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
    few = queries()
    for name in ("child_a", "child_a_out", "child_a", "child_a_out"):
        nurse.get(reverse("care:child_detail", args=[world.children[name].pk]))
    assert queries() == few


def test_the_csv_is_read_in_chunks_each_shown_as_a_page_is(world, as_user, traces):
    MembershipFactory(
        user=world.users["sysadmin"], organisation=world.orgs["la_a"], role=Role.SOCIAL_WORKER
    )
    admin = world.users["sysadmin"]
    access.forget_scope(admin)
    rows = selectors.access_log(viewer=admin)
    whole = selectors.shown_access_log(admin, rows)
    with CaptureQueriesContext(connection) as seen:
        chunked = list(selectors.shown_access_log_stream(admin, rows, chunk_size=2))
    assert chunked == whole and len(whole) >= 5
    assert len(seen) <= 2 * (len(whole) // 2 + 1) + 2  # a read and a children's query a chunk


# The rule itself, on rows never written.


def _row(**fields: object) -> AccessLog:
    return AccessLog(at=DAY, username="someone", **fields)  # type: ignore[misc]


def test_a_refusals_detail_keeps_the_page_without_its_query():
    row = _row(
        action=AccessAction.REFUSED,
        child_id=7,
        child_ref="E08000032/A1",
        detail="404, child 7: /children/7/?q=Ashby",
        path="/children/7/?q=Ashby",
    )
    hidden = shown_row(row, sees_child=False)
    assert (hidden.child, hidden.record) == ("", 7)
    assert (hidden.detail, hidden.path) == ("404, child 7: /children/7/", "/children/7/")
    whole = shown_row(row, sees_child=True)
    assert (whole.child, whole.detail, whole.path) == (row.child_ref, row.detail, row.path)
    assert csv_cells(hidden)[4:8] == ["", 7, "404, child 7: /children/7/", "/children/7/"]


def test_a_row_without_a_child_is_never_shown_whole():
    row = _row(action=AccessAction.SEARCH, detail="searched children for “Ashby”", path="/c/?q=A")
    assert shown_row(row, sees_child=True).detail == SEARCH_HIDDEN
    sign_in = _row(action=AccessAction.SIGN_IN, detail="password and code", path="/s/?next=/c/1/")
    shown = shown_row(sign_in, sees_child=False)
    assert (shown.detail, shown.path, shown.organisation) == ("password and code", "/s/", "")


@given(typed=st.text(min_size=1, max_size=60))
def test_what_was_typed_never_shows_to_a_reader_who_does_not_see_the_child(typed):
    path = "/children/?" + urlencode({"q": typed, "status": "all"})  # as get_full_path() has it
    search = _row(action=AccessAction.SEARCH, detail=f"searched children for “{typed}”", path=path)
    refused = _row(
        action=AccessAction.REFUSED, child_id=7, detail=f"404, child 7: {path}", path=path
    )
    assert (shown_row(search, False).detail, shown_row(search, False).path) == (
        SEARCH_HIDDEN,
        "/children/",
    )
    assert (shown_row(refused, False).detail, shown_row(refused, False).path) == (
        "404, child 7: /children/",
        "/children/",
    )


def test_a_young_persons_own_account_is_not_named_to_an_administrator(world, as_user, young_person):
    """Their username is their e-mail address: the log says only that it was their own
    account, the user filter does not find them, and the users list leaves them out."""
    from ..health.test_own_account import young_person_client

    young_person_client(world, young_person).get(reverse("health:my_home"))
    admin = as_user("sysadmin")
    page = admin.get(reverse(LOG)).content.decode()
    assert "sam.reed@example.org" not in page and "a young person&#39;s own account" in page
    assert "sam.reed" not in admin.get(reverse(LOG), {"format": "csv"}).content.decode()
    assert _entries(admin.get(reverse(LOG), {"user": "sam.reed"}).content.decode()) == 0
    users = admin.get(reverse("people:user_list")).content.decode()
    assert "sam.reed" not in users and "la_a_sw" in users
