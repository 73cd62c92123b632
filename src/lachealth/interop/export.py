"""SSDA903 files for one local authority and collection year, built from the record, in the
codes of that year (`years`).

`Header` and `Episodes` for every child looked after at any time in the year (1 April to
31 March); `OC2` for the children looked after continuously for 12 months at 31 March (the
validator's own definition, excluding short breaks), with the health fields the LAC health
team recorded. Episodes ending after the year are exported as still open, as the return asks.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db.models import Prefetch, Q

from lachealth.care.models import (
    AsylumSeekingStatus,
    CareReview,
    Child,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
)
from lachealth.health.clocks import birthday
from lachealth.health.models import HealthAssessment, SdqResult

from . import validator, years
from .files import with_hashes
from .models import ReportedOutcome

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
OC3 = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
UASC = ["CHILD", "SEX", "DOB", "DUC"]
DOLO = ["CHILD", "DOB", "DOLO_START", "DOLO_END"]
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

    @property
    def hashes(self) -> str:
        return with_hashes(
            (name, hashlib.sha256(content).hexdigest()) for name, content in self.files.items()
        )


def csv_file(columns: list[str], rows: list[list[str]]) -> bytes:
    """One file of the return: a row of column names, then the rows, UTF-8, Unix line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


def build_return(area_code: str, collection_year: int) -> Return:
    """The Header, Episodes and OC2 files of one LA's return for the year ending 31 March."""
    start, end = years.span(collection_year)
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
        header_rows.append(header_row(child.la_child_id, child, collection_year))
        for e in child.episodes.all():
            episode_rows.append(episode_row(child.la_child_id, e, end))
    episodes_csv = csv_file(EPISODES, episode_rows)
    cohort = validator.continuously_looked_after(episodes_csv, collection_year=collection_year)
    oc2_children = [c for c in children if c.la_child_id in cohort]
    reported = _reported(oc2_children, collection_year, "OC2")
    oc2_rows = _oc2_rows(oc2_children, reported, start, end)
    files = {
        "Header.csv": csv_file(HEADER, header_rows),
        "Episodes.csv": episodes_csv,
        "OC2.csv": csv_file(OC2, oc2_rows),
    }
    oc3_rows = _oc3_rows(area_code, collection_year)
    if oc3_rows:
        files["OC3.csv"] = csv_file(OC3, oc3_rows)
    for name, (columns, table_rows) in _event_tables(children, collection_year).items():
        if table_rows:
            files[f"{name}.csv"] = csv_file(columns, table_rows)
    return Return(files, len(header_rows), len(episode_rows), len(oc2_rows))


def _event_tables(children: Any, collection_year: int) -> dict[str, tuple[list[str], list]]:
    """Missing, Reviews, UASC and DoLo for the year's children, as lachealth keeps them."""
    start, end = years.span(collection_year)
    by_pk = {c.pk: c for c in children}
    ids = list(by_pk)

    def lead(child_pk: int) -> list[str]:
        child = by_pk[child_pk]
        return [child.la_child_id, d903(child.date_of_birth)]

    missing = MissingEpisode.objects.filter(child_id__in=ids, start__range=(start, end))
    reviews = CareReview.objects.filter(child_id__in=ids, held_on__range=(start, end))
    uasc = AsylumSeekingStatus.objects.filter(child_id__in=ids).filter(
        Q(ceased_on__isnull=True) | Q(ceased_on__gte=start)
    )
    tables = {
        "Missing": (
            MISSING,
            [
                [*lead(m.child_id), m.kind, d903(m.start), d903(m.end)]
                for m in missing.order_by("child__la_child_id", "start")
            ],
        ),
        "Reviews": (
            REVIEWS,
            [
                [*lead(r.child_id), d903(r.held_on), r.participation]
                for r in reviews.order_by("child__la_child_id", "held_on")
            ],
        ),
        "UASC": (
            UASC,
            [
                [
                    by_pk[u.child_id].la_child_id,
                    years.sex_in_return(by_pk[u.child_id].sex, collection_year),
                    d903(by_pk[u.child_id].date_of_birth),
                    d903(u.ceased_on),
                ]
                for u in uasc.order_by("child__la_child_id")
            ],
        ),
    }
    if collection_year >= years.DOLO_FROM:
        dolo = DeprivationOfLiberty.objects.filter(child_id__in=ids, start__lte=end).filter(
            Q(end__isnull=True) | Q(end__gte=start)
        )
        tables["DoLo"] = (
            DOLO,
            [
                [*lead(d.child_id), d903(d.start), d903(d.end)]
                for d in dolo.order_by("child__la_child_id", "start")
            ],
        )
    return tables


def _reported(children: list[Child], collection_year: int, table: str) -> dict[int, dict]:
    """The outcomes the LA reported in an imported return, by child."""
    return dict(
        ReportedOutcome.objects.filter(
            child__in=children, collection_year=collection_year, table=table
        ).values_list("child_id", "values")
    )


def _oc3_rows(area_code: str, collection_year: int) -> list[list[str]]:
    """OC3 is the LA's own record of its care leavers; lachealth gives back what it imported."""
    outcomes = (
        ReportedOutcome.objects.filter(
            child__responsible_area_id=area_code, collection_year=collection_year, table="OC3"
        )
        .select_related("child")
        .order_by("child__la_child_id")
    )
    return [
        [o.child.la_child_id, d903(o.child.date_of_birth)] + [o.values.get(c, "") for c in OC3[2:]]
        for o in outcomes
    ]


class HeaderLike(Protocol):
    @property
    def sex(self) -> str: ...

    @property
    def date_of_birth(self) -> date: ...

    @property
    def ethnicity(self) -> str: ...

    @property
    def upn(self) -> str: ...

    @property
    def mother(self) -> bool | None: ...

    @property
    def mother_child_dob(self) -> date | None: ...


class EpisodeLike(Protocol):
    @property
    def decom(self) -> date: ...

    @property
    def rne(self) -> str: ...

    @property
    def ls(self) -> str: ...

    @property
    def cin(self) -> str: ...

    @property
    def place(self) -> str: ...

    @property
    def place_provider(self) -> str: ...

    @property
    def dec(self) -> date | None: ...

    @property
    def rec(self) -> str: ...

    @property
    def reason_place_change(self) -> str: ...

    @property
    def home_post(self) -> str: ...

    @property
    def pl_post(self) -> str: ...

    @property
    def urn(self) -> str: ...


def header_row(child_id: str, child: HeaderLike, collection_year: int | None = None) -> list[str]:
    """A child's Header row as the return spells it (the import compares rows this way), in
    the codes of `collection_year` if given (SEX 1 or 2 up to 2023/24), else as kept."""
    return [
        child_id,
        child.sex if collection_year is None else years.sex_in_return(child.sex, collection_year),
        d903(child.date_of_birth),
        child.ethnicity,
        child.upn or "UN4",
        "" if child.mother is None else "1" if child.mother else "0",
        d903(child.mother_child_dob),
    ]


def episode_row(child_id: str, e: EpisodeLike, end: date) -> list[str]:
    """An episode's row in the return for the year ending `end`: one that ends after the
    year is still open in it; items the return does not ask of the episode are blank."""
    ended = e.dec is not None and e.dec <= end
    return [
        child_id,
        d903(e.decom),
        e.rne,
        e.ls,
        e.cin,
        e.place,
        e.place_provider if not e.place.startswith("T") else "",
        d903(e.dec) if ended else "",
        (e.rec or "") if ended else "",
        e.reason_place_change if ended and e.rec == "X1" else "",
        *_location(e),
    ]


def _location(e: EpisodeLike) -> list[str]:
    """HOME_POST, PL_POST and URN: no postcodes for short breaks (rules 214, 398), and a URN
    wherever the return expects one (rule 218), short breaks included."""
    urn = "" if e.place in NO_URN_PLACES else e.urn
    if e.ls in ("V3", "V4"):
        return ["", "", urn]
    return [e.home_post, e.pl_post, urn]


def _flag(value: bool | None) -> str:
    return "" if value is None else "1" if value else "0"


def _interventions(assessment: HealthAssessment | None) -> tuple[str, str]:
    """INTERVENTION_RECEIVED and INTERVENTION_OFFERED, from the latest assessment in the year
    that identified substance misuse; blank when none did."""
    if assessment is None:
        return "", ""
    received = assessment.intervention_received
    return _flag(received), _flag(assessment.intervention_offered) if received is False else ""


def _oc2_rows(
    children: list[Child], reported: dict[int, dict], start: date, end: date
) -> list[list[str]]:
    """OC2 from what the health team recorded in the year. A child whose health team recorded
    nothing in lachealth that year keeps the figures the LA reported in an imported return;
    CONVICTED is always the LA's, when it reported one."""
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
    recorded = set(assessments) | dental | set(sdqs)
    for child in children:
        if child.pk in reported and child.pk not in recorded:
            values = reported[child.pk]
            rows.append(
                [child.la_child_id, d903(child.date_of_birth)]
                + [values.get(c, "") for c in OC2[2:]]
            )
            continue
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
        misused = [a for a in done if a.substance_misuse]
        received, offered = _interventions(misused[-1] if misused else None)
        rows.append(
            [
                child.la_child_id,
                d903(child.date_of_birth),
                str(sdq.total_difficulties) if sdq else "",
                reason,
                reported[child.pk].get("CONVICTED", "")
                if child.pk in reported
                else "0"
                if end >= birthday(child.date_of_birth, 10)
                else "",  # rule 542: from 10
                ("1" if any(a.development_check for a in done) else "0") if under_five else "",
                "1" if latest and latest.immunisations == "yes" else "0",
                "1" if child.pk in dental else "0",
                "1" if done else "0",
                "1" if misused else "0",
                received,
                offered,
            ]
        )
    return rows
