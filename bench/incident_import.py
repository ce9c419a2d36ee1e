"""Benchmark: `python -m bot events import FILE` with a million rows into SQLite, as an operator runs it.

Run as `.venv/bin/python bench/incident_import.py [--quick] [--rows N]` from the repository root. It writes a
seeded events file (points over the demo city and around it, so drawn cells and H3 cells both get placed; one
row in a thousand bad), migrates a fresh SQLite database in a temporary VAR_DIR, then
times the whole command in a subprocess: reading, placing on the grid, writing, bad rows printed, summary. It
imports the same file a second time, which must add nothing.

Printed figures: rows per second and the wall time of the first import (target: 1,000,000 rows in under
60 s), and of the idempotent second import; beside each, the CPU seconds the command used (all its threads).
On a shared machine the wall time says how loaded it was as much as how fast the import is: the CPU time does
not, and on two idle cores the wall time is at most that (reading and writing overlap in two threads).
`--quick` does 5,000 rows so that the test suite keeps it working.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.config import SQLITE_FILE  # noqa: E402 - after sys.path
from tests.pg import prefill_sqlite  # noqa: E402

TARGET_S = 60.0
FULL_ROWS = 1_000_000
QUICK_ROWS = 5_000
#: Around the demo city's three districts (about 31.19-31.26 N, 121.42-121.52 E) and beyond them.
LAT_RANGE, LON_RANGE = (31.15, 31.30), (121.38, 121.56)
FIRST_DAY = date(2023, 1, 1)
SUMMARY = re.compile(r"(\d+) added, (\d+) already there, (\d+) bad rows skipped")


def write_events(path: Path, rows: int, seed: int = 20261123) -> int:
    """A seeded events file; returns how many of its rows are bad."""
    rng = random.Random(seed)
    categories = ("ebike_charging", "blocked_exit", "fire_alarm", "rubbish", "wiring")
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("event_id", "occurred_at", "lat", "lon", "category", "outcome", "severity", "kind"))
        for n in range(rows):
            day = FIRST_DAY + timedelta(days=rng.randrange(1400))
            lat, lon = rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)
            outcome = "confirmed" if rng.random() < 0.8 else "open"
            row = [
                f"ev-{n:08d}",
                f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00",
                f"{lat:.6f}",
                f"{lon:.6f}",
                rng.choice(categories),
                outcome,
                "",
                "",
            ]
            if n % 1000 == 999:  # a bad row: coordinates missing
                row[2], bad = "", bad + 1
            writer.writerow(row)
    return bad


def bot(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN")}
    env.update(VAR_DIR=str(var_dir), PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=var_dir.parent, env=env, capture_output=True, text=True, check=True
    )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_import(var_dir: Path, events: Path) -> tuple[float, float, tuple[int, int, int]]:
    """Wall and CPU seconds of one `python -m bot events import` (process start included), and its counts."""
    started, cpu_before = time.perf_counter(), _children_cpu_s()
    done = bot(var_dir, "events", "import", str(events))
    seconds, cpu_s = time.perf_counter() - started, _children_cpu_s() - cpu_before
    match = SUMMARY.search(done.stdout.splitlines()[-1])
    assert match is not None, done.stdout[-2000:]
    added, existing, bad = (int(group) for group in match.groups())
    return seconds, cpu_s, (added, existing, bad)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows (seconds), for the test suite")
    parser.add_argument("--rows", type=int, default=None)
    options = parser.parse_args(argv)
    rows = options.rows or (QUICK_ROWS if options.quick else FULL_ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        var_dir, events = Path(tmp) / "var", Path(tmp) / "events.csv"
        bad = write_events(events, rows)
        if not prefill_sqlite(f"sqlite://{(var_dir / SQLITE_FILE).resolve()}"):
            bot(var_dir, "migrate")
        first_s, first_cpu_s, first = timed_import(var_dir, events)
        second_s, second_cpu_s, second = timed_import(var_dir, events)
        with sqlite3.connect(var_dir / SQLITE_FILE) as db:
            stored, unplaced = db.execute("SELECT count(*), sum(cell IS NULL) FROM incident").fetchone()
    good = rows - bad
    assert first == (good, 0, bad) and second == (0, good, bad), (first, second)
    assert stored == good and not unplaced, (stored, unplaced)
    print(
        f"incident_import first rows={rows} seconds={first_s:.1f} rows_per_s={rows / first_s:,.0f} "
        f"cpu_seconds={first_cpu_s:.1f} (added {good}, bad {bad} named)"
    )
    print(
        f"incident_import again rows={rows} seconds={second_s:.1f} cpu_seconds={second_cpu_s:.1f} added=0 "
        "(idempotent by event_id)"
    )
    per_million_s = first_s * FULL_ROWS / rows
    cpu_per_million_s = first_cpu_s * FULL_ROWS / rows
    verdict = (
        "(quick run: the target is for 1,000,000 rows)"
        if rows < FULL_ROWS
        else ("ok" if first_s < TARGET_S else "MISSED")
    )
    print(
        f"incident_import seconds_per_million={per_million_s:.1f} cpu_seconds_per_million={cpu_per_million_s:.1f} "
        f"target<{TARGET_S:.0f} {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
