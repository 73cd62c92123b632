"""Importing an LA's SSDA903 return: check first, show, then write all of it or nothing.

`check_return` reads the upload, validates it with the DfE's rules (through the adapter) and
works out what would change; it writes only the import log (`ImportAttempt`, with the files
and their hashes), whatever the outcome. The returns page does the same in two steps, so
that no web worker waits on the DfE's rules: `receive_return` keeps the upload as an attempt
being checked, and `check_received` (run by `tasks.check_uploaded_return` in the background)
checks it from its stored files. `apply_import` then writes the change in one
transaction, in batches, once the data officer has accepted any warnings; it re-checks the
stored files first, so it imports exactly what was shown. Only an LA data officer of the LA
named in the return may do either, and every attempt writes an audit row with the hashes.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.deletion import Collector
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from lachealth.care import events
from lachealth.care.models import Child, Episode
from lachealth.people import access
from lachealth.people.audit import record
from lachealth.people.models import AccessAction, Area
from lachealth.versioning import create_versioned

from . import checks, validator, years
from .files import Problem, ReceivedFile, ReturnRefused, Table, read_tables, receive, with_hashes
from .models import ImportAttempt, ImportFile, ImportStatus, ReportedOutcome
from .plan import EVENT_MODELS, ImportPlan, plan_import
from .records import read_records

BATCH = 2000
#: What an attempt's summary says of the DfE's rules, beside what changes.
RULES_KEYS = ("ruleset", "rules not run", "what they check")
logger = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (what, how many more) for a progress bar


class ImportNotAllowed(Exception):
    """The import cannot go ahead as asked; the message says why and what to do."""


@dataclass
class Checked:
    attempt: ImportAttempt
    plan: ImportPlan | None


def require_return_access(user: Any, area: Area) -> None:
    if not access.can_exchange_return(user, area.code):
        raise PermissionDenied(
            f"Only a data officer of {area.name} can import or export its SSDA903 return"
        )


def check_return(
    *,
    by: Any,
    area: Area,
    collection_year: int,
    uploads: Iterable[tuple[str, bytes]],
    source: str = "web",
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Read, validate and plan an upload; keep the attempt, refused or ready to confirm.

    Every upload is kept in the import log, whatever becomes of it: if reading it stops on
    something lachealth did not foresee, the attempt is kept as failed before the error goes
    on to be shown as a server error."""
    require_return_access(by, area)
    uploads = list(uploads)
    attempt = _attempt(by, area, collection_year, uploads, source)
    return _check(attempt, uploads, request, progress)


def receive_return(
    *,
    by: Any,
    area: Area,
    collection_year: int,
    uploads: Iterable[tuple[str, bytes]],
    source: str = "web",
) -> ImportAttempt:
    """Keep an upload to be checked in the background: the attempt, being checked, with its
    files as uploaded (compressed, as a checked attempt keeps them)."""
    require_return_access(by, area)
    uploads = list(uploads)
    attempt = _attempt(by, area, collection_year, uploads, source)
    attempt.status = ImportStatus.CHECKING
    with transaction.atomic():
        attempt.save()
        _store(attempt, [ReceivedFile(name, content) for name, content in uploads])
    return attempt


def check_received(attempt: ImportAttempt, *, progress: Progress | None = None) -> Checked:
    """Check an attempt kept by `receive_return`, from its stored files, as `check_return`
    checks an upload: it ends refused, checked (its files kept as read) or failed."""
    if attempt.status != ImportStatus.CHECKING:
        raise ImportNotAllowed(f"This import is {attempt.get_status_display().lower()} already")
    require_return_access(attempt.uploaded_by, attempt.area)
    uploads = [(f.name, f.content) for f in attempt.stored.order_by("pk")]
    return _check(attempt, uploads, None, progress)


def fail_check(attempt: ImportAttempt, error: BaseException, names: list[str]) -> None:
    """Keep an attempt whose check stopped on something unforeseen as failed, nothing written."""
    _failed_reading(attempt, names, error, None)


def stop_check(attempt: ImportAttempt, why: str) -> None:
    """Keep an attempt whose check cannot be trusted to run now as failed, saying why."""
    attempt.status = ImportStatus.FAILED
    attempt.finished_at = timezone.now()
    attempt.message = f"Failed, nothing was written: {why}. Upload the return again."
    _keep(attempt)
    _audit(attempt, None, "failed")


def _attempt(
    by: Any, area: Area, collection_year: int, uploads: list[tuple[str, bytes]], source: str
) -> ImportAttempt:
    return ImportAttempt(
        area=area,
        collection_year=collection_year,
        uploaded_by=by,
        source=source,
        files=[
            {"name": n, "sha256": ReceivedFile(n, c).sha256, "bytes": len(c), "table": ""}
            for n, c in uploads
        ],
    )


def _check(
    attempt: ImportAttempt,
    uploads: list[tuple[str, bytes]],
    request: HttpRequest | None,
    progress: Progress | None,
) -> Checked:
    try:
        received, problems, plan = _read(attempt, uploads, progress)
    except ReturnRefused as refused:
        return Checked(_refuse(attempt, refused.problems, request), None)
    except Exception as error:
        _failed_reading(attempt, [name for name, _ in uploads], error, request)
        raise
    if any(p.blocking for p in problems):
        return Checked(_refuse(attempt, problems, request), None)
    attempt.problems = [asdict(p) for p in problems]
    attempt.status = ImportStatus.CHECKED
    _keep(attempt, received)
    _audit(attempt, request, "checked")
    return Checked(attempt, plan)


def _read(
    attempt: ImportAttempt, uploads: list[tuple[str, bytes]], progress: Progress | None
) -> tuple[list[ReceivedFile], list[Problem], ImportPlan | None]:
    """The upload's files, every problem found in them, and the plan if none blocks it;
    the attempt is given the files as received and the summary. Raises ReturnRefused."""
    area, collection_year = attempt.area, attempt.collection_year
    received = receive(uploads)
    tables, problems = read_tables(received)
    table_of = {t.file: name for name, t in tables.items()}
    attempt.files = [
        {
            "name": f.name,
            "sha256": f.sha256,
            "bytes": len(f.content),
            "table": table_of.get(f.name, ""),
        }
        for f in received
    ]
    if progress:
        progress("files", len(received))
    # One round: lachealth's checks and the DfE's rules run over every table that could be
    # read, so the data officer sees every problem at once.
    records = read_records(tables, collection_year, some_unread=len(tables) < len(received))
    said = {(p.file, p.row, p.column) for p in problems}  # one problem per cell
    found = records.problems + records.warnings
    problems += [p for p in found if (p.file, p.row, p.column) not in said]
    plan = None
    if tables:
        if progress:
            progress("rows", sum(len(t.rows) for t in tables.values()))
        result = _validate(tables, area, collection_year)
        problems += result.problems
        attempt.summary = result.summary
    if tables and not any(p.blocking for p in problems):
        if progress:
            progress("plan", 0)
        plan = plan_import(area, collection_year, records, tables)
        problems += plan.problems
        attempt.summary = plan.summary() | attempt.summary
    if progress:
        progress("problems", len(problems))
    return received, problems, plan


@dataclass
class _Rules:
    problems: list[Problem]
    summary: dict[str, Any]


def _validate(tables: dict[str, Table], area: Area, collection_year: int) -> _Rules:
    """The DfE's rules over the tables, as warnings, and which rules ran. The validator is
    another team's code: if it stops, that is a warning, never a failed upload."""
    try:
        result = validator.validate(
            {t.file: t.content for t in tables.values()},
            local_authority=area.code,
            collection_year=collection_year,
        )
    except Exception as error:  # noqa: BLE001 (any fault of the validator's)
        logger.exception("The SSDA903 validator stopped on a return of %s", area.code)
        problem = Problem(
            "the return",
            None,
            "",
            f"The DfE's rules could not be run on this return: the validator stopped "
            f"({type(error).__name__}). lachealth's own checks ran. Check the return with the "
            "DfE's own tool before you import it.",
            blocking=False,
            code=checks.RULES,
        )
        return _Rules([problem], {"ruleset": None, "rules not run": ["all"]})
    problems = [
        Problem(
            tables[f.table].file if f.table in tables else f.table,
            f.row,
            ", ".join(f.columns),
            f.message,
            blocking=False,
            code=f.rule,
            child=f.child,
        )
        for f in result.findings
    ]
    summary = {
        "ruleset": result.ruleset,
        "rules not run": result.not_run,
        "what they check": {code: result.rule_messages.get(code, "") for code in result.not_run},
    }
    return _Rules(problems, summary)


def ruleset_note(collection_year: int, ruleset: int | None) -> str:
    """What the data officer is told when the year's own rules were not the ones run."""
    if ruleset is None or ruleset == collection_year:
        return ""
    which = "earliest" if ruleset > collection_year else "latest"
    return (
        f"The DfE validator has no rules for {years.label(collection_year)}: this return was "
        f"checked with the {which} it has, those of {years.label(ruleset)}. A rule that "
        "changed between those years may report what was right at the time, or miss what "
        "was wrong."
    )


def not_run_note(summary: dict[str, Any]) -> str:
    """The DfE rules that could not run, in words: the validator stopped on them."""
    codes = [c for c in summary.get("rules not run", []) if c != "all"]
    if not codes:
        return ""
    said = "; ".join(
        f"{code} ({summary.get('what they check', {}).get(code, '').strip().rstrip('.')})"
        if summary.get("what they check", {}).get(code)
        else code
        for code in codes
    )
    one = len(codes) == 1
    return (
        f"{'One of the DfE rules' if one else f'{len(codes)} of the DfE rules'} could not be "
        f"run on this return: the validator stopped on {'it' if one else 'them'}, a fault in "
        "the validator rather than in your return, so "
        f"{'it has' if one else 'they have'} neither passed nor failed. Check by hand: "
        f"{said}."
    )


def _refuse(
    attempt: ImportAttempt,
    problems: list[Problem],
    request: HttpRequest | None,
) -> ImportAttempt:
    attempt.status = ImportStatus.REFUSED
    attempt.problems = [asdict(p) for p in problems]
    attempt.finished_at = timezone.now()
    blocking = sum(1 for p in problems if p.blocking)
    attempt.message = f"Refused: {blocking} problem{'s' if blocking != 1 else ''} to put right"
    _keep(attempt)
    _audit(attempt, request, "refused")
    return attempt


def _failed_reading(
    attempt: ImportAttempt,
    names: list[str],
    error: BaseException,
    request: HttpRequest | None,
) -> None:
    """Keep an upload that lachealth stopped on as failed, naming its files and the kind of
    error (not its text, which may quote the return)."""
    attempt.status = ImportStatus.FAILED
    attempt.finished_at = timezone.now()
    attempt.message = (
        f"Failed, nothing was written: lachealth stopped reading "
        f"{', '.join(names) or 'the upload'} ({type(error).__name__}). Tell the service desk "
        "the time of the upload."
    )
    _keep(attempt)
    _audit(attempt, request, "failed")


def _keep(attempt: ImportAttempt, received: list[ReceivedFile] | None = None) -> None:
    """Save the attempt's outcome with the files it keeps: those read, for a checked one
    to import; none for a refused or failed one (only their names and hashes)."""
    with transaction.atomic():
        attempt.save()
        ImportFile.objects.filter(attempt=attempt).delete()
        if received:
            _store(attempt, received)


def _store(attempt: ImportAttempt, received: list[ReceivedFile]) -> None:
    ImportFile.objects.bulk_create(
        ImportFile(
            attempt=attempt, name=f.name, sha256=f.sha256, compressed=zlib.compress(f.content)
        )
        for f in received
    )


def _audit(attempt: ImportAttempt, request: HttpRequest | None, outcome: str) -> None:
    """One audit row per step of an import, naming the files it received by their hashes."""
    hashes = with_hashes((f["name"], f["sha256"]) for f in attempt.files)
    record(
        request,
        AccessAction.IMPORT,
        user=attempt.uploaded_by,
        detail=f"SSDA903 import {attempt.pk} {attempt.area_id} {attempt.collection_year}: "
        f"{outcome}; {hashes}",
    )


def cancel_import(attempt: ImportAttempt, *, by: Any) -> None:
    require_return_access(by, attempt.area)
    if attempt.status != ImportStatus.CHECKED:
        raise ImportNotAllowed("Only a checked import that is waiting can be cancelled")
    attempt.status = ImportStatus.CANCELLED
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["status", "finished_at"])
    ImportFile.objects.filter(attempt=attempt).delete()


def apply_import(
    attempt: ImportAttempt,
    *,
    by: Any,
    accept_warnings: bool,
    plan: ImportPlan | None = None,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
    as_of: date | None = None,
) -> ImportAttempt:
    """Write what the check found, all of it or nothing. Warnings must be accepted first.

    The care events it writes are announced (`care.events`) as recorded on `as_of` (today)."""
    require_return_access(by, attempt.area)
    if attempt.status == ImportStatus.CHECKING:
        raise ImportNotAllowed("This return is still being checked: import it once it is checked")
    if attempt.status != ImportStatus.CHECKED:
        raise ImportNotAllowed(
            f"This import is {attempt.get_status_display().lower()}: upload the return again"
        )
    warnings = attempt.warnings
    if warnings and not accept_warnings:
        raise ImportNotAllowed(
            f"The return has {len(warnings)} warning{'s' if len(warnings) != 1 else ''}: "
            "read them and accept them to import"
        )
    if plan is None:
        plan = _replan(attempt)
    try:
        with transaction.atomic():
            counts = _write(plan, attempt, by, progress, as_of or timezone.localdate())
            attempt.status = (
                ImportStatus.IMPORTED if plan.changes_anything else ImportStatus.UNCHANGED
            )
            attempt.accepted_warnings = sorted({w["code"] for w in warnings})
            attempt.accepted_by = by if warnings else None
            attempt.finished_at = timezone.now()
            attempt.message = counts
            attempt.save()
            ImportFile.objects.filter(attempt=attempt).delete()
    except Exception as error:
        ImportAttempt.objects.filter(pk=attempt.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=f"Failed, nothing was written: {error}",
        )
        attempt.refresh_from_db()
        _audit(attempt, request, "failed")
        raise
    _audit(attempt, request, attempt.status)
    return attempt


def _replan(attempt: ImportAttempt) -> ImportPlan:
    """Plan again from the stored files; refuse if the record changed since the check."""
    received = [ReceivedFile(f.name, f.content) for f in attempt.stored.order_by("pk")]
    tables, problems = read_tables(received)
    records = read_records(tables, attempt.collection_year)
    if any(p.blocking for p in problems + records.problems):
        raise ImportNotAllowed(
            "This return no longer reads as it did when it was checked (lachealth's checks "
            "have changed since): upload it again"
        )
    plan = plan_import(attempt.area, attempt.collection_year, records, tables)
    rules = {k: attempt.summary[k] for k in RULES_KEYS if k in attempt.summary}
    summary = plan.summary() | rules
    if summary != attempt.summary:
        attempt.summary = summary
        attempt.save(update_fields=["summary"])
        raise ImportNotAllowed(
            "The record changed since this return was checked: read what will change now, "
            "and confirm again"
        )
    return plan


def _write(
    plan: ImportPlan, attempt: ImportAttempt, by: Any, progress: Progress | None, as_of: date
) -> str:
    reason = f"SSDA903 import {attempt.pk}"
    history = {"default_user": by, "default_change_reason": reason}
    area = plan.area
    # A new child's only episodes are new ones: mirror the open one onto the child as it is
    # written, so its first version is already right; the others are synced after.
    open_area = {
        r.child: plan.placement_area(r.pl_post) for r in plan.new_episodes if r.dec is None
    }
    new_children = [
        Child(
            la_child_id=r.child,
            date_of_birth=r.date_of_birth,
            sex=r.sex,
            ethnicity=r.ethnicity,
            upn=r.upn,
            mother=r.mother,
            mother_child_dob=r.mother_child_dob,
            nhs_number=plan.nhs_numbers.get(r.child, ""),
            responsible_area=area,
            looked_after=r.child in open_area,
            current_placement_area_id=open_area.get(r.child),
        )
        for r in plan.new_children
    ]
    create_versioned(new_children, Child, by=by, reason=reason)
    _tick(progress, "children", len(new_children))
    needed = {r.child for r in plan.new_children} | set(plan.nhs_numbers)
    needed |= {r.child for r in plan.new_episodes} | {o.child for o in plan.new_outcomes}
    needed |= {r.child for events in plan.events.values() for r in events.new}
    ids = dict(
        Child.objects.filter(responsible_area=area, la_child_id__in=sorted(needed)).values_list(
            "la_child_id", "pk"
        )
    )
    _update_children(plan, ids, history)
    _delete_versioned(plan.removed_episodes, Episode, by, reason)
    _update_episodes(plan, history)
    _tick(progress, "episodes", len(plan.removed_episodes) + len(plan.episode_changes))
    new_episodes = [
        Episode(
            child_id=ids[r.child],
            decom=r.decom,
            rne=r.rne,
            ls=r.ls,
            cin=r.cin,
            place=r.place,
            place_provider=r.place_provider,
            dec=r.dec,
            rec=r.rec,
            reason_place_change=r.reason_place_change,
            home_post=r.home_post,
            pl_post=r.pl_post,
            urn=r.urn,
            placement_area_id=plan.placement_area(r.pl_post),
        )
        for r in plan.new_episodes
    ]
    for start in range(0, len(new_episodes), BATCH):
        batch = new_episodes[start : start + BATCH]
        create_versioned(batch, Episode, by=by, reason=reason)
        _tick(progress, "episodes", len(batch))
    touched = {e.child_id for e in new_episodes} | {
        c.instance.child_id for c in plan.episode_changes
    }
    touched |= {e.child_id for e in plan.removed_episodes}
    _sync_children(touched - {c.pk for c in new_children})
    events.announce(touched, by=by, as_of=as_of)
    _write_outcomes(plan, attempt, ids)
    _write_events(plan, ids, by, reason, history)
    _tick(progress, "rows", sum(len(e.new) + len(e.changes) for e in plan.events.values()))
    return _describe(plan)


def _tick(progress: Progress | None, what: str, count: int) -> None:
    if progress and count:
        progress(what, count)


def _update_children(plan: ImportPlan, ids: dict[str, int], history: dict[str, Any]) -> None:
    changed: dict[int, Child] = {}
    fields: set[str] = set()
    for change in plan.child_changes:
        child = change.instance
        for name, value in change.fields.items():
            setattr(child, name, value)
        fields |= set(change.fields)
        changed[child.pk] = child
    numbers = {ids[c]: n for c, n in plan.nhs_numbers.items() if c in ids}
    new_pks = {ids[r.child] for r in plan.new_children if r.child in ids}
    to_number = {pk: n for pk, n in numbers.items() if pk not in new_pks}
    if to_number:
        for child in Child.objects.filter(pk__in=[pk for pk in to_number if pk not in changed]):
            changed[child.pk] = child
        for pk, number in to_number.items():
            changed[pk].nhs_number = number
        fields.add("nhs_number")
    if changed:
        bulk_update_with_history(
            list(changed.values()), Child, sorted(fields), batch_size=BATCH, **history
        )


def _update_episodes(plan: ImportPlan, history: dict[str, Any]) -> None:
    def placed(episode: Any, fields: dict[str, Any]) -> set[str]:
        if "pl_post" not in fields:
            return set()
        episode.placement_area_id = plan.placement_area(episode.pl_post)
        return {"placement_area"}

    _update_versioned(plan.episode_changes, Episode, history, also=placed)


def _delete_versioned(instances: list[Any], model: Any, by: Any, reason: str) -> None:
    """Delete these very instances in one batch: their signals write each removal's history,
    with who removed it and why."""
    for instance in instances:
        instance._history_user = by
        instance._change_reason = reason
    collector = Collector(using=model.objects.db)
    collector.collect(instances)
    collector.delete()


def _update_versioned(
    changes: list[Any],
    model: Any,
    history: dict[str, Any],
    also: Callable[[Any, dict[str, Any]], set[str]] | None = None,
) -> None:
    """Make each change's field changes and save them, with a version each, in batches.
    `also` sets what follows from a change and names the fields it set."""
    fields: set[str] = set()
    for change in changes:
        for name, value in change.fields.items():
            setattr(change.instance, name, value)
        fields |= set(change.fields) | (also(change.instance, change.fields) if also else set())
    if changes:
        bulk_update_with_history(
            [c.instance for c in changes], model, sorted(fields), batch_size=BATCH, **history
        )


def _sync_children(child_pks: set[int]) -> None:
    """Mirror each touched child's open episode onto it, as the care services do, in one
    set-based UPDATE (the access policy filters on these two fields)."""
    if not child_pks:
        return
    open_episode = Episode.objects.filter(child_id=OuterRef("pk"), dec__isnull=True)
    for start in range(0, len(child_pks), BATCH):
        batch = sorted(child_pks)[start : start + BATCH]
        Child.objects.filter(pk__in=batch).update(
            looked_after=Exists(open_episode),
            current_placement_area=Subquery(open_episode.values("placement_area")[:1]),
        )


def _write_events(
    plan: ImportPlan, ids: dict[str, int], by: Any, reason: str, history: dict[str, Any]
) -> None:
    """Missing, Reviews, UASC and DoLo rows, each change versioned with who made it and why."""
    for table, planned in plan.events.items():
        model, _ = EVENT_MODELS[table]
        _delete_versioned(planned.removed, model, by, reason)
        _update_versioned(planned.changes, model, history)
        new = [model(child_id=ids[r.child], **r.values) for r in planned.new]
        for start in range(0, len(new), BATCH):
            create_versioned(new[start : start + BATCH], model, by=by, reason=reason)


def _write_outcomes(plan: ImportPlan, attempt: ImportAttempt, children: dict[str, int]) -> None:
    ReportedOutcome.objects.filter(pk__in=[o.pk for o in plan.removed_outcomes]).delete()
    for change in plan.outcome_changes:
        change.instance.values = change.fields["values"]
        change.instance.imported = attempt
    ReportedOutcome.objects.bulk_update(
        [c.instance for c in plan.outcome_changes], ["values", "imported"], batch_size=BATCH
    )
    ReportedOutcome.objects.bulk_create(
        [
            ReportedOutcome(
                child_id=children[o.child],
                collection_year=plan.collection_year,
                table=o.table,
                values=o.values,
                imported=attempt,
            )
            for o in plan.new_outcomes
        ],
        batch_size=BATCH,
    )


def _describe(plan: ImportPlan) -> str:
    if not plan.changes_anything:
        return "Nothing to change: the record already says what the return says"
    parts = []
    for table, counts in plan.summary().items():
        if isinstance(counts, dict):
            said = ", ".join(
                f"{n} {what}" for what, n in counts.items() if n and what != "unchanged"
            )
            if said:
                parts.append(f"{table}: {said}")
    return "Imported. " + "; ".join(parts)
