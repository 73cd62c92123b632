"""When the LA withdraws an episode entered in error, its hand-offs follow: a notice still
waiting is withdrawn with it, the teams it reached are told in the thread, leaving care is not
told twice, and the assessments' due dates follow the care dates."""

from __future__ import annotations

from datetime import date

from lachealth.care import corrections
from lachealth.care import services as care
from lachealth.handovers import services
from lachealth.handovers.models import Message, Notification
from lachealth.health import services as health
from lachealth.health.models import HealthAssessment

from ..conftest import CALDERDALE
from ..factories import area
from .helpers import enter_care

AS_OF = date(2026, 11, 23)


def _withdraw(world, episode, reason="Recorded on the wrong child"):  # type: ignore[no-untyped-def]
    return corrections.withdraw_episode(
        by=world.users["la_a_sw"], episode=episode, reason=reason, as_of=AS_OF
    )


def test_a_health_request_still_waiting_is_withdrawn_with_its_episode(world):
    child = enter_care(world, decom=date(2026, 11, 20), as_of=AS_OF)
    request = Notification.objects.get(child=child, kind="health_request")
    assert request.status == "awaiting_consent"
    _withdraw(world, child.episodes.get())
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert request.history.first().history_change_reason.endswith("Recorded on the wrong child")
    assert not Message.objects.filter(notification=request).exists()  # never sent: no one to tell


def test_a_move_sent_out_of_area_is_withdrawn_and_both_teams_told(world):
    child = enter_care(world, decom=date(2026, 10, 1), as_of=date(2026, 10, 1))
    moved = care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 16),
        ls="C2",
        placement=care.PlacementDetails(
            place="U4", place_provider="PR1", placement_area=area(CALDERDALE), pl_post=""
        ),
        reason_place_change="CARPL",
        as_of=date(2026, 11, 16),
    )
    notices = Notification.objects.filter(child=child, episode=moved)
    ooa = notices.get(kind="out_of_area", recipient_kind="provider")
    services.acknowledge(by=world.users["prov_c_nurse"], notification=ooa, as_of=AS_OF)
    _withdraw(world, moved, reason="The move fell through")
    statuses = {(n.kind, n.recipient_kind): n.status for n in notices.all()}
    assert statuses[("out_of_area", "provider")] == "acknowledged"  # kept: it was read
    assert statuses[("out_of_area", "icb")] == "withdrawn"  # unacknowledged: withdrawn
    assert statuses[("move", "provider")] == "withdrawn"
    told = Message.objects.filter(notification__in=notices).values_list("text", flat=True)
    assert len(told) == notices.count()
    assert all("was entered in error and has been withdrawn" in t for t in told)
    assert all("The move fell through" in t for t in told)


def test_withdrawing_the_episode_that_ended_care_does_not_tell_leaving_care_twice(world):
    child = enter_care(world, decom=date(2026, 10, 1), as_of=date(2026, 10, 1))
    moved = care.record_change(
        by=world.users["la_a_sw"],
        child=child,
        on=date(2026, 11, 2),
        ls="C2",
        placement=care.PlacementDetails(
            place="U5", place_provider="PR1", placement_area=child.responsible_area, pl_post=""
        ),
        reason_place_change="CARPL",
        as_of=date(2026, 11, 2),
    )
    care.record_leaving_care(
        by=world.users["la_a_sw"], child=child, on=date(2026, 11, 20), rec="E4A", as_of=AS_OF
    )
    assert Notification.objects.filter(child=child, kind="leaving_care").count() == 1
    _withdraw(world, moved, reason="The move was typed on the wrong child")
    leaving = Notification.objects.filter(child=child, kind="leaving_care")
    assert leaving.count() == 1
    notice = leaving.get()
    # the leaving stands, now the end of the episode before: the notice moved to it, untold
    assert (notice.event_date, notice.episode_start) == (date(2026, 11, 20), date(2026, 10, 1))
    assert notice.status != "withdrawn" and not notice.messages.exists()


def test_the_assessments_due_dates_follow_a_corrected_start_of_care(world):
    child = world.children["child_a"]  # in care since 10 January 2024: IHA due 7 February
    nurse = world.users["prov_a_nurse"]
    done = health.record_assessment(
        by=nurse,
        child=child,
        kind="IHA",
        completed_on=date(2024, 2, 9),
        practitioner=nurse,
        professional="medical",
        details={"immunisations": "yes"},
        as_of=date(2024, 2, 12),
    )
    assert (done.due_on, done.working_days_late) == (date(2024, 2, 7), 2)
    corrections.correct_event_dates(
        by=world.users["la_a_sw"],
        episode=child.episodes.get(),
        new_start=date(2024, 1, 15),
        reason="Care began on the 15th",
        as_of=AS_OF,
    )
    done = HealthAssessment.objects.get(pk=done.pk)
    assert (done.due_on, done.working_days_late) == (date(2024, 2, 12), 0)
    assert "Care began on the 15th" in done.history.first().history_change_reason
