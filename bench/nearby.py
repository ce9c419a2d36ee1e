"""Benchmark: the nearby-duplicates query at 1,000,000 reports (target p95 <= 5 ms on SQLite).

Run as `.venv/bin/python bench/nearby.py [--quick] [--reports N] [--queries N]` from the repository root
(`--quick`: 20,000 reports and 100 queries, a smoke run for the test suite).
It migrates a temporary SQLite database exactly as the product does, seeds it with `seed_reports`
(one transaction of executemany inserts: the product's own triggers fill the R*Tree, as they do for
every report filed), then times `nearby_open_reports` through the ORM on random positions and
prints one line per figure. Half of the reports sit in 20 dense hotspots (a city's old quarters,
where most hazards and most duplicates are), and half of the queries are aimed there too, so the
figure is not flattered by an evenly thin map.

The admin queue page has its own bench (bench/queue_page.py), which seeds with `seed_reports` too.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tortoise import Tortoise  # noqa: E402 - after sys.path

from bot.db import tortoise_config  # noqa: E402
from bot.reports.categories import DEFAULT_CATEGORIES  # noqa: E402
from bot.reports.dedup import nearby_open_reports  # noqa: E402
from bot.reports.statuses import Status  # noqa: E402
from tests.pg import migrate_new  # noqa: E402

TARGET_NEARBY_P95_MS = 5.0
#: A Shanghai-sized service area, about 50 km x 57 km.
CITY_LAT = (31.00, 31.45)
CITY_LON = (121.15, 121.75)
HOTSPOTS = 20
HOTSPOT_RADIUS_M = 2000
M_PER_DEGREE = 111_195.0
RESIDENTS = 20_000
#: Over years most reports are closed; these weights give about one open report in four.
STATUS_WEIGHTS = {
    Status.FIXED: 45,
    Status.REJECTED: 12,
    Status.DUPLICATE: 8,
    Status.NO_ACTION: 5,
    Status.NOT_RESPONSIBLE: 3,
    Status.SUBMITTED: 8,
    Status.ACCEPTED: 5,
    Status.DISPATCHED: 6,
    Status.IN_PROGRESS: 5,
    Status.NEEDS_INFO: 1,
    Status.REOPENED: 2,
}
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)


@dataclass(frozen=True)
class City:
    """Where seeded reports and queries fall: evenly over the area, or in a hotspot."""

    hotspots: tuple[tuple[float, float], ...]

    @classmethod
    def build(cls, rng: random.Random) -> City:
        return cls(tuple((rng.uniform(*CITY_LAT), rng.uniform(*CITY_LON)) for _ in range(HOTSPOTS)))

    def position(self, rng: random.Random) -> tuple[float, float]:
        if rng.random() < 0.5:
            return rng.uniform(*CITY_LAT), rng.uniform(*CITY_LON)
        lat, lon = rng.choice(self.hotspots)
        distance_m, bearing = HOTSPOT_RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        d_lat = distance_m * math.cos(bearing) / M_PER_DEGREE
        d_lon = distance_m * math.sin(bearing) / (M_PER_DEGREE * math.cos(math.radians(lat)))
        return lat + d_lat, lon + d_lon


def _report_rows(n: int, city: City, rng: random.Random) -> Iterator[tuple[object, ...]]:
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    categories = [category.key for category in DEFAULT_CATEGORIES]
    for _ in range(n):
        lat, lon = city.position(rng)
        created = (NOW - SPAN * rng.random()).isoformat(sep=" ")
        yield (
            rng.choices(statuses, weights)[0],
            rng.choice(categories),
            lat,
            lon,
            created,
            created,
            rng.randrange(1, RESIDENTS + 1),
        )


def seed_reports(n: int, path: Path | None = None, *, seed: int = 1) -> tuple[Path, City]:
    """A migrated SQLite database at `path` (a temporary file by default) holding `n` reports.

    Rows go in through plain INSERTs in one transaction, so the R*Tree is filled by the migration's
    triggers, exactly as for reports filed through the bot. Returns the path and the seeded city.
    """
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="safecity-bench-")) / "bench.sqlite3"
    asyncio.run(migrate_new(f"sqlite://{path}"))
    rng = random.Random(seed)
    city = City.build(rng)
    connection = sqlite3.connect(path)
    try:
        # A throwaway file: no journal and a big cache make the load ~3x faster. They change how
        # pages reach the disk, not which rows or index entries the triggers write.
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144"):
            connection.execute(f"PRAGMA {pragma}")
        with connection:
            connection.executemany(
                "INSERT INTO resident (id, chat_id, first_name, language, language_chosen, blocked_bot, is_staff,"
                " created_at, last_seen_at) VALUES (?, ?, 'Bench', 'zh_CN', 0, 0, 0, ?, ?)",
                ((i, i, NOW.isoformat(sep=" "), NOW.isoformat(sep=" ")) for i in range(1, RESIDENTS + 1)),
            )
            connection.executemany(
                "INSERT INTO report (status, category, lat, lon, location_source, description, language,"
                " created_at, updated_at, reporter_id) VALUES (?, ?, ?, ?, 'shared', '', 'zh_CN', ?, ?, ?)",
                _report_rows(n, city, rng),
            )
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode = WAL")  # as the product runs it
    finally:
        connection.close()
    return path, city


def percentiles_ms(samples_s: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples_s, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


async def time_nearby(path: Path, city: City, queries: int, *, seed: int = 2) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds per `nearby_open_reports` call on random positions and categories, and the
    hits seen. CPU time (all threads: aiosqlite queries in its own) is the steadier figure on a busy host."""
    await Tortoise.init(config=tortoise_config(f"sqlite://{path}"))
    try:
        rng = random.Random(seed)
        samples, cpu_samples, hits = [], [], 0
        for index in range(queries + 50):  # the first 50 warm the page cache and are not counted
            lat, lon = city.position(rng)
            category = rng.choice(DEFAULT_CATEGORIES)
            started, cpu_started = time.perf_counter(), time.process_time()
            found = await nearby_open_reports(lat, lon, category.key, category.duplicate_radius_m, now=NOW)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            if index >= 50:
                samples.append(elapsed)
                cpu_samples.append(cpu)
                hits += len(found)
        return samples, cpu_samples, hits
    finally:
        await Tortoise.close_connections()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20,000 reports, 100 queries")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.quick:
        args.reports, args.queries = 20_000, 100
    with tempfile.TemporaryDirectory(prefix="safecity-bench-") as scratch:
        started = time.perf_counter()
        path, city = seed_reports(args.reports, Path(scratch) / "nearby.sqlite3")
        print(f"seeded {args.reports:,} reports in {time.perf_counter() - started:.1f} s")
        samples, cpu_samples, hits = asyncio.run(time_nearby(path, city, args.queries))
    p50, p95 = percentiles_ms(samples)
    cpu_p50, cpu_p95 = percentiles_ms(cpu_samples)
    print(f"nearby CPU time: p50 {cpu_p50:.2f} ms, p95 {cpu_p95:.2f} ms (load average {os.getloadavg()[0]:.1f})")
    print(
        f"nearby: p50 {p50:.2f} ms, p95 {p95:.2f} ms at {args.reports:,} reports "
        f"(target p95 <= {TARGET_NEARBY_P95_MS:g} ms); {hits / len(samples):.2f} candidates per query"
    )
    return 0 if args.quick or p95 <= TARGET_NEARBY_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
