"""Importing an events file as incidents: good rows kept, every bad line named, twice adds nothing, resumable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.city.models import Incident
from bot.events import DomainEvent, EventKind
from forecast.events import BadRow, Reason
from hotspots.escalation import EscalationRules
from hotspots.importer import ImportRules, run_import, start_run
from hotspots.models import ImportBadRow, ImportRun, ImportState
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The clock fixture says 2026-11-23 10:00 in Shanghai; line 8's fire happened 14 hours before, line 2's alarm
# three weeks before (history: no warning).
MIXED = """\
event_id,occurred_at,lat,lon,category,outcome,severity,kind
f1,2026-11-01T08:00:00,31.2304,121.4737,fire,confirmed,4,fire_alarm
f2,2026-11-02,,121.47,fire,confirmed,,
f3,2026-11-31,31.23,121.47,fire,confirmed,,
f1,2026-11-03,31.23,121.47,fire,confirmed,,
f4,2026-11-03,95.0,121.47,fire,confirmed,,
f5,2026-11-03,31.23,121.47,fire,confirmed,12,
f6,2026-11-22T20:00:00,31.245,121.44,fire,confirmed,5,fire
f7,2027-03-01,31.23,121.47,fire,confirmed,,
f8,2026-10-15,31.215,121.465,rubbish,open,,
"""
BAD_LINES = [
    (3, Reason.MISSING_COORDINATES),
    (4, Reason.BAD_DATE),
    (5, Reason.DUPLICATE_EVENT_ID),
    (6, Reason.LAT_OUT_OF_RANGE),
    (7, Reason.SEVERITY_OUT_OF_RANGE),
    (9, Reason.FUTURE_DATE),
]


def rules(clock: FrozenClock, batch_rows: int = 5000) -> ImportRules:
    return ImportRules(DEMO_GRID, SHANGHAI, EscalationRules.from_file(None), clock, batch_rows=batch_rows)


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "brigade.csv"
    path.write_text(MIXED, encoding="utf-8")
    return path


async def import_file(path: Path, clock: FrozenClock) -> tuple[ImportRun, list[BadRow]]:
    said: list[BadRow] = []
    run = await start_run(path, path.name, actor="system:test", now=clock())
    return await run_import(run.id, rules(clock), on_bad_row=said.append), said


async def test_good_rows_are_imported_and_each_bad_line_named(orm: None, clock: FrozenClock, mixed_file: Path) -> None:
    run, said = await import_file(mixed_file, clock)
    assert [(bad.line, bad.reason) for bad in said] == BAD_LINES
    assert (run.state, run.added, run.existing, run.bad, run.last_line) == (ImportState.DONE, 3, 0, 6, 10)
    assert sorted(str(e) for e in await Incident.all().values_list("event_id", flat=True)) == ["f1", "f6", "f8"]
    stored = await ImportBadRow.filter(run_id=run.id).order_by("line").values_list("line", "reason")
    assert [(line, Reason(reason)) for line, reason in stored] == BAD_LINES


async def test_importing_the_same_file_again_adds_nothing(orm: None, clock: FrozenClock, mixed_file: Path) -> None:
    await import_file(mixed_file, clock)
    again, said = await import_file(mixed_file, clock)
    assert (again.added, again.existing, again.bad) == (0, 3, 6) and len(said) == 6
    assert await Incident.all().count() == 3


async def test_incidents_are_placed_and_local_times_stored_in_utc(
    orm: None, clock: FrozenClock, mixed_file: Path
) -> None:
    await import_file(mixed_file, clock)
    alarm = await Incident.get(event_id="f1")
    assert (alarm.area, alarm.street, alarm.cell) == ("huangpu", "huangpu-yuyuan", "huangpu-0402")
    assert alarm.occurred_at == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert (alarm.kind, alarm.severity, alarm.source) == ("fire_alarm", 4.0, "import:brigade.csv")
    assert (await Incident.get(event_id="f8")).outcome == "open"


async def test_a_time_range_in_utc_finds_incidents_imported_in_local_time(
    orm: None, clock: FrozenClock, tmp_path: Path
) -> None:
    """07:30 in Shanghai on 1 November is 23:30 UTC on 31 October: before UTC midnight, for the database too."""
    path = tmp_path / "early.csv"
    path.write_text(
        "event_id,occurred_at,lat,lon,category,outcome\n"
        "early,2026-11-01T07:30:00,31.2304,121.4737,fire,confirmed\n"
        "late,2026-11-01T08:30:00,31.2304,121.4737,fire,confirmed\n"
    )
    await import_file(path, clock)
    midnight_utc = datetime(2026, 11, 1, tzinfo=UTC)
    before = [incident.event_id for incident in await Incident.filter(occurred_at__lt=midnight_utc)]
    after = [incident.event_id for incident in await Incident.filter(occurred_at__gte=midnight_utc)]
    assert (before, after) == (["early"], ["late"])


async def test_importing_again_passes_no_incident_on_for_a_warning_twice(
    orm: None, clock: FrozenClock, mixed_file: Path
) -> None:
    await import_file(mixed_file, clock)
    again, _ = await import_file(mixed_file, clock)
    assert again.warnings == 0
    assert await DomainEvent.filter(kind=EventKind.INCIDENT_RECORDED).count() == 1


async def test_only_recent_incidents_of_an_escalating_kind_are_published(
    orm: None, clock: FrozenClock, mixed_file: Path
) -> None:
    """The fire of last night calls for a warning; the alarm of three weeks ago and the rubbish do not."""
    run, _ = await import_file(mixed_file, clock)
    fire = await Incident.get(event_id="f6")
    events = await DomainEvent.filter(kind=EventKind.INCIDENT_RECORDED)
    assert [event.payload for event in events] == [{"incident_id": fire.id}] and run.warnings == 1


async def test_an_interrupted_import_resumes_after_its_last_written_batch(
    orm: None, clock: FrozenClock, tmp_path: Path
) -> None:
    """The process dies in the second batch (here: the bad-row printer fails); the next start continues."""
    lines = [f"e{n},2026-11-0{1 + n % 9},31.2304,121.4737,fire,confirmed," for n in range(25)]
    lines[13] = "e13,2026-11-05,,121.4737,fire,confirmed,"  # file line 15, in the second batch of ten
    path = tmp_path / "big.csv"
    path.write_text("event_id,occurred_at,lat,lon,category,outcome,severity\n" + "\n".join(lines) + "\n")

    def dies(_: BadRow) -> None:
        raise BrokenPipeError("the terminal went away")

    first = await start_run(path, path.name, actor="system:test", now=clock())
    with pytest.raises(BrokenPipeError):
        await run_import(first.id, rules(clock, batch_rows=10), on_bad_row=dies)
    interrupted = await ImportRun.get(id=first.id)
    assert (interrupted.state, interrupted.last_line, interrupted.added) == (ImportState.RUNNING, 11, 10)

    resumed = await start_run(path, path.name, actor="system:test", now=clock())
    assert resumed.id == first.id
    done = await run_import(resumed.id, rules(clock, batch_rows=10))
    assert (done.state, done.added, done.existing, done.bad, done.last_line) == (ImportState.DONE, 24, 0, 1, 26)
    assert await Incident.all().count() == 24
    assert [row.line for row in await ImportBadRow.filter(run_id=first.id)] == [15]


async def test_a_file_missing_a_column_fails_the_run_with_the_reason(
    orm: None, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "no_lon.csv"
    path.write_text("event_id,occurred_at,lat,category,outcome\nx,2026-11-01,31.2,fire,confirmed\n")
    run, _ = await import_file(path, clock)
    assert run.state == ImportState.FAILED and "lon" in run.error
    assert await Incident.all().count() == 0
