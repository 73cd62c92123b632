"""What commissioners are shown (insight/publish.py), played by the attacker: over generated
small populations, every figure of every measure, area, footprint, England and breakdown
value published for a period, and the reader's own lines between them (written here from the
measures' definitions, not taken from publish.py); no hidden count may be pinned. No
database: test_publish_db.py holds the records, the snapshot and the pages to it."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lachealth.insight.measures import BY_KEY, Tally
from lachealth.insight.publish import (
    ALL,
    ENGLAND,
    OTHER,
    Figure,
    area_tallies,
    publish,
    scope_key,
    scopes_for,
)

from .attacker import pinned
from .reader import reader, small_unpublished

AREAS = ("E1", "E2", "E3", "E4")
VALUES = {
    "age_band": ("under-1", "1-4", "5-9", "10-15", "16-plus", OTHER),
    "sex": ("M", "F", "U", OTHER),
    "ethnicity": ("white", "mixed", "asian", "black", "other", "unknown", OTHER),
    "placement": ("foster", "adoption", "parents", "residential", "independent", "other", OTHER),
    "location": ("in", "out", OTHER),
}
OC2 = [
    BY_KEY[k]
    for k in (
        "health_assessment",
        "immunisations",
        "dental_check",
        "development",
        "sdq_received",
        "sdq_mean",
        "sdq_concern",
        "substance_misuse",
    )
]
AT_END = [BY_KEY["three_placements"], BY_KEY["placed_out_of_area"]]
MEASURES = [*OC2, *AT_END, BY_KEY["rha_on_time"]]


def _tallies(child: dict) -> dict[str, Tally]:  # type: ignore[type-arg]
    """One child's tallies, by the measures' definitions (a child in both cohorts here)."""
    one = {key: Tally(int(child[key]), 1) for key in ("health_assessment", "dental_check")}
    one["immunisations"] = Tally(int(child["immunisations"]), 1)
    one["substance_misuse"] = Tally(int(child["substance_misuse"]), 1)
    if child["age_band"] in ("under-1", "1-4"):
        one["development"] = Tally(int(child["development"]), 1)
    # DfE rule 186: 4 at the year's start and not 17 at its end; some 4- and 16-year-olds are.
    if child["age_band"] in ("5-9", "10-15") or (
        child["age_band"] in ("1-4", "16-plus") and child["sdq_age"]
    ):
        score = child["sdq"]
        one["sdq_received"] = Tally(int(score is not None), 1)
        if score is not None:
            one["sdq_mean"] = Tally(1, 1, score, score * score)
            one["sdq_concern"] = Tally(int(score >= 17), 1)
    one["three_placements"] = Tally(int(child["moves"]), 1)
    one["placed_out_of_area"] = Tally(int(child["location"] == "out"), 1)
    one["rha_on_time"] = Tally(int(child["rha"]), 1)
    return one


children = st.lists(
    st.fixed_dictionaries(
        {
            "area": st.sampled_from(AREAS),
            **{name: st.sampled_from([v for v in vs if v]) for name, vs in VALUES.items()},
            **{
                key: st.booleans()
                for key in (
                    "health_assessment",
                    "immunisations",
                    "dental_check",
                    "development",
                    "substance_misuse",
                    "sdq_age",
                    "moves",
                    "rha",
                )
            },
            "sdq": st.none() | st.integers(0, 40),
        }
    ),
    min_size=1,
    max_size=50,
)
footprints = st.lists(
    st.sets(st.sampled_from(AREAS), min_size=2, max_size=3).map(frozenset), max_size=2
)


def _everything(figures, scopes, detailed=None):  # type: ignore[no-untyped-def]
    """Every figure published: all children in every scope, and each breakdown value in the
    `detailed` ones (every scope by default); a scope with nobody counted is 0 of 0."""
    slices = [(name, v) for name, vs in VALUES.items() for v in vs]
    return {
        (m.key, scope, *s): figures.get((m.key, scope, *s), Figure(0, 0))
        for m in MEASURES
        for scope in scopes
        for s in [ALL, *(slices if detailed is None or scope in detailed else [])]
    }


def _world(population, extra, detailed=None):  # type: ignore[no-untyped-def]
    groups = [
        ({"area": c["area"], **{name: c[name] for name in VALUES}}, _tallies(c)) for c in population
    ]
    tallies = area_tallies(groups, VALUES)
    scopes = scopes_for(AREAS, extra)
    return publish(tallies, scopes, MEASURES, VALUES, detailed), scopes, tallies


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children, footprints, st.booleans())
def test_no_published_count_can_be_worked_out_from_the_others(population, extra, by_area):  # type: ignore[no-untyped-def]
    """Breakdowns published for every scope, or (as the product does) for the footprints
    and England only, the areas' breakdowns then unknown to the reader."""
    everywhere = frozenset(AREAS)
    detailed = None
    if not by_area:
        detailed = frozenset({ENGLAND, *(scope_key(f, everywhere) for f in extra)})
    figures, scopes, tallies = _world(population, extra, detailed)
    if detailed is not None:
        assert not any(k[1] not in detailed and k[2] for k in figures)  # no area broken down
    obtained = _everything(figures, scopes, detailed)
    published, lines, truth = reader(obtained, scopes, tallies, VALUES, MEASURES)
    secret = small_unpublished(published, truth)  # an area's breakdown, never shown
    assert pinned(published, lines, truth, extra=secret) == {}
    for (m, scope, *_), fig in figures.items():
        if fig.numerator is not None and fig.denominator is not None:
            assert fig.numerator <= fig.denominator
        if fig.denominator is not None and 0 < fig.denominator < 6:
            raise AssertionError(f"a count from 1 to 5 is shown: {m} {scope}")


def test_the_placement_type_subtraction_no_longer_gives_the_hidden_count():
    """The reported example: annual health assessments, one area, by placement type: the
    area's total less the other types' counts gave the type with 3."""
    population = [
        {
            "area": "E1",
            "age_band": "10-15",
            "sex": "F",
            "ethnicity": "white",
            "placement": placement,
            "location": "in",
            "health_assessment": True,
            "immunisations": True,
            "dental_check": True,
            "development": False,
            "substance_misuse": False,
            "sdq_age": False,
            "moves": False,
            "rha": True,
            "sdq": 10,
        }
        for placement in ["foster"] * 30 + ["residential"] * 7 + ["parents"] * 3
    ]
    figures, scopes, tallies = _world(population, [])
    shown = {
        v: figures[("health_assessment", "E1", "placement", v)]
        for v in ("foster", "residential", "parents")
    }
    assert shown["parents"].numerator is None  # 3: a "c"
    total = figures[("health_assessment", "E1", *ALL)].numerator
    others = [f.numerator for v, f in shown.items() if v != "parents"]
    assert total is None or None in others  # no subtraction gives it back
    published, lines, _ = reader(_everything(figures, scopes), scopes, tallies, VALUES, MEASURES)
    assert pinned(published, lines) == {}  # every hidden cell's range solved, no shortcut


def test_scopes_are_areas_footprints_and_england():
    everywhere = frozenset(AREAS)
    scopes = scopes_for(AREAS, [frozenset({"E1", "E2"}), everywhere, frozenset({"E3"})])
    assert scopes[ENGLAND] == everywhere
    assert scopes["E3"] == {"E3"}  # a footprint of one area is that area
    assert scopes[scope_key({"E1", "E2"}, everywhere)] == {"E1", "E2"}
    assert len(scopes) == len(AREAS) + 2


def test_every_footprint_pair_gets_its_own_key():
    keys = {scope_key(set(pair), frozenset(AREAS)) for pair in combinations(AREAS, 2)}
    assert len(keys) == 6 and all(k.startswith("fp-") for k in keys)


def test_an_areas_unpublished_breakdown_is_not_england_less_the_footprint():
    """Two areas in a footprint, two in none, one of those with nobody under 5: England's
    boys less the footprint's (and the other area's 0) once gave the first area's 2 of 3."""
    population = []
    for area, boys, girls in (("E1", 3, 20), ("E2", 10, 10), ("E3", 10, 10)):
        for sex, n in (("M", boys), ("F", girls)):
            population += [_child(area, sex, development=i > 0) for i in range(n)]
    population += [{**_child("E4", "F", False), "age_band": "5-9"} for _ in range(8)]
    everywhere = frozenset(AREAS)
    footprint = frozenset({"E2", "E3"})
    detailed = frozenset({ENGLAND, scope_key(footprint, everywhere)})
    figures, scopes, tallies = _world(population, [footprint], detailed)
    obtained = _everything(figures, scopes, detailed)
    published, lines, truth = reader(obtained, scopes, tallies, VALUES, MEASURES)
    secret = small_unpublished(published, truth)
    assert ("n", "development", "E1", ("sex", "M")) in secret  # 2: never shown
    assert pinned(published, lines, truth, extra=secret) == {}


def _child(area: str, sex: str, development: bool) -> dict:  # type: ignore[type-arg]
    return {
        "area": area,
        "age_band": "1-4",
        "sex": sex,
        "ethnicity": "white",
        "placement": "foster",
        "location": "in",
        "health_assessment": True,
        "immunisations": True,
        "dental_check": True,
        "development": development,
        "substance_misuse": False,
        "sdq_age": False,
        "moves": False,
        "rha": True,
        "sdq": None,
    }
