"""Benchmark: stream a million reports to CSV the way an official's export does (target: memory flat, < 200 MB).

Run as `.venv/bin/python bench/export.py [--reports N] [--quick]` from the repository root. A child process seeds
a migrated SQLite database (bench/nearby.py's city of reports, plus the status changes an export reads:
submitted, accepted, dispatched, closed), so this process's peak RSS is the export's own. The export is the
product's `opendata.exports.csv_chunks` through the ORM, written to /dev/null; the figures are rows per second
and the resident memory at 10 %, 50 % and 100 % of the rows and at its peak. `--quick` (20,000 reports) is what
`make test` runs, so the benchmark cannot rot; the target is for the full run.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tortoise import Tortoise  # noqa: E402 - after sys.path

from bot.db import tortoise_config  # noqa: E402
from opendata.exports import ExportFilter, csv_chunks  # noqa: E402

TARGET_PEAK_MB = 200.0
FULL_REPORTS = 1_000_000
QUICK_REPORTS = 20_000
CHANGES = (
    ("NULL", "submitted", "1 = 1"),
    ("'submitted'", "accepted", "status IN ('accepted', 'dispatched', 'in_progress', 'fixed', 'reopened')"),
    ("'accepted'", "dispatched", "status IN ('dispatched', 'in_progress', 'fixed')"),
    ("'submitted'", "rejected", "status IN ('rejected', 'duplicate', 'no_action', 'not_responsible')"),
)


def seed(path: Path, reports: int) -> None:
    """bench/nearby.py's reports, then their status changes and fix times (in SQL: seconds for a million)."""
    from bench.nearby import seed_reports

    seed_reports(reports, path)
    connection = sqlite3.connect(path)
    try:
        with connection:
            for before, after, where in CHANGES:
                connection.execute(
                    "INSERT INTO status_change (report_id, from_status, to_status, actor, reason, public_note,"
                    f" changed_at) SELECT id, {before}, '{after}', 'staff:1', '', '', created_at FROM report"
                    f" WHERE {where}"
                )
            connection.execute("UPDATE report SET fixed_at = created_at, area = 'huangpu' WHERE status = 'fixed'")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def export(path: Path, reports: int) -> tuple[int, float, list[float]]:
    """(rows, seconds, RSS in MB at 10/50/100 % of the rows)."""
    await Tortoise.init(config=tortoise_config(f"sqlite://{path}"))
    marks = [reports // 10, reports // 2, reports]
    samples: list[float] = []
    rows, started = 0, time.perf_counter()
    try:
        with open("/dev/null", "w", encoding="utf-8") as sink:
            async for chunk in csv_chunks(ExportFilter(), ZoneInfo("Asia/Shanghai")):
                sink.write(chunk)
                rows += chunk.count("\r\n")
                while marks and rows - 1 >= marks[0]:  # the header line is not a row
                    samples.append(rss_mb())
                    marks.pop(0)
    finally:
        await Tortoise.close_connections()
    return rows - 1, time.perf_counter() - started, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REPORTS:,} reports (seconds)")
    parser.add_argument("--seed-only", type=Path, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    reports = options.reports or (QUICK_REPORTS if options.quick else FULL_REPORTS)
    if options.seed_only is not None:
        seed(options.seed_only, reports)
        return 0
    path = Path(tempfile.mkdtemp(prefix="safecity-export-bench-")) / "bench.sqlite3"
    seeding = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--seed-only", str(path), "--reports", str(reports)], check=True, cwd=REPO_ROOT
    )
    print(f"seeded {reports:,} reports in {time.perf_counter() - seeding:.1f} s (a child process)")
    before = rss_mb()
    rows, seconds, samples = asyncio.run(export(path, reports))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export csv rows={rows} seconds={seconds:.1f} rows_per_s={rows / seconds:,.0f}")
    at = " ".join(f"{share}%={mb:.0f}MB" for share, mb in zip((10, 50, 100), samples, strict=False))
    verdict = (
        "(quick run: the target is for the full run)"
        if reports < FULL_REPORTS
        else ("OK" if peak_mb < TARGET_PEAK_MB else "OVER TARGET")
    )
    print(f"memory rss_before={before:.0f}MB {at} peak={peak_mb:.0f}MB target<{TARGET_PEAK_MB:.0f}MB {verdict}")
    path.unlink(missing_ok=True)
    return 0 if rows == reports else 1


if __name__ == "__main__":
    raise SystemExit(main())
