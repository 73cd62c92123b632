"""Main journeys end to end in Chromium: sign in with TOTP, record entry to care, move a child
out of area and see the timeline; a keyboard-only pass; axe-core on every main page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from lachealth.care.models import Child
from lachealth.people.models import User

from ..factories import TOTPDeviceFactory
from .conftest import check_accessibility, tab_to

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def code_for(user: User, step_offset: int = 0) -> str:
    device = user.totpdevice_set.get(confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step_offset * device.step
    return f"{totp.token():06d}"


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(base + reverse("people:sign_in"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    page.get_by_label("Security code").fill(code_for(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.first_name}")).to_be_visible()
    # The header's script folds the navigation into "More" once the page has loaded: a click
    # on a link it is moving lands on nothing (one run in many on a busy machine).
    page.wait_for_load_state("load")


def test_social_worker_records_entry_moves_out_of_area_and_sees_the_timeline(
    live_server, page: Page, world
):
    user = world.users["la_a_sw"]
    TOTPDeviceFactory(user=user)
    sign_in(page, live_server.url, user)

    page.get_by_role("link", name="Record a child entering care").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Record entry to care").click()  # empty form
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("LA child ID").fill("JRN1")
    page.get_by_label("First name").fill("Rowan")
    page.get_by_label("Last name").fill("Journeyson")
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("14")
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("2016")
    page.get_by_label("Female").check()
    page.get_by_label("Ethnicity").select_option("WBRI")
    page.get_by_label("NHS number (if known)").fill("999 000 0018")
    started = page.get_by_role("group", name="Date the child started to be looked after")
    started.get_by_label("Day").fill("3")
    started.get_by_label("Month").fill("3")
    started.get_by_label("Year").fill("2025")
    page.get_by_label("Legal status").select_option("C1")
    page.get_by_label("Category of need").select_option("N1")
    page.get_by_label("Placement type").select_option("U4")
    page.get_by_label("Placement provider").select_option("PR1")
    page.get_by_label("Placement area").select_option("E08000032")
    page.get_by_label("Placement postcode").fill("bd7 1aa")
    page.get_by_role("button", name="Record entry to care").click()

    expect(page.get_by_role("heading", name="Rowan Journeyson")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Record a change of placement or legal status").click()
    page.get_by_label("The placement", exact=True).check()
    when = page.get_by_role("group", name="Date of the change")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2025")
    page.get_by_label("Placement type").select_option("K2")
    page.get_by_label("Placement provider").select_option("PR4")
    page.get_by_label("Placement area").select_option("E08000033")
    page.get_by_label("Placement postcode").fill("HX1 1AA")
    page.get_by_label("No, new carer(s)").check()
    page.get_by_label("Reason for the placement change").select_option("CARPL")
    check_accessibility(page)
    page.get_by_role("button", name="Record the change").click()

    expect(page.get_by_text("Placed out of area in Calderdale")).to_be_visible()
    timeline = page.get_by_role("region", name="Period of care from 3 March 2025 (continuing)")
    expect(timeline.get_by_role("row")).to_have_count(3)  # header + 2 episodes
    expect(timeline.get_by_text("Out of area")).to_be_visible()
    expect(page.locator("#last-change")).to_contain_text("Last changed by")
    child = Child.objects.get(la_child_id="JRN1")
    assert child.current_placement_area_id == "E08000033"

    # The move was on 29 August, not 1 September: correct it, a wrong date first.
    page.get_by_role("link", name="Correct a date of the episode from 1 September 2025").click()
    check_accessibility(page)
    corrected = page.get_by_role("group", name="The date this episode began")
    corrected.get_by_label("Day").fill("1")
    corrected.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Correct the date").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Say why the date is corrected")).to_be_visible()
    corrected.get_by_label("Day").fill("29")
    corrected.get_by_label("Month").fill("8")
    page.get_by_label("Why is the date corrected?").fill("The child moved on the 29th")
    page.get_by_role("button", name="Correct the date").click()
    expect(page.get_by_text("Date corrected")).to_be_visible()
    expect(timeline.get_by_role("row").nth(2)).to_contain_text("29 August 2025")
    page.get_by_role("link", name="See every change to this record").click()
    expect(page.locator("#history")).to_contain_text("The child moved on the 29th")
    # A desktop screen cuts no word in a column ("syste / m"); a phone's may, to fit, but
    # never a cell's heading ("W / hy").
    who = page.locator("#history tbody td").nth(1)
    heading = who.locator(".nhsuk-table-responsive__heading")
    wrap = "e => getComputedStyle(e).overflowWrap"
    assert who.evaluate(wrap) == "break-word"
    page.set_viewport_size({"width": 375, "height": 720})
    assert (who.evaluate(wrap), heading.evaluate(wrap)) == ("anywhere", "normal")
    page.set_viewport_size({"width": 1280, "height": 720})
    check_accessibility(page)
    page.get_by_role("link", name="Back to").click()

    # The carer joins the team around the child.
    page.get_by_role("button", name="Add someone to the team").click()
    page.get_by_label("Carer or home").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Carer's names")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Carer's names").fill("Jo and Sam Fox")
    page.get_by_label("Telephone (optional)").fill("0113 496 0123")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#team-list")).to_contain_text("Jo and Sam Fox")
    check_accessibility(page)


def test_keyboard_only_sign_in_and_navigation(live_server, page: Page, world):
    user = world.users["prov_c_nurse"]
    TOTPDeviceFactory(user=user)
    page.goto(live_server.url + reverse("people:sign_in"))
    page.keyboard.press("Tab")  # skip link first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Security code")).to_be_visible()
    page.get_by_label("Security code").focus()
    page.keyboard.type(code_for(user))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello, {user.first_name}")).to_be_visible()

    tab_to(page, "Children")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Children", exact=True)).to_be_visible()
    tab_to(page, "Outram")  # the child placed into this nurse's area from another LA
    page.keyboard.press("Enter")
    expect(page.get_by_text("Placed out of area in Calderdale")).to_be_visible()


def test_main_pages_pass_axe(live_server, page: Page, world):
    admin = world.users["sysadmin"]
    TOTPDeviceFactory(user=admin)
    page.goto(live_server.url + reverse("people:sign_in"))
    check_accessibility(page)
    sign_in(page, live_server.url, admin)
    check_accessibility(page)
    for name in [
        "people:user_list",
        "people:organisation_list",
        "people:access_log",
        "people:user_create",
        "people:organisation_create",
    ]:
        page.goto(live_server.url + reverse(name))
        check_accessibility(page)
    page.goto(live_server.url + reverse("people:user_detail", args=[world.users["la_a_sw"].pk]))
    check_accessibility(page)
    page.goto(live_server.url + reverse("care:child_list"))  # 403 page for an administrator
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Sign out").click()
    worker = world.users["la_a_sw"]
    TOTPDeviceFactory(user=worker)
    sign_in(page, live_server.url, worker)
    child = world.children["child_a_out"]
    for url in [
        reverse("care:child_list"),
        reverse("care:child_detail", args=[child.pk]),
        reverse("care:leaving_create", args=[child.pk]),
        reverse("care:child_edit", args=[child.pk]),
        "/children/999999/",
    ]:
        page.goto(live_server.url + url)
        check_accessibility(page)


def test_first_sign_in_enrols_with_the_qr_page(live_server, page: Page, world):
    user = world.users["la_b_sw"]
    page.goto(live_server.url + reverse("people:sign_in"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_accessibility(page)
    device = user.totpdevice_set.get(confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Security code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Your authenticator app is set up")).to_be_visible()
