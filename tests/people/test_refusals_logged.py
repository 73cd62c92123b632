"""A signed-in user refused a child's page leaves one row in the access log, so an auditor sees
someone walking other areas' children; what they are shown does not change, and does not tell
them whether the child exists."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lachealth.people.models import AccessAction, AccessLog

from ..conftest import BRADFORD
from ..factories import area, child_in_care

#: Ten kinds of child page, the care record's and the health team's.
CHILD_PAGES = [
    "care:child_detail",
    "care:child_history",
    "care:child_edit",
    "care:team_add",
    "health:book",
    "health:assessment_create",
    "health:sdq_chart",
    "health:passport_prepare",
    "health:invite",
    "quality:joint_funding",
]
NO_SUCH_CHILD = 987654


def _refused() -> list[AccessLog]:
    return list(AccessLog.objects.filter(action=AccessAction.REFUSED).order_by("id"))


def _page(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """What the user is shown, less the script nonce and the masked CSRF token, which
    differ on every page."""
    page = re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())
    return response.status_code, page


def test_a_leeds_user_walking_bradfords_children_leaves_a_row_for_each_refusal(world, as_user):
    bradford = [world.children["child_a"], child_in_care(area(BRADFORD), la_child_id="A9")]
    leeds = as_user("la_b_sw")
    walked = []
    for child in bradford:
        for name in CHILD_PAGES:
            path = reverse(name, args=[child.pk])
            assert leeds.get(path).status_code in (403, 404), path
            walked.append((child, path))
    rows = _refused()
    assert len(rows) == 20
    for row, (child, path) in zip(rows, walked, strict=True):
        assert (row.user, row.username) == (world.users["la_b_sw"], "la_b_sw")
        assert row.organisation == world.orgs["la_b"]
        assert (row.child_id, row.child_ref, row.path) == (child.pk, child.reference, path)
        assert row.detail == f"404, child {child.pk}: {path}"
        assert row.get_action_display() == "Refused"


def test_a_child_that_does_not_exist_is_logged_by_the_number_asked_for(world, as_user):
    path = reverse("care:child_detail", args=[NO_SUCH_CHILD])
    assert as_user("la_b_sw").get(path).status_code == 404
    (row,) = _refused()
    # child_id names only real children, so the log joins soundly to them.
    assert (row.child_id, row.child_ref, row.path) == (None, "", path)
    assert row.detail == f"404, child {NO_SUCH_CHILD}, no such child: {path}"


def test_the_user_is_shown_the_same_whether_the_child_exists_and_as_before(
    world, as_user, settings
):
    leeds = as_user("la_b_sw")
    hidden = reverse("care:child_history", args=[world.children["child_a"].pk])
    missing = reverse("care:child_history", args=[NO_SUCH_CHILD])
    shown = _page(leeds.get(hidden))
    assert _page(leeds.get(missing)) == shown and shown[0] == 404
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("RefusedChildPageMiddleware")
    ]
    without = Client()  # a client builds its middleware once, on its first request
    without.cookies = leeds.cookies
    assert _page(without.get(hidden)) == shown
    assert len(_refused()) == 2  # the two before the middleware was taken out


def test_a_refusal_costs_one_insert(world, as_user):
    leeds = as_user("la_b_sw")
    with CaptureQueriesContext(connection) as queries:
        leeds.get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "people_accesslog" in inserts[0]


def test_a_role_refused_on_a_child_of_its_own_area_is_logged_too(world, as_user):
    child = world.children["child_a"]
    path = reverse("care:child_edit", args=[child.pk])
    assert as_user("prov_a_nurse").get(path).status_code == 403
    (row,) = _refused()
    assert (row.child_id, row.organisation, row.detail) == (
        child.pk,
        world.orgs["prov_a"],
        f"403, child {child.pk}: {path}",
    )


def test_a_user_who_sees_no_children_is_logged_too(world, as_user):
    child = world.children["child_b"]
    for name in ("sysadmin", "commissioner", "norole"):
        assert as_user(name).get(reverse("care:child_detail", args=[child.pk])).status_code in (
            403,
            404,
        )
    assert [(r.username, r.child_id) for r in _refused()] == [
        ("sysadmin", child.pk),
        ("commissioner", child.pk),
        ("norole", child.pk),
    ]


def test_a_page_about_a_child_they_may_see_with_nothing_to_show_is_no_refusal(world, as_user):
    # Not found because the child has fewer than two SDQs, not because they are hidden.
    path = reverse("health:sdq_chart", args=[world.children["child_a"].pk])
    assert as_user("prov_a_nurse").get(path).status_code == 404
    assert _refused() == []


def test_refusals_of_pages_that_name_no_child_write_nothing(world, as_user):
    before = AccessLog.objects.count()
    leeds = as_user("la_b_sw")
    # (A notification, like a booking, is a child's record: refusing it is logged, above.)
    for path in (
        "/no-such-page/",
        reverse("people:access_log"),  # 403: for administrators only
        reverse("interop:returns"),  # 403: for data officers only
    ):
        assert leeds.get(path).status_code in (403, 404), path
    assert AccessLog.objects.count() == before


def test_signed_out_requests_write_nothing(world):
    response = Client().get(reverse("care:child_detail", args=[world.children["child_a"].pk]))
    assert response.status_code == 302 and reverse("people:sign_in") in response["Location"]
    assert not AccessLog.objects.exists()


def test_the_access_log_shows_refusals_and_finds_them_by_the_childs_record(world, as_user):
    child = world.children["child_a"]
    as_user("la_b_sw").get(reverse("care:child_history", args=[child.pk]))
    admin = as_user("sysadmin")
    page = admin.get(reverse("people:access_log"), {"child": str(child.pk)}).content.decode()
    assert "Refused" in page and f"404, child {child.pk}: /children/{child.pk}/history/" in page
    csv = admin.get(reverse("people:access_log"), {"format": "csv"}).content.decode()
    assert f"refused,,{child.pk}," in csv and child.reference not in csv  # the number only


def test_a_refused_page_of_a_childs_record_names_the_record_and_its_child(world, as_user):
    """A booking's page (its key is the appointment's, not the child's) refused to another
    area's nurse is logged against the child the booking is for; a record that does not
    exist is logged as such."""
    from datetime import datetime

    from django.utils import timezone

    from lachealth.health.models import Appointment

    child = world.children["child_a"]
    booking = Appointment.objects.create(
        child=child,
        kind="IHA",
        provider=world.orgs["prov_a"],
        starts_at=timezone.make_aware(datetime(2026, 11, 20, 10)),
        venue="Provider A clinic",
        practitioner=world.users["prov_a_nurse"],
        booked_by=world.users["prov_a_nurse"],
    )
    outsider = as_user("prov_c_nurse")
    for pk in (booking.pk, NO_SUCH_CHILD):
        assert outsider.get(reverse("health:outcome", args=[pk])).status_code == 404
    found, missing = _refused()
    assert (found.child_id, found.child_ref) == (child.pk, child.reference)
    assert found.detail.startswith(f"404, appointment {booking.pk} of child {child.pk}: ")
    assert missing.child_id is None
    assert missing.detail.startswith(f"404, appointment {NO_SUCH_CHILD}, no such record: ")
    # The booking's own team opening it leaves no refusal.
    assert (
        as_user("prov_a_nurse").get(reverse("health:outcome", args=[booking.pk])).status_code == 200
    )
    assert len(_refused()) == 2
