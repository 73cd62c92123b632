"""The young person's own account: the invitation, making the account (date of birth, password,
an authenticator app or a code by e-mail), their own pages and nothing else, feedback and
corrections, the team's side, and every refusal (under 16, an address in use, an expired or
used link, a wrong date of birth, an account that ended or was withdrawn)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice

from lachealth.health import own_account, passport
from lachealth.health.models import (
    CorrectionRequest,
    Feedback,
    Invitation,
    YoungPersonAccount,
)
from lachealth.people.models import AccessLog, User

from ..conftest import BRADFORD, sign_in
from ..factories import UserFactory, area, child_in_care
from .conftest import AS_OF, DOB

PASSWORD = "a long passphrase for my passport"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=True):
        yield


def invite(as_user, child, email="sam.reed@example.org"):  # type: ignore[no-untyped-def]
    return as_user("prov_a_nurse").post(reverse("health:invite", args=[child.pk]), {"email": email})


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"http://\S+", message.body).group(0).replace("http://127.0.0.1:8000", "")


def accept_data(**changes: str) -> dict[str, str]:
    data = {
        "date_of_birth_0": str(DOB.day),
        "date_of_birth_1": str(DOB.month),
        "date_of_birth_2": str(DOB.year),
        "password": PASSWORD,
        "password_again": PASSWORD,
        "second_step": "app",
    }
    return data | changes


def given_passport(world, child):  # type: ignore[no-untyped-def]
    return passport.give(
        by=world.users["prov_a_nurse"],
        child=child,
        choices=passport.Choices(
            included=["about_me", "my_words", "contacts"], declined=[], agreed=True
        ),
        written=passport.Written(own_words="I use an inhaler when I run."),
        as_of=AS_OF,
    )


def young_person_client(world, child) -> Client:  # type: ignore[no-untyped-def]
    user = UserFactory(username="sam.reed@example.org", email="sam.reed@example.org")
    YoungPersonAccount.objects.create(
        user=user,
        child=child,
        invited_by=world.users["prov_a_nurse"],
        ends_on=date(2034, 6, 15),
    )
    return sign_in(Client(), user)


def test_the_nurse_invites_and_the_young_person_makes_their_account(world, as_user, young_person):
    response = invite(as_user, young_person)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["sam.reed@example.org"]
    url = link_in(message)
    stored = Invitation.objects.get(child=young_person)
    assert url.split("/")[-2] not in stored.token_hash  # only a hash of the token is kept

    visitor = Client()
    page = visitor.get(url).content.decode()
    assert "Make your account" in page and "sam.reed@example.org" in page
    response = visitor.post(url, accept_data())
    assert response.status_code == 302 and response["Location"] == reverse("people:enrol")
    account = YoungPersonAccount.objects.get(child=young_person)
    assert account.ends_on == date(2034, 6, 15)  # the 25th birthday
    assert account.user.check_password(PASSWORD)
    # The link works once.
    again = Client().get(url).content.decode()
    assert "This link does not work any more" in again


def test_a_code_by_email_for_those_without_a_smartphone(world, as_user, young_person):
    invite(as_user, young_person)
    url = link_in(mail.outbox[0])
    visitor = Client()
    response = visitor.post(url, accept_data(second_step="email"))
    assert response["Location"] == reverse("people:sign_in_code")
    page = visitor.get(response["Location"]).content.decode()
    assert "We have sent a security code to sam.reed@example.org" in page
    code = re.search(r"security code is (\d{6})", mail.outbox[-1].body).group(1)
    wrong = visitor.post(reverse("people:sign_in_code"), {"code": "000000"})
    assert "Enter the code we sent you by e-mail" in wrong.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # after the throttle
        signed_in = visitor.post(reverse("people:sign_in_code"), {"code": code})
    assert signed_in["Location"] == reverse("health:my_home")
    assert visitor.get(reverse("home"))["Location"] == reverse("health:my_home")
    assert EmailDevice.objects.filter(user__email="sam.reed@example.org").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_of_birth_2": "2008"}, "The date of birth is not the one your health team has"),
        ({"password_again": "something else entirely"}, "The passwords are not the same"),
        ({"password": "short", "password_again": "short"}, "too short"),
        ({"second_step": ""}, "Choose how you will confirm it is you"),
    ],
)
def test_making_the_account_refuses_with_the_reason_and_keeps_the_link(
    world, as_user, young_person, changes, message
):
    invite(as_user, young_person)
    url = link_in(mail.outbox[0])
    response = Client().post(url, accept_data(**changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not YoungPersonAccount.objects.exists()
    assert not User.objects.filter(email="sam.reed@example.org").exists()
    assert Client().post(url, accept_data()).status_code == 302  # the link still works


def test_an_expired_or_replaced_link_does_not_work(world, as_user, young_person):
    invite(as_user, young_person)
    first = link_in(mail.outbox[0])
    invite(as_user, young_person)  # a new link stops the first one working
    second = link_in(mail.outbox[1])
    assert "This link does not work any more" in Client().get(first).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        gone = Client().post(second, accept_data())
    assert "This link does not work any more" in gone.content.decode()
    assert not YoungPersonAccount.objects.exists()
    assert (
        "This link does not work any more"
        in Client().get(reverse("health:accept", args=["made-up"])).content.decode()
    )


def test_invitations_that_cannot_be_sent(world, as_user, young_person):
    UserFactory(username="someone", email="taken@example.org")
    taken = invite(as_user, young_person, email="Taken@Example.org")
    assert "This e-mail address is already in use" in taken.content.decode()
    too_young = invite(as_user, world.children["child_a"], email="child@example.org")
    assert "is not 16 yet" in too_young.content.decode()
    bad = invite(as_user, young_person, email="not an address")
    assert "Enter an e-mail address like name@example.com" in bad.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
    # A link waiting to be used holds its address for that young person alone.
    other = child_in_care(area(BRADFORD), la_child_id="P2", date_of_birth=date(2009, 1, 1))
    assert invite(as_user, other, email="pending@example.org").status_code == 302
    held = invite(as_user, young_person, email="pending@example.org")
    assert "This e-mail address is already in use" in held.content.decode()
    young_person_client(world, young_person)
    again = invite(as_user, young_person, email="new@example.org")
    assert "has an account already" in again.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("prov_a_nurse", 200),
        ("prov_a_admin", 200),
        ("icb_designated", 403),
        ("la_a_sw", 403),
        ("prov_c_nurse", 404),
        ("commissioner", 403),
        ("sysadmin", 403),
    ],
)
def test_who_invites(world, as_user, young_person, user, status):
    assert as_user(user).get(reverse("health:invite", args=[young_person.pk])).status_code == (
        status
    )


def test_the_young_person_sees_their_own_pages_and_nothing_else(world, as_user, young_person):
    given_passport(world, young_person)
    client = young_person_client(world, young_person)
    home = client.get(reverse("health:my_home")).content.decode()
    assert "Your health passport" in home and "Park Surgery" in home  # their GP
    page = client.get(reverse("health:my_passport")).content.decode()
    assert "I use an inhaler when I run." in page
    pdf = client.get(reverse("health:my_passport_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    logged = set(
        AccessLog.objects.filter(child_id=young_person.pk, user__email="sam.reed@example.org")
        .values_list("action", "detail")
        .distinct()
    )
    assert ("view", "own account: home") in logged and ("view", "own account: passport") in logged
    assert ("export", "own account: health passport version 1 as PDF") in logged
    other = world.children["child_a"]
    for url in (
        reverse("care:child_detail", args=[young_person.pk]),  # not even their own staff page
        reverse("care:child_detail", args=[other.pk]),
        reverse("health:passport_prepare", args=[young_person.pk]),
        reverse("health:worklist"),
        reverse("care:child_list"),
        reverse("insight:dashboard"),
    ):
        assert client.get(url).status_code in {403, 404}, url
    staff = as_user("prov_a_nurse")
    assert staff.get(reverse("health:my_home")).status_code == 403


def test_access_ends_at_25_or_when_withdrawn(world, as_user, young_person):
    client = young_person_client(world, young_person)
    assert client.get(reverse("health:my_home")).status_code == 200
    account = YoungPersonAccount.objects.get()
    assert account.active_on(date(2034, 6, 14)) and not account.active_on(date(2034, 6, 15))
    YoungPersonAccount.objects.update(ends_on=AS_OF)  # their 25th birthday is today
    assert client.get(reverse("health:my_home")).status_code == 403
    YoungPersonAccount.objects.update(ends_on=date(2034, 6, 15))
    assert client.get(reverse("health:my_home")).status_code == 200
    nurse = as_user("prov_a_nurse")
    url = reverse("health:own_account_withdraw", args=[young_person.pk])
    assert "Say why the account is withdrawn" in nurse.post(url, {"reason": ""}).content.decode()
    assert nurse.post(url, {"reason": "They asked us to close it"}).status_code == 302
    assert client.get(reverse("health:my_home")).status_code == 403
    account = YoungPersonAccount.objects.get()
    assert (account.withdrawn_on, account.withdrawn_reason) == (AS_OF, "They asked us to close it")


def test_feedback_reaches_the_team(world, as_user, young_person):
    client = young_person_client(world, young_person)
    refused = client.post(reverse("health:my_feedback"), {"listened": "yes"})
    assert "Say whether you understood what happens next" in refused.content.decode()
    assert not Feedback.objects.exists()
    sent = client.post(
        reverse("health:my_feedback"),
        {"listened": "yes", "understood": "partly", "anything_else": "The nurse was kind."},
    )
    assert sent.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.assessment is not None and feedback.assessment.kind == "RHA"
    page = as_user("prov_a_nurse").get(reverse("care:child_detail", args=[young_person.pk]))
    assert "The nurse was kind." in page.content.decode()
    la_page = as_user("la_a_sw").get(reverse("care:child_detail", args=[young_person.pk]))
    assert "The nurse was kind." not in la_page.content.decode()


def test_a_correction_is_asked_for_and_answered(world, as_user, young_person):
    given_passport(world, young_person)
    client = young_person_client(world, young_person)
    page = client.get(reverse("health:my_correction")).content.decode()
    assert "My GP, dentist, optician and the people who help me" in page
    assert "Growth" not in page  # not in their passport
    refused = client.post(reverse("health:my_correction"), {"section": "growth", "what": "x"})
    assert "Select a valid choice" in refused.content.decode() or (
        "Choose" in refused.content.decode()
    )
    assert not CorrectionRequest.objects.exists()
    client.post(
        reverse("health:my_correction"),
        {"section": "contacts", "what": "My GP is Moor Surgery now."},
    )
    asked = CorrectionRequest.objects.get()
    nurse = as_user("prov_a_nurse")
    child_page = nurse.get(reverse("care:child_detail", args=[young_person.pk])).content.decode()
    assert "My GP is Moor Surgery now." in child_page
    url = reverse("health:correction_answer", args=[asked.pk])
    assert "Say what you did about it" in nurse.post(url, {"answer": ""}).content.decode()
    assert nurse.post(url, {"answer": "Changed the GP and gave version 2"}).status_code == 302
    asked.refresh_from_db()
    assert asked.answered_on == AS_OF
    mine = client.get(reverse("health:my_correction")).content.decode()
    assert "Changed the GP and gave version 2" in mine
    assert as_user("la_a_sw").get(url).status_code == 403
    assert as_user("prov_c_nurse").get(url).status_code == 404


def test_the_invitation_service_refuses_another_team(world, young_person):
    with pytest.raises(own_account.PermissionDenied):
        own_account.invite(
            by=world.users["prov_c_nurse"],
            child=young_person,
            email="sam.reed@example.org",
            as_of=AS_OF,
        )


def test_a_password_alone_cannot_set_up_another_second_step(world, as_user, young_person):
    """A young person with an e-mailed code is sent to it, not to set up an app instead."""
    invite(as_user, young_person)
    visitor = Client()
    visitor.post(link_in(mail.outbox[0]), accept_data(second_step="email"))
    response = visitor.get(reverse("people:enrol"))
    assert response["Location"] == reverse("people:sign_in_code")
    assert visitor.get(reverse("health:my_home")).status_code == 302  # not past sign-in


def test_five_wrong_dates_of_birth_end_the_link(world, as_user, young_person):
    invite(as_user, young_person)
    url = link_in(mail.outbox[0])
    for tries_left in (4, 3, 2, 1):
        page = Client().post(url, accept_data(date_of_birth_2="2008")).content.decode()
        assert f"stops working after {tries_left} more" in page
    last = Client().post(url, accept_data(date_of_birth_2="2008")).content.decode()
    assert "This link does not work any more" in last  # the fifth ends it
    assert "This link does not work any more" in Client().post(url, accept_data()).content.decode()
    assert not YoungPersonAccount.objects.exists()
    assert (
        AccessLog.objects.filter(
            child_id=young_person.pk, action="sign_in_failed", detail__contains="date of birth"
        ).count()
        == 5
    )


def test_feedback_is_one_answer_per_assessment_and_needs_one(world, as_user, young_person):
    client = young_person_client(world, young_person)
    for answer in ("no", "yes"):
        client.post(reverse("health:my_feedback"), {"listened": answer, "understood": "yes"})
    assert list(Feedback.objects.values_list("listened", flat=True)) == ["yes"]
    young_person.assessments.all().delete()
    refused = client.post(reverse("health:my_feedback"), {"listened": "yes", "understood": "yes"})
    assert "You have had no health assessment to tell us about yet" in refused.content.decode()
    assert "Tell us what you thought" not in client.get(reverse("health:my_home")).content.decode()
