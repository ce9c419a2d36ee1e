"""Benchmark: the map's viewport requests at 1,000,000 reports (target p95 <= 300 ms per viewport).

Run as `.venv/bin/python bench/map.py [--reports N] [--viewports N] [--quick]` from the repository root.
It seeds a migrated SQLite database with nearby's `seed_reports` (bulk INSERTs; the product's triggers fill
the R*Trees as for every report filed), gives a few thousand cells a stored level, starts the real web
process (`bot.runtime.running_web`, the aiohttp app with the admin, an embedded Redis, the sandbox bot),
logs in as an official over HTTP, and times what the map does on every pan or zoom: its two GeoJSON
requests for the viewport (cells and open reports) issued together, from the first byte sent to the last
byte of both answers. Viewports are street-sized (~1.5 km), district-sized (~6 km) and city-sized
(~25 km, where reports come back as counts per square), half of them over a hotspot.
`--quick` seeds 20,000 reports and times 30 viewports, so `make test` keeps the path working.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import aiohttp  # noqa: E402 - after sys.path
import h3  # noqa: E402

from bench.nearby import CITY_LAT, CITY_LON, NOW, City, seed_reports  # noqa: E402
from bot.admin.accounts import Role, create_staff  # noqa: E402
from bot.admin.models import StaffUser  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.embedded_redis import EmbeddedRedis  # noqa: E402
from bot.runtime import running_web  # noqa: E402
from tests.conftest import FrozenClock, free_port  # noqa: E402

TARGET_P95_MS = 300.0
#: Viewport widths in degrees of longitude (~1.5 km, ~6 km, ~25 km at 31° N) and how often each is asked.
WIDTHS_DEG = ((0.016, 0.4), (0.064, 0.4), (0.26, 0.2))
LEVELLED_CELLS = 3000
LEVELS = ("red", "orange", "yellow", "blue")
PASSWORD = "bench-password-1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def give_levels(path: Path, *, seed: int = 4) -> None:
    """A stored level for cells scattered over the city, as the nightly recomputation leaves them."""
    rng = random.Random(seed)
    cells = {
        "h3:" + h3.latlng_to_cell(rng.uniform(*CITY_LAT), rng.uniform(*CITY_LON), 8) for _ in range(LEVELLED_CELLS)
    }
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO risk_cell (cell, district, level, score, parts, computed_at)"
                " VALUES (?, NULL, ?, ?, '{}', ?)",
                ((cell, rng.choice(LEVELS), rng.uniform(0, 40), NOW.isoformat(sep=" ")) for cell in sorted(cells)),
            )
    finally:
        connection.close()


def viewports(city: City, count: int, *, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    widths, weights = [w for w, _ in WIDTHS_DEG], [p for _, p in WIDTHS_DEG]
    boxes = []
    for _ in range(count):
        lat, lon = city.position(rng)
        width = rng.choices(widths, weights)[0]
        height = width * 0.6
        boxes.append(f"{lon - width / 2:.5f},{lat - height / 2:.5f},{lon + width / 2:.5f},{lat + height / 2:.5f}")
    return boxes


async def log_in(session: aiohttp.ClientSession) -> None:
    async with session.get("/admin/login") as response:
        match = CSRF_RE.search(await response.text())
    assert match is not None
    form = {"username": "bench", "password": PASSWORD, "csrf_token": match.group(1)}
    async with session.post("/admin/login", data=form) as response:
        assert response.status == 200, response.status


async def time_viewports(settings: Settings, boxes: list[str]) -> tuple[list[float], int]:
    """Seconds per viewport (both requests together), and how many viewports came back as counts."""
    async with running_web(settings, clock=FrozenClock(NOW)):
        if not await StaffUser.exists(username="bench"):  # a kept database has it from the last run
            await create_staff("bench", PASSWORD, Role.OFFICIAL)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(settings.local_base_url(), cookie_jar=jar) as session:
            await log_in(session)
            samples, counted = [], 0
            for index, bbox in enumerate(boxes):
                started = time.perf_counter()
                cells, reports = await asyncio.gather(
                    session.get(f"/admin/map/cells.geojson?bbox={bbox}"),
                    session.get(f"/admin/map/reports.geojson?bbox={bbox}"),
                )
                async with cells, reports:
                    assert cells.status == 200 and reports.status == 200, (cells.status, reports.status)
                    await cells.read()
                    counted += int((await reports.json())["counted"])
                if index >= 10:  # the first ten warm the page cache and the templates
                    samples.append(time.perf_counter() - started)
                await asyncio.sleep(0)
            return samples, counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--viewports", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="20,000 reports, 30 viewports (make test)")
    parser.add_argument("--database", type=Path, help="keep the seeded database here and reuse it next time")
    args = parser.parse_args(argv)
    reports, count = (20_000, 30) if args.quick else (args.reports, args.viewports)
    with tempfile.TemporaryDirectory(prefix="safecity-bench-") as scratch:
        started = time.perf_counter()
        path = args.database or Path(scratch) / "map.sqlite3"
        if path.exists():
            city = City.build(random.Random(1))  # what seed_reports builds first from its seed
            print(f"reusing the reports seeded in {path}")
        else:
            path, city = seed_reports(reports, path)
            give_levels(path)
            print(f"seeded {reports:,} reports in {time.perf_counter() - started:.1f} s")
        redis = EmbeddedRedis(Path(scratch) / "redis").start()
        try:
            settings = Settings(
                _env_file=None, var_dir=Path(scratch) / "var", database_url=f"sqlite://{path}",
                redis_url=redis.url, port=free_port(),
            )  # fmt: skip
            samples, counted = asyncio.run(time_viewports(settings, viewports(city, count + 10)))
        finally:
            redis.stop()
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    p50, p95 = cuts[49] * 1000, cuts[94] * 1000
    print(
        f"map viewport: p50 {p50:.1f} ms, p95 {p95:.1f} ms at {reports:,} reports over {len(samples)} viewports "
        f"({counted} answered with counts per square; target p95 <= {TARGET_P95_MS:g} ms; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    return 0 if args.quick or p95 <= TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
