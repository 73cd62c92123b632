"""SSDA903 files for one local authority and collection year, built from the record.

`Header` and `Episodes` for every child looked after at any time in the year (1 April to
31 March); `OC2` for the children looked after continuously for 12 months at 31 March (the
validator's own definition, excluding short breaks), with the health fields the LAC health
team recorded. Episodes ending after the year are exported as still open, as the return asks.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q

from lachealth.care.models import Child, Episode
from lachealth.health.clocks import birthday
from lachealth.health.models import HealthAssessment, SdqResult

from . import validator

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
OC2 = [
    "CHILD",
    "DOB",
    "SDQ_SCORE",
    "SDQ_REASON",
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
]
#: Placement types for which the return expects no Ofsted URN (rule 218 of 2025/26); every
#: other placement reports the URN of its registered provider or service.
NO_URN_PLACES = frozenset(
    {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"}
)


def d903(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass(frozen=True)
class Return:
    files: dict[str, bytes]  # file name -> CSV bytes
    children: int
    episodes: int
    oc2_children: int


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


def build_return(area_code: str, collection_year: int) -> Return:
    """The Header, Episodes and OC2 files of one LA's return for the year ending 31 March."""
    start, end = date(collection_year - 1, 4, 1), date(collection_year, 3, 31)
    in_year = Q(decom__lte=end) & (Q(dec__isnull=True) | Q(dec__gte=start))
    children = (
        Child.objects.filter(responsible_area_id=area_code)
        .filter(pk__in=Episode.objects.filter(in_year).values("child_id"))
        .prefetch_related(
            Prefetch("episodes", queryset=Episode.objects.filter(in_year).order_by("decom"))
        )
        .order_by("la_child_id")
    )
    header_rows, episode_rows = [], []
    for child in children:
        header_rows.append(
            [
                child.la_child_id,
                child.sex,
                d903(child.date_of_birth),
                child.ethnicity,
                child.upn or "UN4",
                _mother(child),
                "",
            ]
        )
        for e in child.episodes.all():
            ended = e.dec is not None and e.dec <= end
            episode_rows.append(
                [
                    child.la_child_id,
                    d903(e.decom),
                    e.rne,
                    e.ls,
                    e.cin,
                    e.place,
                    e.place_provider if not e.place.startswith("T") else "",
                    d903(e.dec) if ended else "",
                    e.rec if ended else "",
                    e.reason_place_change if ended and e.rec == "X1" else "",
                    *_location(e),
                ]
            )
    episodes_csv = _csv(EPISODES, episode_rows)
    cohort = validator.continuously_looked_after(episodes_csv, collection_year=collection_year)
    oc2_rows = _oc2_rows([c for c in children if c.la_child_id in cohort], start, end)
    files = {
        "Header.csv": _csv(HEADER, header_rows),
        "Episodes.csv": episodes_csv,
        "OC2.csv": _csv(OC2, oc2_rows),
    }
    return Return(files, len(header_rows), len(episode_rows), len(oc2_rows))


def _location(e: Episode) -> list[str]:
    """HOME_POST, PL_POST and URN: none for short breaks (rules 214, 398), no URN where the
    return expects none (rule 218)."""
    if e.ls in ("V3", "V4"):
        return ["", "", ""]
    return [e.home_post, e.pl_post, "" if e.place in NO_URN_PLACES else e.urn]


def _mother(child: Child) -> str:
    """MOTHER: 1 or 0 for a girl whose answer is recorded, blank otherwise."""
    if child.sex != "F" or child.mother is None:
        return ""
    return "1" if child.mother else "0"


def _oc2_rows(children: list[Child], start: date, end: date) -> list[list[str]]:
    ids = [c.pk for c in children]
    assessments: dict[int, list[HealthAssessment]] = {}
    for a in HealthAssessment.objects.filter(child_id__in=ids, completed_on__range=(start, end)):
        assessments.setdefault(a.child_id, []).append(a)
    dental = set(
        HealthAssessment.objects.filter(
            child_id__in=ids, dental_check_on__range=(start, end)
        ).values_list("child_id", flat=True)
    )
    sdqs: dict[int, SdqResult] = {}
    for s in SdqResult.objects.filter(
        child_id__in=ids,
        informant="carer",
        completed_on__range=(start, end),
        total_difficulties__isnull=False,
    ).order_by("completed_on"):
        sdqs[s.child_id] = s  # the latest in the year
    rows = []
    for child in children:
        done = sorted(assessments.get(child.pk, []), key=lambda a: a.completed_on)
        latest = done[-1] if done else None
        under_five = end < birthday(child.date_of_birth, 5)
        fourth, seventeenth = birthday(child.date_of_birth, 4), birthday(child.date_of_birth, 17)
        # Rule 186: a score or a reason for ages 4-16 all year; rule 197B: also for a child
        # turning 4 or 17 in the year (SDQ1, outside the age range, when there is no score).
        whole_year = fourth <= start and seventeenth > end
        turning = start <= fourth <= end or start <= seventeenth <= end
        sdq = sdqs.get(child.pk) if whole_year or turning else None
        reason = "" if sdq or not (whole_year or turning) else ("SDQ4" if whole_year else "SDQ1")
        misuse = any(a.substance_misuse for a in done)
        rows.append(
            [
                child.la_child_id,
                d903(child.date_of_birth),
                str(sdq.total_difficulties) if sdq else "",
                reason,
                "0" if end >= birthday(child.date_of_birth, 10) else "",  # rule 542: from 10
                ("1" if any(a.development_check for a in done) else "0") if under_five else "",
                "1" if latest and latest.immunisations == "yes" else "0",
                "1" if child.pk in dental else "0",
                "1" if done else "0",
                "1" if misuse else "0",
                "",
                "",
            ]
        )
    return rows
