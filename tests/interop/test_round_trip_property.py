"""Generated children typed into the record come back byte for byte: export the LA's return,
empty the record, import the return, export again."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lachealth.care.codes import Ethnicity
from lachealth.care.models import Child, Episode
from lachealth.demo import histories
from lachealth.interop.export import NO_URN_PLACES, build_return
from lachealth.people.models import Area, OrganisationKind, Role

from ..factories import MembershipFactory, OrganisationFactory, ensure_areas
from .helpers import import_return

YEAR = 2026
BRADFORD = "E08000032"
#: Places, not people: postcodes in Bradford and, for placements away, in Leeds.
POSTCODES = ["BD1 3LJ", "BD9 5HB", "BD7 1DP", "LS11 7HX", "LS28 0EG"]

upns = st.one_of(
    st.from_regex(r"\A[A-Z][0-9]{11}[0-9A-Z]\Z"), st.sampled_from(["UN1", "UN2", "UN3", "UN5"])
)
children = st.lists(
    st.fixed_dictionaries(
        {
            "seed": st.integers(min_value=0, max_value=2**32 - 1),
            "years": st.sampled_from([1, 3, 10]),
            "ethnicity": st.sampled_from(Ethnicity.values),
            "upn": upns,
            "mother": st.sampled_from([None, False, True]),
            "home": st.sampled_from(POSTCODES[:3]),
            "placed": st.lists(st.sampled_from(POSTCODES), min_size=1, max_size=4),
            "urn": st.from_regex(r"\ASC[0-9]{6}\Z"),
        }
    ),
    min_size=1,
    max_size=5,
)


class ExportImportExport(TestCase):
    def setUp(self) -> None:
        ensure_areas()
        self.bradford = Area.objects.get(code=BRADFORD)
        la = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, areas=[self.bradford])
        self.officer = MembershipFactory(organisation=la, role=Role.DATA_OFFICER).user

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    @given(children=children)
    def test_a_return_survives_export_empty_import_export(self, children) -> None:
        for i, drawn in enumerate(children):
            self._type_in(f"H{i}", drawn)
        first = build_return(BRADFORD, YEAR)

        Child.objects.filter(responsible_area=self.bradford).delete()
        import_return(self.officer, BRADFORD, YEAR, first.files)
        again = build_return(BRADFORD, YEAR)

        assert again.files == first.files
        assert (again.children, again.episodes) == (first.children, first.episodes)

    def _type_in(self, child_id: str, drawn: dict) -> None:
        plan = histories.plan_child(
            random.Random(drawn["seed"]), as_of=date(YEAR, 3, 31), years=drawn["years"]
        )
        girl = plan.sex == "F"
        mother = drawn["mother"] if girl else None
        child = Child.objects.create(
            la_child_id=child_id,
            date_of_birth=plan.date_of_birth,
            sex=plan.sex,
            ethnicity=drawn["ethnicity"],
            upn=drawn["upn"],
            mother=mother,
            mother_child_dob=date(YEAR - 1, 6, 1) if mother else None,
            responsible_area=self.bradford,
        )
        placed = drawn["placed"]
        Episode.objects.bulk_create(
            Episode(
                child=child,
                decom=e.decom,
                rne=e.rne,
                ls=e.ls,
                cin=e.cin,
                place=e.place,
                place_provider=e.place_provider,
                dec=e.dec,
                rec=e.rec or "",
                reason_place_change=e.reason_place_change if e.rec == "X1" else "",
                home_post=drawn["home"],
                pl_post=drawn["home"] if e.place == "P1" else placed[n % len(placed)],
                urn="" if e.place in NO_URN_PLACES else drawn["urn"],
                placement_area=self.bradford,
            )
            for n, e in enumerate(plan.episodes)
        )
