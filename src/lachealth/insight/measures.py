"""The statutory measures of DOMAIN.md, each a declared definition, counted by the database.

A `Measure` says in the users' words what it counts (name, numerator, denominator, cohort,
period, polarity, source) and, as query expressions, which of its cohort's rows are in the
denominator and the numerator. `count` turns every measure of one cohort into one aggregate
query grouped by area, so a dashboard costs a query per cohort and period, never a row per
child in Python. Adding a measure is adding a definition to `MEASURES`.

The OC2 cohort is the validator's own rule (`add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER`,
which the SSDA903 export runs) written as a query; `tests/insight/test_measures.py` holds the
two to the same answer, so the dashboard and the return never disagree about who is in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from lachealth.care.models import Child, Episode
from lachealth.handovers.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    RecipientKind,
)
from lachealth.health.clocks import PASSPORT_FROM_AGE, add_months, birthday
from lachealth.health.models import (
    Answer,
    Appointment,
    AssessmentKind,
    Feedback,
    HealthAssessment,
    Informant,
    Outcome,
    Passport,
    SdqResult,
)
from lachealth.quality.area_settings import settings_for_areas

from .periods import (
    AGE_BANDS,
    ETHNICITY_GROUPS,
    PLACEMENT_GROUPS,
    Period,
    birth_dates_for,
    iha_entry_window,
    latest_birth_date,
)

SHORT_BREAKS = ("V3", "V4")
#: Reasons for a new episode that start a new placement (SSDA903 RNE).
NEW_PLACEMENT = ("S", "P", "T", "U", "B")
#: The SDQ total from which the DfE counts a score as a cause for concern.
SDQ_CONCERN = 17


class Polarity(StrEnum):
    HIGH_IS_GOOD = "high"
    LOW_IS_GOOD = "low"
    NEUTRAL = "neutral"  # neither direction is better (e.g. needs identified)


class Kind(StrEnum):
    PROPORTION = "proportion"
    MEAN = "mean"


@dataclass(frozen=True)
class Cohort:
    """The rows a group of measures counts, for a period, and how to reach their area and
    child. `aliases` are per-row facts the measures' conditions name."""

    key: str
    description: str
    model: type[Model]
    area: str  # lookup from a row to its area's code
    child: str  # lookup from a row to its child; "" when the row is the child
    rows: Callable[[Period], QuerySet[Any]]
    aliases: Callable[[Period], dict[str, Any]] = field(default=lambda period: {})

    def child_field(self, name: str) -> str:
        return f"{self.child}__{name}" if self.child else name

    def child_ref(self) -> OuterRef:
        return OuterRef(self.child_field("pk"))


Condition = Callable[[Period], Q]


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    cohort: Cohort
    numerator: str
    denominator: str
    polarity: Polarity
    source: str
    counted: Condition  # rows in the numerator (of those eligible)
    eligible: Condition | None = None  # narrows the cohort to the denominator
    kind: Kind = Kind.PROPORTION
    value: str = ""  # for a mean: the alias averaged


@dataclass(frozen=True)
class Tally:
    """One measure's counts for one area: `numerator` of `denominator` (for a mean, the
    number of values is both, with their sum and sum of squares)."""

    numerator: int
    denominator: int
    total: float = 0.0
    squares: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            self.total + other.total,
            self.squares + other.squares,
        )


EMPTY = Tally(0, 0)


def _episodes() -> QuerySet[Episode]:
    return Episode.objects.filter(child=OuterRef("pk"))


def _in(period: Period) -> Q:
    """Episodes open at some time in the period."""
    return Q(decom__lte=period.end) & (Q(dec__isnull=True) | Q(dec__gte=period.start))


def _open_at_end(period: Period) -> Q:
    return Q(decom__lte=period.end) & (Q(dec__isnull=True) | Q(dec__gt=period.end))


def continuously_looked_after(period: Period) -> QuerySet[Child]:
    """Children looked after continuously through the period, as the validator's rule has it:
    in care at some time in it, with no episode starting care after its first day, none ending
    care (a reason other than X1) before its last, and none in short breaks (V3/V4)."""
    eps = _episodes()
    return Child.objects.filter(
        Exists(eps.filter(_in(period))),
        ~Exists(eps.filter(rne="S", decom__gt=period.start, decom__lte=period.end)),
        ~Exists(eps.filter(dec__gte=period.start, dec__lt=period.end).exclude(rec="X1")),
        ~Exists(eps.filter(_in(period), ls__in=SHORT_BREAKS)),
    )


def _assessments_in(period: Period, **more: Any) -> QuerySet[HealthAssessment]:
    return HealthAssessment.objects.filter(
        child=OuterRef("pk"), completed_on__range=(period.start, period.end), **more
    )


def _latest_carer_sdq(period: Period) -> Subquery:
    return Subquery(
        SdqResult.objects.filter(
            child=OuterRef("pk"),
            informant=Informant.CARER,
            completed_on__range=(period.start, period.end),
            total_difficulties__isnull=False,
        )
        .order_by("-completed_on")
        .values("total_difficulties")[:1]
    )


def _oc2_aliases(period: Period) -> dict[str, Any]:
    return {
        "latest_immunisations": Subquery(
            _assessments_in(period).order_by("-completed_on").values("immunisations")[:1]
        ),
        "sdq_total": _latest_carer_sdq(period),
    }


def _placements_in(period: Period) -> Any:
    """Placements the child had in the period: the one they were in when it began, and each
    one started in it (a new episode whose RNE starts a placement)."""
    started = Subquery(
        Episode.objects.filter(
            child=OuterRef("pk"),
            decom__range=(period.start, period.end),
            rne__in=NEW_PLACEMENT,
        )
        .values("child")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    ongoing = Exists(
        _episodes()
        .filter(decom__lt=period.start)
        .filter(Q(dec__isnull=True) | Q(dec__gte=period.start))
    )
    return Coalesce(started, Value(0)) + Case(
        When(ongoing, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _iha_entries(period: Period) -> QuerySet[Episode]:
    window = iha_entry_window(period)
    if window is None:
        return Episode.objects.none()
    return Episode.objects.filter(rne="S", decom__range=window).exclude(ls__in=SHORT_BREAKS)


OC2 = Cohort(
    "oc2",
    "Children looked after continuously for the 12 months, not in short breaks (OC2)",
    Child,
    area="responsible_area",
    child="",
    rows=continuously_looked_after,
    aliases=_oc2_aliases,
)
ENTRIES = Cohort(
    "entries",
    "Children who started to be looked after and whose initial health assessment fell due in "
    "the period",
    Episode,
    area="child__responsible_area",
    child="child",
    rows=_iha_entries,
)
REVIEWS = Cohort(
    "reviews",
    "Review health assessments due in the period and completed",
    HealthAssessment,
    area="child__responsible_area",
    child="child",
    rows=lambda period: HealthAssessment.objects.filter(
        kind=AssessmentKind.RHA, due_on__range=(period.start, period.end)
    ),
)
OUT_OF_AREA_NOTICES = Cohort(
    "notices",
    "Out-of-area notices sent to the receiving area's LAC health team whose acknowledgement "
    "fell due in the period (the receiving area's measure)",
    Notification,
    area="recipient_area",
    child="child",
    rows=lambda period: Notification.objects.filter(
        kind=NotificationKind.OUT_OF_AREA,
        recipient_kind=RecipientKind.PROVIDER,
        sent_on__isnull=False,
        acknowledge_by__range=(period.start, period.end),
    ).exclude(status=NotificationStatus.REJECTED),
)
AT_END: Cohort = Cohort(
    "at_end",
    "Children looked after on the last day of the period, not in short breaks",
    Child,
    area="responsible_area",
    child="",
    rows=lambda period: Child.objects.filter(
        Exists(_episodes().filter(_open_at_end(period)).exclude(ls__in=SHORT_BREAKS))
    ),
    aliases=lambda period: {
        "placements": _placements_in(period),
        "placed": _location(AT_END, period),
    },
)


def _leaving_at_16_or_over(period: Period) -> QuerySet[Episode]:
    """Episodes that ended care in the period (any reason but X1, a new episode without a
    break) for a young person aged 16 or over that day, outside short breaks. Age on the day
    is a calendar rule (a 29 February birthday is 28 February), so it is checked here, on
    the period's few leavers, and the rows are those episodes."""
    ended = (
        Episode.objects.filter(dec__range=(period.start, period.end))
        .exclude(rec="X1")
        .exclude(ls__in=SHORT_BREAKS)
        .values_list("pk", "dec", "child__date_of_birth")
    )
    ids = [pk for pk, dec, born in ended if dec >= birthday(born, PASSPORT_FROM_AGE)]
    return Episode.objects.filter(pk__in=ids)


LEAVERS = Cohort(
    "leavers",
    "Young people who left care aged 16 or over in the period (not from short breaks)",
    Episode,
    area="child__responsible_area",
    child="child",
    rows=_leaving_at_16_or_over,
)
PASSPORTS_DUE = Cohort(
    "passports",
    "First health passports given whose due date fell in the period",
    Passport,
    area="child__responsible_area",
    child="child",
    rows=lambda period: Passport.objects.filter(
        version=1, due_on__range=(period.start, period.end)
    ),
)


def _rha_requests(period: Period) -> QuerySet[Appointment]:
    """Review assessments booked in the period (the health team asking for them) for a child
    aged 4 to 16 that day, the ages an SDQ is for; a booking rescheduled (its new booking is
    the request) or cancelled is not one. Age on the day is a calendar rule, so it is checked
    here, on the period's bookings."""
    booked = (
        Appointment.objects.filter(
            kind=AssessmentKind.RHA, booked_on__range=(period.start, period.end)
        )
        .exclude(outcome__in=[Outcome.RESCHEDULED, Outcome.CANCELLED])
        .values_list("pk", "booked_on", "child__date_of_birth")
    )
    ids = [pk for pk, day, born in booked if birthday(born, 4) <= day < birthday(born, 17)]
    return Appointment.objects.filter(pk__in=ids)


def _with_recent_sdq(period: Period) -> Q:
    """The requests an SDQ accompanied: one completed on the day of the request or in the
    months before it that the child's area allows (QA settings; 3 unless set), calendar months
    counted as the clocks count them."""
    rows = list(
        _rha_requests(period).values_list(
            "pk", "booked_on", "child_id", "child__responsible_area_id"
        )
    )
    windows = {
        code: found.sdq_window_months
        for code, found in settings_for_areas({area for _, _, _, area in rows}).items()
    }
    done: dict[int, list[Any]] = {}
    for child, day in SdqResult.objects.filter(
        child_id__in={child for _, _, child, _ in rows}
    ).values_list("child_id", "completed_on"):
        done.setdefault(child, []).append(day)
    counted = [
        pk
        for pk, day, child, area in rows
        if day is not None
        and any(add_months(day, -windows[area]) <= sdq <= day for sdq in done.get(child, ()))
    ]
    return Q(pk__in=counted)


RHA_REQUESTS = Cohort(
    "rha_requests",
    "Review health assessments booked in the period for children aged 4 to 16 that day",
    Appointment,
    area="child__responsible_area",
    child="child",
    rows=_rha_requests,
)
FEEDBACK = Cohort(
    "feedback",
    "What young people said of their health assessment in their own account, in the period",
    Feedback,
    area="child__responsible_area",
    child="child",
    rows=lambda period: Feedback.objects.filter(given_on__range=(period.start, period.end)),
)

# Where each measure comes from, in the words its readers know (DOMAIN.md lists them all).
OC2_SOURCE = "the DfE's SSDA903 return, OC2 outcomes, counted from lachealth's records"
GUIDANCE = "statutory guidance, Promoting the health and wellbeing of looked-after children"


def _under(age: int) -> Condition:
    return lambda period: Q(date_of_birth__gt=latest_birth_date(age, period.end))


def _sdq_age(period: Period) -> Q:
    """Validator rule 186: 4 by the first day of the year and not yet 17 on its last."""
    return Q(
        date_of_birth__lte=latest_birth_date(4, period.start),
        date_of_birth__gt=latest_birth_date(17, period.end),
    )


MEASURES: tuple[Measure, ...] = (
    Measure(
        "health_assessment",
        "Annual health assessment",
        OC2,
        numerator="had a health assessment in the year",
        denominator="children looked after continuously for 12 months",
        polarity=Polarity.HIGH_IS_GOOD,
        source=OC2_SOURCE,
        counted=lambda period: Q(Exists(_assessments_in(period))),
    ),
    Measure(
        "immunisations",
        "Immunisations up to date",
        OC2,
        numerator="up to date at their latest assessment in the year",
        denominator="children looked after continuously for 12 months",
        polarity=Polarity.HIGH_IS_GOOD,
        source=OC2_SOURCE,
        counted=lambda period: Q(latest_immunisations="yes"),
    ),
    Measure(
        "dental_check",
        "Dental check",
        OC2,
        numerator="had a dental check in the year",
        denominator="children looked after continuously for 12 months",
        polarity=Polarity.HIGH_IS_GOOD,
        source=OC2_SOURCE,
        counted=lambda period: Q(
            Exists(
                HealthAssessment.objects.filter(
                    child=OuterRef("pk"), dental_check_on__range=(period.start, period.end)
                )
            )
        ),
    ),
    Measure(
        "development",
        "Development assessment (under 5s)",
        OC2,
        numerator="had a development assessment in the year",
        denominator="children under 5 on the last day, looked after continuously for 12 months",
        polarity=Polarity.HIGH_IS_GOOD,
        source=OC2_SOURCE,
        eligible=_under(5),
        counted=lambda period: Q(Exists(_assessments_in(period, development_check=True))),
    ),
    Measure(
        "sdq_received",
        "SDQ score received (ages 4 to 16)",
        OC2,
        numerator="had a carer SDQ score in the year",
        denominator="children aged 4 to 16 all year, looked after continuously for 12 months",
        polarity=Polarity.HIGH_IS_GOOD,
        source=OC2_SOURCE,
        eligible=_sdq_age,
        counted=lambda period: Q(sdq_total__isnull=False),
    ),
    Measure(
        "sdq_mean",
        "Mean SDQ total difficulties score",
        OC2,
        numerator="the latest carer SDQ total in the year (0 to 40)",
        denominator="children aged 4 to 16 all year with a score",
        polarity=Polarity.LOW_IS_GOOD,
        source=OC2_SOURCE,
        eligible=_sdq_age,
        counted=lambda period: Q(sdq_total__isnull=False),
        kind=Kind.MEAN,
        value="sdq_total",
    ),
    Measure(
        "sdq_concern",
        "SDQ score a cause for concern (17 or more)",
        OC2,
        numerator="latest carer SDQ total 17 or more",
        denominator="children aged 4 to 16 all year with a score",
        polarity=Polarity.LOW_IS_GOOD,
        source=OC2_SOURCE,
        eligible=lambda period: _sdq_age(period) & Q(sdq_total__isnull=False),
        counted=lambda period: Q(sdq_total__gte=SDQ_CONCERN),
    ),
    Measure(
        "substance_misuse",
        "Substance misuse identified",
        OC2,
        numerator="identified at an assessment in the year",
        denominator="children looked after continuously for 12 months",
        polarity=Polarity.NEUTRAL,
        source=OC2_SOURCE,
        counted=lambda period: Q(Exists(_assessments_in(period, substance_misuse=True))),
    ),
    Measure(
        "iha_on_time",
        "Initial health assessments within 20 working days",
        ENTRIES,
        numerator="initial assessment completed by its due date",
        denominator="entries to care whose initial assessment fell due in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source=f"{GUIDANCE} (20 working days from entering care)",
        counted=lambda period: Q(
            Exists(
                HealthAssessment.objects.filter(
                    child=OuterRef("child"),
                    kind=AssessmentKind.IHA,
                    completed_on__gte=OuterRef("decom"),
                    completed_on__lte=F("due_on"),
                )
            )
        ),
    ),
    Measure(
        "rha_on_time",
        "Review health assessments on time",
        REVIEWS,
        numerator="completed by the due date",
        denominator="review assessments completed that fell due in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source=f"{GUIDANCE} (every 6 months under 5, every 12 months from 5)",
        counted=lambda period: Q(completed_on__lte=F("due_on")),
    ),
    Measure(
        "ooa_acknowledged",
        "Out-of-area notices acknowledged on time",
        OUT_OF_AREA_NOTICES,
        numerator="acknowledged by the due date",
        denominator="notices received whose acknowledgement fell due in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source="the receiving area's handover settings (5 working days unless set otherwise)",
        counted=lambda period: Q(acknowledged_on__lte=F("acknowledge_by")),
    ),
    Measure(
        "passport_by_leaving",
        "Care leavers with a health passport by leaving",
        LEAVERS,
        numerator="had been given their health passport by the day they left",
        denominator="young people who left care aged 16 or over in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source=f"{GUIDANCE} (a health passport before leaving care)",
        counted=lambda period: Q(
            Exists(Passport.objects.filter(child=OuterRef("child"), given_on__lte=OuterRef("dec")))
        ),
    ),
    Measure(
        "passport_on_time",
        "Health passports given on time",
        PASSPORTS_DUE,
        numerator="given by the due date",
        denominator="first passports given whose due date fell in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source="each area's passport settings (by 17 years 6 months unless set otherwise, or "
        "on leaving care if earlier)",
        counted=lambda period: Q(given_on__lte=F("due_on")),
    ),
    Measure(
        "rha_request_sdq",
        "RHA requests accompanied by a recent SDQ",
        RHA_REQUESTS,
        numerator="had an SDQ completed in the months before the request (3 unless the area "
        "sets otherwise)",
        denominator="review health assessments booked in the period for children aged 4 to 16",
        polarity=Polarity.HIGH_IS_GOOD,
        source="a local standard of the strategy: a recent SDQ accompanies each request for a "
        "review health assessment (for 4 to 16 year olds)",
        counted=_with_recent_sdq,
    ),
    Measure(
        "felt_listened_to",
        "Young people who felt listened to at their health assessment",
        FEEDBACK,
        numerator="said yes, they were listened to",
        denominator="young people's answers in their own account in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source="young people's feedback in their own account (a positive experience of services)",
        counted=lambda period: Q(listened=Answer.YES),
    ),
    Measure(
        "understood_next",
        "Young people who understood what happens next",
        FEEDBACK,
        numerator="said yes, they understood what happens next",
        denominator="young people's answers in their own account in the period",
        polarity=Polarity.HIGH_IS_GOOD,
        source="young people's feedback in their own account",
        counted=lambda period: Q(understood=Answer.YES),
    ),
    Measure(
        "three_placements",
        "Three or more placements in the year",
        AT_END,
        numerator="had 3 or more placements in the period",
        denominator="children looked after on the last day",
        polarity=Polarity.LOW_IS_GOOD,
        source="the DfE's placement stability measure, from the SSDA903 episodes",
        counted=lambda period: Q(placements__gte=3),
    ),
    Measure(
        "placed_out_of_area",
        "Placed out of area",
        AT_END,
        numerator="placed outside their responsible area on the last day",
        denominator="children looked after on the last day",
        polarity=Polarity.LOW_IS_GOOD,
        source="the SSDA903 episodes: where the child was placed on the last day",
        # The location breakdown's own expression, so that this numerator is exactly the
        # children the breakdown counts as placed outside (publish.py relies on it).
        counted=lambda period: Q(placed="out"),
    ),
)
BY_KEY = {m.key: m for m in MEASURES}


#: What a cohort row is broken down by, each as on the last day of the period.
DIMENSIONS = ("age_band", "sex", "ethnicity", "placement", "location")
#: SSDA903 codes to the key of their group, for grouping rows by ethnic group and placement.
ETHNICITY_OF = {code: key for key, (_, codes) in ETHNICITY_GROUPS.items() for code in codes}
PLACEMENT_OF = {code: key for key, (_, codes) in PLACEMENT_GROUPS.items() for code in codes}


def dimensions(cohort: Cohort, period: Period) -> dict[str, Any]:
    """Each row's breakdown values as query expressions, named `dim_<dimension>`: age band
    (its key, or "" if born after the period), sex, ethnicity code, placement code and
    "in"/"out" of the responsible area, from the latest episode started by the period's end.
    Both the breakdown filter and the snapshot's grouping use these, so they cannot differ."""
    dob = cohort.child_field("date_of_birth")
    bands = []
    for band in AGE_BANDS:
        born_after, born_by = birth_dates_for(band, period.end)
        bounds = {f"{dob}__lte": born_by}
        if born_after is not None:
            bounds[f"{dob}__gt"] = born_after
        bands.append(When(Q(**bounds), then=Value(band.key)))
    return {
        "dim_age_band": Case(*bands, default=Value(""), output_field=CharField()),
        "dim_sex": F(cohort.child_field("sex")),
        "dim_ethnicity": F(cohort.child_field("ethnicity")),
        "dim_place": Subquery(_latest_episode(cohort, period).values("place")[:1]),
        "dim_location": _location(cohort, period),
    }


def _latest_episode(cohort: Cohort, period: Period) -> QuerySet[Episode]:
    return Episode.objects.filter(child=cohort.child_ref(), decom__lte=period.end).order_by(
        "-decom"
    )


def _location(cohort: Cohort, period: Period) -> Case:
    """ "in" or "out" of the responsible area, by the latest episode started by the period's
    end ("" with none): the location breakdown and the placed-out-of-area measure both."""
    latest = _latest_episode(cohort, period)
    placed = Subquery(latest.values("placement_area")[:1])
    return Case(
        When(Exact(placed, F(cohort.child_field("responsible_area"))), then=Value("in")),
        When(Exists(latest), then=Value("out")),
        default=Value(""),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Breakdown:
    """The children counted: all, or those of an age band, sex, ethnic group, placement type,
    or placed in or out of their area, each as on the last day of the period."""

    age_band: str = ""
    sex: str = ""
    ethnicity: str = ""  # a key of ETHNICITY_GROUPS
    placement: str = ""  # a key of PLACEMENT_GROUPS
    location: str = ""  # "in" or "out" of the responsible area

    def condition(self, cohort: Cohort, period: Period) -> tuple[dict[str, Any], Q]:
        """The aliases and filter that narrow `cohort`'s rows to this breakdown."""
        wanted = {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}
        if not wanted:
            return {}, Q()
        expressions = dimensions(cohort, period)
        q = Q()
        aliases: dict[str, Any] = {}
        for name, value in wanted.items():
            if name == "ethnicity":
                aliases["dim_ethnicity"] = expressions["dim_ethnicity"]
                q &= Q(dim_ethnicity__in=ETHNICITY_GROUPS[value][1])
            elif name == "placement":
                aliases["dim_place"] = expressions["dim_place"]
                q &= Q(dim_place__in=PLACEMENT_GROUPS[value][1])
            else:
                aliases[f"dim_{name}"] = expressions[f"dim_{name}"]
                q &= Q(**{f"dim_{name}": value})
        return aliases, q


EVERYONE = Breakdown()


def cohort_rows(cohort: Cohort, period: Period, breakdown: Breakdown = EVERYONE) -> QuerySet[Any]:
    """The cohort's rows for the period, narrowed to the breakdown, with the facts its
    measures name: what `count` aggregates and the drill-down lists."""
    aliases, narrowed = breakdown.condition(cohort, period)
    return cohort.rows(period).alias(**cohort.aliases(period), **aliases).filter(narrowed)


def count(
    measures: Sequence[Measure],
    period: Period,
    *,
    breakdown: Breakdown = EVERYONE,
    areas: Iterable[str] | None = None,
    rows_q: Callable[[Cohort], Q] | None = None,
) -> dict[str, dict[str, Tally]]:
    """Each measure's tally per area code for the period: one query per cohort. `areas`
    limits the areas counted; `rows_q` further limits each cohort's rows (the access policy,
    for a caseload)."""
    result: dict[str, dict[str, Tally]] = {m.key: {} for m in measures}
    for group, tallies in grouped_counts(
        measures, period, breakdown=breakdown, areas=areas, rows_q=rows_q
    ):
        for key, tally in tallies.items():
            result[key][group["area"]] = tally
    return result


def grouped_counts(
    measures: Sequence[Measure],
    period: Period,
    *,
    breakdown: Breakdown = EVERYONE,
    areas: Iterable[str] | None = None,
    rows_q: Callable[[Cohort], Q] | None = None,
    by_dimension: bool = False,
) -> Iterator[tuple[dict[str, str], dict[str, Tally]]]:
    """The tallies of one query per cohort, a group at a time: ({"area": code}, {measure key:
    tally}), or with `by_dimension` the groups of every area and breakdown value too, with the
    ethnicity and placement codes as their groups' keys (a snapshot sums them back)."""
    by_cohort: dict[str, list[Measure]] = {}
    for measure in measures:
        by_cohort.setdefault(measure.cohort.key, []).append(measure)
    area_list = None if areas is None else sorted(areas)
    for group in by_cohort.values():
        cohort = group[0].cohort
        rows = cohort_rows(cohort, period, breakdown)
        if area_list is not None:
            rows = rows.filter(**{f"{cohort.area}__in": area_list})
        if rows_q is not None:
            rows = rows.filter(rows_q(cohort))
        keys = [cohort.area]
        if by_dimension:
            expressions = dimensions(cohort, period)
            rows = rows.annotate(**expressions)
            keys += list(expressions)
        aggregates: dict[str, Any] = {}
        for m in group:
            eligible = m.eligible(period) if m.eligible else Q()
            counted = m.counted(period) & eligible
            aggregates[f"{m.key}__n"] = Count("pk", filter=counted)
            # A mean is over the rows that have a value, so those are its denominator too.
            aggregates[f"{m.key}__d"] = Count(
                "pk", filter=counted if m.kind == Kind.MEAN else eligible
            )
            if m.kind == Kind.MEAN:
                aggregates[f"{m.key}__sum"] = Sum(m.value, filter=counted)
                aggregates[f"{m.key}__sq"] = Sum(F(m.value) * F(m.value), filter=counted)
        for row in rows.values(*keys).annotate(**aggregates).order_by():
            tallies = {}
            for m in group:
                tally = Tally(
                    row[f"{m.key}__n"],
                    row[f"{m.key}__d"],
                    float(row.get(f"{m.key}__sum") or 0),
                    float(row.get(f"{m.key}__sq") or 0),
                )
                if tally.denominator:
                    tallies[m.key] = tally
            if not tallies:
                continue
            where = {"area": row[cohort.area]}
            if by_dimension:
                where |= {
                    "age_band": row["dim_age_band"],
                    "sex": row["dim_sex"] or "",
                    "ethnicity": ETHNICITY_OF.get(row["dim_ethnicity"] or "", ""),
                    "placement": PLACEMENT_OF.get(row["dim_place"] or "", ""),
                    "location": row["dim_location"],
                }
            yield where, tallies
