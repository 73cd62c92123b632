"""Synthetic care histories: who enters care, at what age, how they move and how they leave.

Pure: a seeded `random.Random` and an `as_of` date in, plain dataclasses out; the demo
command persists them. Shapes follow England's published figures (DfE, children looked after
in England): about a fifth of entries are babies under 1 and two fifths aged 10–15; most
children are fostered, teenagers more often in children's homes or supported accommodation;
a minority live outside their local authority. No real person is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from lachealth.care import episodes as rules

# Age at entry (years), weights after DfE's starts-by-age split: <1, 1–4, 5–9, 10–15, 16–17.
AGE_BANDS = [((0, 1), 18), ((1, 5), 14), ((5, 10), 16), ((10, 16), 37), ((16, 18), 15)]
CIN_WEIGHTS = {"N1": 62, "N2": 3, "N3": 3, "N4": 8, "N5": 15, "N6": 2, "N7": 1, "N8": 6}
ENTRY_LS_WEIGHTS = {"V2": 44, "C1": 42, "L2": 6, "J1": 2, "L1": 4, "V3": 2}
PROVIDER_FOR_PLACE = {
    "U1": "PR1",
    "U2": "PR1",
    "U3": "PR1",
    "U4": "PR1",
    "U5": "PR1",
    "U6": "PR1",
    "K2": "PR4",
    "K1": "PR2",
    "K3": "PR4",
    "R1": "PR4",
    "S1": "PR5",
    "P1": "PR0",
    "A5": "PR1",
    "A6": "PR5",
    "R3": "PR3",
    "R5": "PR3",
}


@dataclass
class PlannedEpisode:
    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str
    out_of_area: bool
    dec: date | None = None
    rec: str = ""
    reason_place_change: str = ""


@dataclass
class PlannedChild:
    date_of_birth: date
    sex: str
    episodes: list[PlannedEpisode] = field(default_factory=list)

    def facts(self) -> list[rules.EpisodeFacts]:
        return [
            rules.EpisodeFacts(
                decom=e.decom, dec=e.dec, rne=e.rne, ls=e.ls, place=e.place, rec=e.rec or None
            )
            for e in self.episodes
        ]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def _placement_for(rng: random.Random, age: float, ls: str) -> str:
    place = _placement_by_age(rng, age, ls)
    # Rule 378: a child accommodated under section 20 is not placed with parents.
    return "U6" if place == "P1" and ls == "V2" else place


def _placement_by_age(rng: random.Random, age: float, ls: str) -> str:
    if ls == "E1" and age < 5 and rng.random() < 0.6:
        return rng.choice(["A5", "A6"])
    if age < 10:
        return _weighted(rng, {"U4": 30, "U6": 42, "U1": 8, "U3": 10, "P1": 5, "U5": 3, "R3": 2})
    if age < 16:
        return _weighted(
            rng, {"U4": 25, "U6": 30, "U3": 8, "K2": 25, "S1": 4, "P1": 6, "K1": 1, "R5": 1}
        )
    return _weighted(rng, {"U4": 18, "U6": 18, "K2": 20, "K3": 34, "P1": 5, "R5": 2, "U3": 3})


def _leaving_reason(rng: random.Random, age: float, ls: str, place: str, adult: bool) -> str:
    reason = _reason_by_age(rng, age, place, adult)
    # Rule 516: special guardianship to former foster carers needs a foster placement.
    if reason in ("E45", "E46") and not place.startswith("U"):
        return "E48"
    return reason


def _reason_by_age(rng: random.Random, age: float, place: str, adult: bool) -> str:
    if place in ("A5", "A6"):
        return rng.choice(["E11", "E11", "E12"])
    if adult:  # rule 460: staying put (E17) only from the 18th birthday
        return _weighted(rng, {"E5": 30, "E6": 10, "E17": 25, "E8": 25, "E13": 10})
    if age < 5:
        return _weighted(
            rng,
            {
                "E4A": 35,
                "E45": 10,
                "E46": 5,
                "E47": 5,
                "E48": 15,
                "E41": 10,
                "E13": 10,
                "E8": 5,
                "E4B": 5,
            },
        )
    return _weighted(
        rng,
        {
            "E4A": 40,
            "E4B": 8,
            "E13": 12,
            "E41": 8,
            "E47": 4,
            "E48": 8,
            "E8": 12,
            "E3": 3,
            "E9": 2,
            "E14": 3,
        },
    )


def plan_child(
    rng: random.Random, *, as_of: date, years: int = 10, mean_days_between_changes: int = 420
) -> PlannedChild:
    """One child's synthetic history: one or two periods of care within the last `years`,
    with a change of placement or legal status every `mean_days_between_changes` on average."""
    window_start = as_of - timedelta(days=365 * years)
    entry = window_start + timedelta(days=rng.randrange((as_of - window_start).days - 7))
    ((low, high),) = rng.choices([b for b, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])
    age_days = int(rng.uniform(low, high) * 365.25)
    dob = entry - timedelta(days=age_days)
    child = PlannedChild(date_of_birth=dob, sex=rng.choices("MF", weights=[55, 45])[0])
    start = entry
    for period in range(2):
        _plan_period(rng, child, start, as_of, mean_days_between_changes)
        last = child.episodes[-1]
        # About one child in twelve comes back into care after returning home.
        if last.dec is None or last.rec not in ("E4A", "E4B", "E13") or rng.random() > 0.08:
            break
        start = last.dec + timedelta(days=rng.randint(30, 700))
        if start >= as_of or start >= _birthday(dob, 17) or period == 1:
            break
    return child


def _plan_period(
    rng: random.Random, child: PlannedChild, start: date, as_of: date, mean_gap: int
) -> None:
    dob = child.date_of_birth
    ls = _weighted(rng, ENTRY_LS_WEIGHTS)
    cin = "N2" if ls == "V3" else _weighted(rng, CIN_WEIGHTS)
    age = (start - dob).days / 365.25
    if ls == "J1" and age < 10:  # rule 358: remand is for children aged 10 and over
        ls = "V2"
    # Short breaks are in a residential care home, where the return asks for no URN and no
    # placement postcode (rules 214 and 218).
    place = "R1" if ls == "V3" else _placement_for(rng, age, ls)
    out = rng.random() < 0.18
    episode = PlannedEpisode(start, "S", ls, cin, place, PROVIDER_FOR_PLACE.get(place, "PR4"), out)
    child.episodes.append(episode)
    # How long this period lasts: many short stays, many that run to 18.
    mean_stay = rng.choices([120, 700, 3000], weights=[25, 30, 45])[0]
    stay = int(rng.expovariate(1 / mean_stay))
    if ls in ("V3", "V4"):  # rules 365/367: a short break lasts days, not months
        stay = rng.randint(1, 14)
    end = start + timedelta(days=max(stay, 1))
    eighteen = _birthday(dob, 18)
    end = min(end, eighteen)
    day = start
    while ls not in ("V3", "V4"):  # short breaks keep one episode
        if child.episodes[-1].ls == "L1":  # rule 361: police protection lasts 72 hours
            gap = rng.randint(1, 3)
        elif child.episodes[-1].ls == "L2":  # rule 362: an EPO lasts days, then a court decides
            gap = rng.randint(1, 7)
        else:
            gap = int(rng.expovariate(1 / mean_gap)) + 14
        day = day + timedelta(days=gap)
        if day >= end or day > as_of:
            break
        current = child.episodes[-1]
        age = (day - dob).days / 365.25
        new_ls = current.ls
        if current.ls == "C1" and rng.random() < 0.6:
            new_ls = "C2" if rng.random() < 0.8 or age >= 5 else "E1"
        elif current.ls in ("L1", "L2"):
            new_ls = _weighted(rng, {"C1": 70, "V2": 30})
        elif current.ls == "V2" and rng.random() < 0.15:
            new_ls = "C1"
        # Rule 378: a child accommodated under section 20 (V2) is not placed with parents.
        with_parents_under_v2 = new_ls == "V2" and current.place == "P1"
        move = new_ls == current.ls or with_parents_under_v2 or rng.random() < 0.35
        new_place = _placement_for(rng, age, new_ls) if move else current.place
        if move and new_place == current.place and new_ls == current.ls:
            new_place = "U4" if current.place != "U4" else "U6"
        same_carer = move and rng.random() < 0.08
        if new_place in ("A3", "A5"):  # rule 217: adoption by the current foster carers
            same_carer = new_ls == current.ls
        try:
            rne = rules.reason_for_new_episode(
                legal_status_changed=new_ls != current.ls,
                placement_changed=move,
                same_carer=same_carer,
            )
        except rules.EpisodeRuleError:
            continue
        current.dec, current.rec = day, "X1"
        if move:
            current.reason_place_change = _weighted(
                rng,
                {
                    "CARPL": 45,
                    "CREQB": 12,
                    "CREQO": 10,
                    "CHILD": 6,
                    "LAREQ": 8,
                    "STAND": 3,
                    "ALLEG": 2,
                    "CLOSE": 3,
                    "OTHER": 11,
                },
            )
        out = (rng.random() < 0.2) if move else current.out_of_area
        child.episodes.append(
            PlannedEpisode(
                day,
                rne,
                new_ls,
                current.cin,
                new_place,
                PROVIDER_FOR_PLACE.get(new_place, "PR4") if move else current.place_provider,
                out,
            )
        )
    last = child.episodes[-1]
    if end <= as_of:
        leave = max(end, last.decom)
        last.dec = leave
        last.rec = _leaving_reason(
            rng, (leave - dob).days / 365.25, last.ls, last.place, adult=leave >= _birthday(dob, 18)
        )
