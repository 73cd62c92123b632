"""What an import would change: the return's records set against the record, before any write.

A child is matched by the LA's CHILD id within the LA; records typed in by hand and records
imported are the same records. An NHS number in the file (an optional Header column) only
cross-checks: a mismatch is a warning and the record keeps its number.

Rows are compared as the return spells them (`export.header_row`, `export.episode_row`), so
what the return cannot say never counts as a change: an episode that ended after the year is
open in that year's return, a short break has no postcodes. That is what makes importing a
return twice change nothing, and export → import → export give the same files.

Each child's episodes in the file replace the record's episodes from the earlier of the year's
start and the child's first episode in the file, to the later of the year's end and the
child's last episode in the file (a case system's extract may hold years of history): an
episode missing from the file in that span is removed; earlier and later ones are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Max, Q

from lachealth.care import episodes as rules
from lachealth.care.models import (
    AsylumSeekingStatus,
    CareReview,
    Child,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
)
from lachealth.people.areas import placement_area_code
from lachealth.people.models import Area

from . import checks, validator, years
from .export import EPISODES, HEADER, episode_row, header_row
from .files import NHS_NUMBER_COLUMN, Problem
from .models import ImportAttempt, ImportStatus, ReportedOutcome
from .records import EVENT_TABLES, EpisodeRecord, EventRecord, HeaderRecord, OutcomeRecord, Records

HEADER_FIELDS = {
    "SEX": "sex",
    "DOB": "date_of_birth",
    "ETHNIC": "ethnicity",
    "UPN": "upn",
    "MOTHER": "mother",
    "MC_DOB": "mother_child_dob",
}
#: The episode fields the episode rules look at (`episodes.EpisodeFacts`).
FACT_FIELDS = frozenset({"rne", "ls", "place", "dec", "rec"})
EPISODE_FIELDS = {
    "RNE": "rne",
    "LS": "ls",
    "CIN": "cin",
    "PLACE": "place",
    "PLACE_PROVIDER": "place_provider",
    "DEC": "dec",
    "REC": "rec",
    "REASON_PLACE_CHANGE": "reason_place_change",
    "HOME_POST": "home_post",
    "PL_POST": "pl_post",
    "URN": "urn",
}


@dataclass
class Change:
    """A record whose row differs from the file's: the model fields to set, and the row."""

    instance: Any
    fields: dict[str, Any]
    row: int


#: The model each care-record event table is kept in, and its date field (none for UASC).
EVENT_MODELS: dict[str, tuple[type[models.Model], str]] = {
    "Missing": (MissingEpisode, "start"),
    "Reviews": (CareReview, "held_on"),
    "DoLo": (DeprivationOfLiberty, "start"),
    "UASC": (AsylumSeekingStatus, ""),
}


@dataclass
class EventPlan:
    """What a Missing, Reviews, UASC or DoLo table changes."""

    new: list[EventRecord] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    removed: list[models.Model] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.new or self.changes or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.new),
            "changed": len(self.changes),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


@dataclass
class ImportPlan:
    area: Area
    collection_year: int
    new_children: list[HeaderRecord] = field(default_factory=list)
    child_changes: list[Change] = field(default_factory=list)
    nhs_numbers: dict[str, str] = field(default_factory=dict)  # CHILD -> number to record
    unchanged_children: int = 0
    new_episodes: list[EpisodeRecord] = field(default_factory=list)
    episode_changes: list[Change] = field(default_factory=list)
    removed_episodes: list[Episode] = field(default_factory=list)
    unchanged_episodes: int = 0
    new_outcomes: list[OutcomeRecord] = field(default_factory=list)
    outcome_changes: list[Change] = field(default_factory=list)
    removed_outcomes: list[ReportedOutcome] = field(default_factory=list)
    unchanged_outcomes: dict[str, int] = field(default_factory=dict)
    events: dict[str, EventPlan] = field(default_factory=dict)  # Missing, Reviews, UASC, DoLo
    placement_areas: dict[str, str] = field(default_factory=dict)  # postcode -> area code
    absent_children: int = 0
    tables: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    def placement_area(self, pl_post: str) -> str:
        """The area a placement postcode is in, as the validator places it (the nation, for a
        placement in Wales, Scotland, Northern Ireland, the Channel Islands or the Isle of
        Man); the LA's own area when the postcode is blank or not in the directory."""
        return self.placement_areas.get(pl_post, self.area.code)

    @property
    def kept_events(self) -> list[str]:
        """The care-record event tables of the upload kept (DoLo only from its first year)."""
        return [
            t
            for t in EVENT_TABLES
            if t in self.tables and (t != "DoLo" or self.collection_year >= years.DOLO_FROM)
        ]

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.new_children
            or self.child_changes
            or self.nhs_numbers
            or self.new_episodes
            or self.episode_changes
            or self.removed_episodes
            or self.new_outcomes
            or self.outcome_changes
            or self.removed_outcomes
            or any(e.changes_anything for e in self.events.values())
        )

    def summary(self) -> dict[str, Any]:
        """What will change, per table, as the data officer reads it before confirming."""
        result: dict[str, Any] = {}
        if "Header" in self.tables:
            # A new child's NHS number is part of adding it, not a change.
            numbered = set(self.nhs_numbers) - {r.child for r in self.new_children}
            changed = {c.instance.la_child_id for c in self.child_changes} | numbered
            result["Header"] = {
                "added": len(self.new_children),
                "changed": len(changed),
                "unchanged": self.unchanged_children,
            }
        if "Episodes" in self.tables:
            result["Episodes"] = {
                "added": len(self.new_episodes),
                "changed": len(self.episode_changes),
                "removed": len(self.removed_episodes),
                "unchanged": self.unchanged_episodes,
            }
        for table in ("OC2", "OC3"):
            if table in self.tables:
                result[table] = {
                    "added": sum(1 for o in self.new_outcomes if o.table == table),
                    "changed": sum(1 for c in self.outcome_changes if c.instance.table == table),
                    "removed": sum(1 for o in self.removed_outcomes if o.table == table),
                    "unchanged": self.unchanged_outcomes.get(table, 0),
                }
        for table, events in self.events.items():
            result[table] = events.counts()
        result["not kept"] = [
            t
            for t in self.tables
            if t not in ("Header", "Episodes", "OC2", "OC3") and t not in self.kept_events
        ]
        result["absent children"] = self.absent_children
        return result


def plan_import(
    area: Area, collection_year: int, records: Records, tables: Iterable[str]
) -> ImportPlan:
    """Set the return's records against the record of `area`; no writes."""
    plan = ImportPlan(area, collection_year, tables=tuple(sorted(tables)))
    start, end = years.span(collection_year)
    existing = {
        c.la_child_id: c
        for c in Child.objects.filter(responsible_area=area, la_child_id__in=list(records.headers))
    }
    header_file = records.file_of.get("Header", "Header")
    _plan_children(plan, records, existing, header_file)
    if "Episodes" in plan.tables:
        _plan_episodes(plan, records, existing, start, end)
        in_year = Q(decom__lte=end) & (Q(dec__isnull=True) | Q(dec__gte=start))
        plan.absent_children = (
            Child.objects.filter(responsible_area=area)
            .exclude(la_child_id__in=list(records.headers))
            .filter(pk__in=Episode.objects.filter(in_year).values("child_id"))
            .count()
        )
    for table in ("OC2", "OC3"):
        if table in plan.tables:
            _plan_outcomes(plan, table, records)
    for table in EVENT_MODELS:
        if table in plan.kept_events:
            _plan_events(plan, table, records, start, end)
    return plan


def _differences(columns: list[str], before: list[str], after: list[str]) -> list[str]:
    return [c for c, b, a in zip(columns, before, after, strict=True) if b != a]


def _plan_children(
    plan: ImportPlan, records: Records, existing: dict[str, Child], header_file: str
) -> None:
    numbers_in_use = dict(
        Child.objects.exclude(nhs_number="")
        .filter(nhs_number__in=[h.nhs_number for h in records.headers.values() if h.nhs_number])
        .values_list("nhs_number", "la_child_id")
    )
    later = _latest_year_imported(plan.area)
    kept: list[HeaderRecord] = []
    for child_id, record in records.headers.items():
        child = existing.get(child_id)
        if record.nhs_number:
            _cross_check_nhs_number(plan, record, child, numbers_in_use, header_file)
        if child is None:
            plan.new_children.append(record)
            continue
        changed = _differences(HEADER, header_row(child_id, child), header_row(child_id, record))
        if changed and later > plan.collection_year:
            kept.append(record)  # a later year's return said otherwise: it stands
            plan.unchanged_children += child_id not in plan.nhs_numbers
        elif changed:
            fields = {HEADER_FIELDS[c]: getattr(record, HEADER_FIELDS[c]) for c in changed}
            plan.child_changes.append(Change(child, fields, record.row))
        elif child_id not in plan.nhs_numbers:
            plan.unchanged_children += 1
    if kept:
        first = kept[0]
        plan.problems.append(
            Problem(
                header_file,
                first.row,
                "",
                f"{len(kept)} {'child' if len(kept) == 1 else 'children'} (the first CHILD "
                f"{first.child}) {'has' if len(kept) == 1 else 'have'} details here that "
                f"differ from the {years.label(later)} return imported already: the later "
                "return's details are kept",
                blocking=False,
                code=checks.LATER_RETURN,
                child=first.child,
            )
        )


def _latest_year_imported(area: Area) -> int:
    """The latest collection year of the area's returns imported so far (0 if none)."""
    found = ImportAttempt.objects.filter(
        area=area, status__in=[ImportStatus.IMPORTED, ImportStatus.UNCHANGED]
    ).aggregate(latest=Max("collection_year"))["latest"]
    return found or 0


def _cross_check_nhs_number(
    plan: ImportPlan,
    record: HeaderRecord,
    child: Child | None,
    numbers_in_use: dict[str, str],
    header_file: str,
) -> None:
    holder = numbers_in_use.get(record.nhs_number)
    if child is not None and child.nhs_number and child.nhs_number != record.nhs_number:
        plan.problems.append(
            Problem(
                header_file,
                record.row,
                NHS_NUMBER_COLUMN,
                f"CHILD {record.child}: the file's NHS number {record.nhs_number} is not the "
                f"recorded {child.nhs_number}. Is this the same child? The record keeps "
                f"{child.nhs_number}.",
                blocking=False,
                code=checks.NHS_NUMBER,
                child=record.child,
            )
        )
    elif holder is not None and holder != record.child:
        plan.problems.append(
            Problem(
                header_file,
                record.row,
                NHS_NUMBER_COLUMN,
                f"CHILD {record.child}: NHS number {record.nhs_number} is recorded for another "
                f"child (CHILD {holder}); it is not recorded for this one.",
                blocking=False,
                code=checks.NHS_NUMBER,
                child=record.child,
            )
        )
    elif child is None or not child.nhs_number:
        plan.nhs_numbers[record.child] = record.nhs_number


def _plan_episodes(
    plan: ImportPlan,
    records: Records,
    existing: dict[str, Child],
    start: date,
    end: date,
) -> None:
    file_name = records.file_of["Episodes"]
    recorded: dict[int, list[Episode]] = {}
    for held in Episode.objects.filter(child__in=list(existing.values())).order_by("decom"):
        recorded.setdefault(held.child_id, []).append(held)
    postcodes: set[str] = set()
    for child_id in records.headers:
        incoming = records.episodes.get(child_id, [])
        child = existing.get(child_id)
        ours = recorded.get(child.pk, []) if child else []
        first = min([e.decom for e in incoming], default=start)
        last = max([end] + [e.decom for e in incoming])  # an extract may run past the year
        in_scope = [e for e in ours if e.decom <= last and _reaches(e.dec, start, first)]
        outside = [e for e in ours if e not in in_scope]
        after = [e.facts() for e in outside]
        by_start = {e.decom: e for e in in_scope}
        for record in incoming:
            episode = by_start.pop(record.decom, None)
            if episode is None:
                plan.new_episodes.append(record)
                after.append(record.facts())
                postcodes.add(record.pl_post)
                continue
            changed = _differences(
                EPISODES,
                episode_row(child_id, episode, end),
                episode_row(child_id, record, end),
            )
            fields = {EPISODE_FIELDS[c]: getattr(record, EPISODE_FIELDS[c]) for c in changed}
            after.append(_facts_after(episode, fields))
            if changed:
                plan.episode_changes.append(Change(episode, fields, record.row))
                if "pl_post" in fields:
                    postcodes.add(record.pl_post)
            else:
                plan.unchanged_episodes += 1
        plan.removed_episodes.extend(by_start.values())
        if not ours:
            continue  # a new child's episodes are the file's, checked as it was read
        # The whole history as it would be, the record's episodes outside the span and the
        # file's within it, must still follow the episode rules.
        after.sort(key=lambda f: f.decom)
        # The history may begin part-way through a period of care: the record began with a
        # return whose first episode for the child continued one before it, as the file's
        # own first episode may.
        for problem in rules.sequence_problems(after, continues_earlier_period=True):
            row = incoming[0].row if incoming else None
            plan.problems.append(
                Problem(
                    file_name,
                    row,
                    "DECOM, DEC",
                    f"CHILD {child_id}: with the episodes lachealth already holds, {problem}",
                    code=checks.HISTORY,
                    child=child_id,
                )
            )
    postcodes.discard("")
    found = {
        postcode: placement_area_code(code)
        for postcode, code in validator.areas_of_postcodes(postcodes).items()
    }
    known = set(Area.objects.filter(code__in=set(found.values())).values_list("code", flat=True))
    plan.placement_areas = {postcode: code for postcode, code in found.items() if code in known}


def _facts_after(episode: Episode, fields: dict[str, Any]) -> rules.EpisodeFacts:
    """An episode's facts once the file's changes are made."""
    changes = {k: v for k, v in fields.items() if k in FACT_FIELDS}
    if "rec" in changes:
        changes["rec"] = changes["rec"] or None
    return replace(episode.facts(), **changes)


def _reaches(dec: date | None, start: date, first: date) -> bool:
    """Whether an episode ending on `dec` falls in the span a return replaces: open, ending in
    the year, or ending after the file's first episode starts (an episode ending the day the
    next starts is the one before it)."""
    return dec is None or dec >= start or dec > first


def _plan_outcomes(plan: ImportPlan, table: str, records: Records) -> None:
    stored = {
        o.child_id: o
        for o in ReportedOutcome.objects.filter(
            child__responsible_area=plan.area, collection_year=plan.collection_year, table=table
        )
    }
    rows = records.outcomes.get(table, {})
    pks = dict(
        Child.objects.filter(responsible_area=plan.area, la_child_id__in=list(rows)).values_list(
            "la_child_id", "pk"
        )
    )
    seen: set[int] = set()
    unchanged = 0
    for child_id, record in rows.items():
        pk = pks.get(child_id)
        if pk is None and child_id not in records.headers:
            plan.problems.append(
                Problem(
                    records.file_of[table],
                    record.row,
                    "CHILD",
                    f"CHILD {child_id} is neither in Header nor in lachealth: this row is not kept",
                    blocking=False,
                    code=checks.UNKNOWN_CHILD,
                    child=child_id,
                )
            )
            continue
        outcome = stored.get(pk) if pk is not None else None
        if pk is not None:
            seen.add(pk)
        if outcome is None:
            plan.new_outcomes.append(record)
        elif outcome.values != record.values:
            plan.outcome_changes.append(Change(outcome, {"values": record.values}, record.row))
        else:
            unchanged += 1
    plan.removed_outcomes.extend(o for pk, o in stored.items() if pk not in seen)
    plan.unchanged_outcomes[table] = unchanged


def _differs(held: Any, record: EventRecord, end: date) -> bool:
    """Whether the file's row changes the record. A UASC status a later return ended (DUC after
    this year's end) is that return's to say, not this one's."""
    later = getattr(held, "ceased_on", None)
    if later is not None and later > end:
        return False
    return any(getattr(held, f) != v for f, v in record.values.items())


def _plan_events(plan: ImportPlan, table: str, records: Records, start: date, end: date) -> None:
    """A dated table replaces, for each child it or Header names, their rows dated in the year:
    one missing from the file is removed. A row of the file dated outside the year (an extract,
    or an order that began the year before) is added or updated, and nothing outside the year
    is removed. UASC sets each named child's status and removes none; an older year's return
    never undoes the date a later one gave (DUC after the year's end)."""
    model, date_field = EVENT_MODELS[table]
    rows = records.events.get(table, [])
    named = {r.child for r in rows} | (set(records.headers) if date_field else set())
    pks = dict(
        Child.objects.filter(responsible_area=plan.area, la_child_id__in=sorted(named)).values_list(
            "la_child_id", "pk"
        )
    )
    stored: dict[int, list[Any]] = {}
    for held in model.objects.filter(child_id__in=list(pks.values())):  # type: ignore[attr-defined]
        stored.setdefault(held.child_id, []).append(held)
    result = EventPlan()
    by_child: dict[str, list[EventRecord]] = {}
    for record in rows:
        if record.child not in pks and record.child not in records.headers:
            plan.problems.append(
                Problem(
                    records.file_of[table],
                    record.row,
                    "CHILD",
                    f"CHILD {record.child} is neither in Header nor in lachealth: this row is "
                    "not kept",
                    blocking=False,
                    code=checks.UNKNOWN_CHILD,
                    child=record.child,
                )
            )
            continue
        by_child.setdefault(record.child, []).append(record)
    for child_id in sorted(named):
        incoming = by_child.get(child_id, [])
        pk = pks.get(child_id)
        held = stored.get(pk, []) if pk is not None else []
        by_key = (
            {getattr(h, date_field): h for h in held}
            if date_field
            else {None: held[0]}
            if held
            else {}
        )
        for record in incoming:
            found = by_key.pop(record.key, None)
            if found is None:
                result.new.append(record)
            elif _differs(found, record, end):
                result.changes.append(Change(found, record.values, record.row))
            else:
                result.unchanged += 1
        if date_field:
            result.removed.extend(h for key, h in by_key.items() if key and start <= key <= end)
    plan.events[table] = result
