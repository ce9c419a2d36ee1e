"""`python -m bot events import FILE`: import an events file (CSV or .csv.gz) as incidents, from the terminal.

Prints each bad row (line number and reason) as it is found, and ends with a summary. Running it again on the
same file adds nothing; running it after a crash resumes after the last written batch.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from bot.clock import system_clock
from bot.config import Settings
from bot.features import CommandError
from bot.services import city_grid
from forecast.events import BadRow, Reason
from hotspots.escalation import RulesError
from hotspots.importer import ImportRules, run_import, start_run
from hotspots.models import ImportBadRow, ImportRun, ImportState
from hotspots.policy import escalation, local_zone

ACTOR = "system:cli"


def arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="events_command", required=True)
    imported = sub.add_parser("import", help="import an events file (event_id, occurred_at, lat, lon, category, ...)")
    imported.add_argument("file", type=Path, help="CSV, plain or gzip-compressed (see the README's events format)")


def _say(line: str) -> None:
    """The command's output is its product: written, not logged."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def say_bad_row(bad: BadRow) -> None:
    _say(bad.message)


async def _say_earlier_bad_rows(run: ImportRun) -> None:
    _say(f"resuming the unfinished import #{run.id} of {run.file_name} after line {run.last_line}")
    for bad in await ImportBadRow.filter(run_id=run.id).order_by("line"):
        say_bad_row(BadRow(bad.line, Reason(bad.reason), bad.value))


def summary(run: ImportRun, seconds: float) -> str:
    rows = run.added + run.existing + run.bad
    return (
        f"imported {run.file_name}: {run.added} added, {run.existing} already there, {run.bad} bad rows skipped, "
        f"{run.warnings} recent incidents passed on for warnings; {rows} rows in {seconds:.1f} s (run #{run.id})"
    )


async def run(settings: Settings, args: argparse.Namespace) -> None:
    path: Path = args.file
    if not await asyncio.to_thread(path.is_file):
        raise CommandError(f"{path}: no such file")
    grid = city_grid(settings)
    try:
        rules = ImportRules(grid, local_zone(settings), escalation(settings, grid).rules, system_clock)
    except (OSError, RulesError) as error:
        raise CommandError(f"escalation rules: {error}") from None
    started = time.perf_counter()
    import_run = await start_run(path, path.name, actor=ACTOR, now=system_clock())
    if import_run.last_line:
        await _say_earlier_bad_rows(import_run)
    finished = await run_import(import_run.id, rules, on_bad_row=say_bad_row)
    if finished.state == ImportState.FAILED:
        raise CommandError(f"{path}: {finished.error}")
    _say(summary(finished, time.perf_counter() - started))
