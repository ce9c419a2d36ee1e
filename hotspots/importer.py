"""Importing an events file into the kernel's `Incident` table: streamed, batched, idempotent, resumable.

* Streamed: `forecast.events.iter_batches` reads the file a batch at a time (never the whole file), placement
  on the grid is one vectorised call per batch (`Grid.locate_many`), and each batch is one transaction of
  multi-row inserts (`hotspots.incident_store`).
* Idempotent by event_id: a row whose id is stored already is counted as `existing` and left alone, so
  importing a file twice adds nothing.
* Resumable: each batch's transaction also moves the run's `last_line` on, so a run a crash interrupted
  continues after its last written batch (the same file, by content, resumes its unfinished run).
* Every bad row is named (line number and reason) and skipped: handed to `on_bad_row` as it is found, counted,
  and the first `KEPT_BAD_ROWS` of a run are kept for the admin's page.

Which new incidents publish `incident.recorded`: only those that may call for action now, i.e. whose kind has
an escalation rule (with its least severity) and that happened within the rules' recent window. A historical
import of a million rows publishes nothing, so the outbox is not flooded with events nobody needs to react to
one by one; the forecast and the risk levels read the table itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.city.grid import Grid
from bot.city.models import Incident
from bot.clock import Clock
from forecast.events import BadRow, Event, EventBatch, EventsFileError, Reason, iter_batches
from hotspots.escalation import EscalationRules
from hotspots.incident_store import IncidentRow, bulk_load, insert_new
from hotspots.incidents import publish_recorded
from hotspots.models import ImportBadRow, ImportRun, ImportState
from hotspots.states import IMPORTS, SYSTEM

KEPT_BAD_ROWS = 1000
#: Dates this far ahead of now are typos, not clocks a little fast.
FUTURE_TOLERANCE = timedelta(days=1)
IMPORT_SOURCE = "import:"
#: Rows per transaction. Each commit rewrites every index page its rows touched (and the incident table has six
#: indexes, over random dates and cells): fewer, larger commits write far less. 50,000 rows are ~40 MB in
#: memory while read, placed and written, and what a crash makes the resumed run read again.
IMPORT_BATCH_ROWS = 50_000
#: The cyclic garbage collector's first threshold while importing. An import allocates millions of objects
#: (fields, events, rows) and frees them in batches, none in cycles; at Python's default (700) the collector
#: walks the batches in flight again and again, a third of the import's CPU time.
IMPORT_GC_THRESHOLD = 100_000

BadRowSink = Callable[[BadRow], None]


@dataclass(frozen=True)
class ImportRules:
    grid: Grid
    zone: ZoneInfo  #: occurred_at without a zone is the city's local time
    escalation: EscalationRules
    clock: Clock
    batch_rows: int = IMPORT_BATCH_ROWS


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def start_run(path: Path, file_name: str, *, actor: str, now: datetime, queued: bool = False) -> ImportRun:
    """The unfinished run of this same file (to resume), or a new one."""
    sha256 = await asyncio.to_thread(file_sha256, path)  # a large file takes a moment: not on the event loop
    unfinished = await ImportRun.filter(sha256=sha256, state__in=[ImportState.RUNNING, ImportState.QUEUED]).first()
    if unfinished is not None:
        return unfinished
    run = await ImportRun.create(
        file_name=file_name[:128],
        path=str(await asyncio.to_thread(path.resolve)),
        sha256=sha256,
        state=ImportState.QUEUED if queued else ImportState.RUNNING,
        started_by=actor,
        created_at=now,
    )
    await IMPORTS.born(run, actor=actor, now=now, why=file_name[:100])
    return run


@dataclass(frozen=True)
class _Prepared:
    """A batch read and placed, ready to write: the rows to insert, those among them that may call for a
    warning (by event_id) and the bad rows."""

    rows: list[IncidentRow]
    warn_if_added: list[str]
    bad_rows: list[BadRow]
    last_line: int
    now: datetime


class _Reader:
    """Reads and places the file's batches; `next` runs in a thread while the previous batch is written (the
    parsing holds the GIL, SQLite's and asyncpg's work does not: on two cores the two overlap)."""

    def __init__(self, run: ImportRun, rules: ImportRules) -> None:
        self.batches = iter_batches(run.path, batch_rows=rules.batch_rows, after_line=run.last_line)
        self.rules, self.source = rules, IMPORT_SOURCE + run.file_name

    def next(self) -> _Prepared | None:
        batch = next(self.batches, None)
        if batch is None:
            return None
        now = self.rules.clock()
        events, aware, bad_rows = _split_future(batch, now, self.rules.zone)
        rows = _rows(events, aware, self.rules.grid, self.source, now)
        escalation = self.rules.escalation
        warn_if_added = [
            event.event_id
            for event, at in zip(events, aware, strict=True)
            if event.kind is not None  # most imports name no kind: no rule to look up
            and escalation.for_incident(event.kind, event.severity) is not None
            and escalation.is_recent(at, now)
        ]
        return _Prepared(rows, warn_if_added, bad_rows, batch.last_line, now)


async def run_import(run_id: int, rules: ImportRules, on_bad_row: BadRowSink | None = None) -> ImportRun:
    """Import (or resume) the run's file; returns the run as it ends (done, or failed with its error)."""
    run = await ImportRun.get(id=run_id)
    if run.state == ImportState.QUEUED:
        await IMPORTS.move(run.id, ImportState.RUNNING, actor=SYSTEM, now=rules.clock())
    elif run.state != ImportState.RUNNING:
        return run
    with _collecting_less():
        async with bulk_load(Incident._meta.db):
            error = await _read_and_write(run, _Reader(run, rules), on_bad_row)
    if error is not None:
        return await _fail(run, error, rules.clock())
    return await _finish(run, rules.clock())


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """The collector runs rarely while the import runs, then as it did (the worker's other jobs share it)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


async def _read_and_write(run: ImportRun, reader: _Reader, on_bad_row: BadRowSink | None) -> str | None:
    """Every batch left, the next one read while this one is written; why the file could not be read, if so."""
    reading = asyncio.ensure_future(asyncio.to_thread(reader.next))
    try:
        while True:
            try:  # only reading the file: anything else that fails (the database, the printer) stops the run as is
                prepared = await reading
            except (OSError, EventsFileError, UnicodeDecodeError) as error:
                return str(error)
            if prepared is None:
                return None
            reading = asyncio.ensure_future(asyncio.to_thread(reader.next))
            await _write_batch(run, prepared, on_bad_row)
    finally:
        if not reading.done():  # a write failed: let the read in flight finish before the file is closed
            with contextlib.suppress(Exception):
                await reading


async def _finish(run: ImportRun, now: datetime) -> ImportRun:
    async with in_transaction():
        await IMPORTS.move(run.id, ImportState.DONE, actor=SYSTEM, now=now, finished_at=now)
        await record(
            run.started_by,
            EventTag.INCIDENT_IMPORT,
            now=now,
            run=run.id,
            file=run.file_name,
            added=run.added,
            existing=run.existing,
            bad=run.bad,
            warnings=run.warnings,
        )
    return await ImportRun.get(id=run.id)


async def _fail(run: ImportRun, error: str, now: datetime) -> ImportRun:
    """The file cannot be read (any more): the run ends failed, with the reason; what was written stays."""
    await IMPORTS.move(
        run.id, ImportState.FAILED, actor=SYSTEM, now=now, why=error[:200], error=error[:200], finished_at=now
    )
    return await ImportRun.get(id=run.id)


def _split_future(batch: EventBatch, now: datetime, zone: ZoneInfo) -> tuple[list[Event], list[datetime], list[BadRow]]:
    """The batch's events that did not happen in the future, with their aware times; the bad rows, in order."""
    latest = now + FUTURE_TOLERANCE
    good, aware, bad = [], [], list(batch.bad_rows)
    for event in batch.events:
        occurred_at = event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=zone)
        if occurred_at > latest:
            bad.append(BadRow(event.line, Reason.FUTURE_DATE, event.occurred_at.isoformat()))
        else:
            good.append(event)
            aware.append(occurred_at)
    bad.sort(key=lambda row: row.line)
    return good, aware, bad


def _rows(events: list[Event], aware: list[datetime], grid: Grid, source: str, now: datetime) -> list[IncidentRow]:
    places = grid.locate_many([e.lat for e in events], [e.lon for e in events])
    return [
        (e.event_id, source, at, e.lat, e.lon, e.category, e.outcome, e.severity, e.kind, "",
         where.district, where.street, where.cell, SYSTEM, now)
        for e, at, where in zip(events, aware, places, strict=True)
    ]  # fmt: skip


async def _write_batch(run: ImportRun, batch: _Prepared, on_bad_row: BadRowSink | None) -> None:
    """One transaction: the batch's new incidents, its bad rows, the events for warnings, the run's progress."""
    now = batch.now
    for bad in batch.bad_rows:
        if on_bad_row is not None:
            on_bad_row(bad)
    async with in_transaction() as connection:
        added, warnings = await insert_new(connection, batch.rows, batch.warn_if_added)
        for incident_id in warnings.values():
            await publish_recorded(incident_id, actor=SYSTEM, now=now)
        room = max(0, KEPT_BAD_ROWS - run.bad)
        if room and batch.bad_rows:
            await ImportBadRow.bulk_create(
                [
                    ImportBadRow(run_id=run.id, line=b.line, reason=b.reason.value, value=b.value[:64])
                    for b in batch.bad_rows[:room]
                ]
            )
        run.last_line = batch.last_line
        run.added += added
        run.existing += len(batch.rows) - added
        run.bad += len(batch.bad_rows)
        run.warnings += len(warnings)
        run.progress_at = now
        await run.save(update_fields=["last_line", "added", "existing", "bad", "warnings", "progress_at"])
