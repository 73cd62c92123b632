"""Random sequences of care events replayed through the services against the database:
whatever is accepted leaves sound episodes and a child record that mirrors them."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lachealth.care import services
from lachealth.care.episodes import sequence_problems
from lachealth.care.models import Child
from lachealth.people.models import Area, OrganisationKind, Role

from ..factories import MembershipFactory, OrganisationFactory, ensure_areas

AREAS = ["E08000032", "E08000033", "E08000035"]
AS_OF = date(2040, 1, 1)

events = st.lists(
    st.tuples(
        st.sampled_from(["change", "leave", "enter", "details"]),
        st.integers(min_value=-20, max_value=300),
        st.sampled_from(["C1", "C2", "V2", "E1"]),
        st.sampled_from(["U4", "U6", "K2", "K3"]),
        st.sampled_from(AREAS),
        st.booleans(),
        st.booleans(),
    ),
    max_size=12,
)


class ReplayThroughServices(TestCase):
    def setUp(self) -> None:
        ensure_areas()
        bradford = Area.objects.get(code="E08000032")
        la = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, areas=[bradford])
        self.user = MembershipFactory(organisation=la, role=Role.SOCIAL_WORKER).user
        self.bradford = bradford

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    @given(events=events)
    def test_accepted_events_leave_sound_episodes(self, events):
        dob = date(2012, 5, 5)
        child = services.record_entry_to_care(
            by=self.user,
            responsible_area=self.bradford,
            child_details={
                "la_child_id": "P1",
                "first_name": "P",
                "last_name": "Q",
                "date_of_birth": dob,
                "sex": "M",
                "ethnicity": "WBRI",
            },
            decom=date(2020, 1, 6),
            ls="C1",
            cin="N1",
            as_of=AS_OF,
            placement=services.PlacementDetails("U4", "PR1", self.bradford, "BD1 1AA"),
        )
        day = date(2020, 1, 6)
        for kind, gap, ls, place, area, move, same in events:
            day += timedelta(days=gap)
            placement = services.PlacementDetails(
                place, "PR4", Area.objects.get(code=area), "HX1 1AA"
            )
            try:
                if kind == "change":
                    services.record_change(
                        by=self.user,
                        child=child,
                        on=day,
                        ls=ls,
                        placement=placement if move else None,
                        same_carer=same,
                        reason_place_change="CARPL",
                        as_of=AS_OF,
                    )
                elif kind == "leave":
                    services.record_leaving_care(
                        by=self.user, child=child, on=day, rec="E4A", as_of=AS_OF
                    )
                elif kind == "enter":
                    services.record_new_period_of_care(
                        by=self.user,
                        child=child,
                        decom=day,
                        ls=ls,
                        cin="N1",
                        placement=placement,
                        as_of=AS_OF,
                    )
                else:
                    services.update_child_details(
                        by=self.user,
                        child=child,
                        as_of=AS_OF,
                        details={
                            "la_child_id": "P1",
                            "first_name": "P",
                            "last_name": "R",
                            "date_of_birth": dob,
                            "sex": "M",
                            "ethnicity": "WBRI",
                            "nhs_number": "",
                            "upn": "",
                        },
                    )
            except ValidationError:
                continue
        child = Child.objects.get(pk=child.pk)
        episodes = list(child.episodes.order_by("decom"))
        assert sequence_problems([e.facts() for e in episodes]) == []
        open_episodes = [e for e in episodes if e.dec is None]
        assert child.looked_after == bool(open_episodes)
        assert child.current_placement_area_id == (
            open_episodes[0].placement_area_id if open_episodes else None
        )
        for before, after in zip(episodes, episodes[1:], strict=False):
            if after.rne == "L":  # legal status only: the placement is exactly the same
                assert (before.place, before.placement_area_id, before.pl_post) == (
                    after.place,
                    after.placement_area_id,
                    after.pl_post,
                )
