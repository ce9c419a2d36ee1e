"""Benchmark: deciding one reward (eligibility, caps, the four fraud checks, booking) with many photos on file.

Run as `.venv/bin/python bench/reward_evaluation.py [--photos N] [--decisions K]` from the repository root.
Seeds a temporary SQLite database with N filed photos of other reporters (random pHashes), then decides
K rewards one after another and prints decisions per second. The photo-reuse check scans every photo in
the look-back window, so this figure is what to watch as a city's archive grows.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tortoise import Tortoise  # noqa: E402 - after sys.path

from bot.db import migrate, tortoise_config  # noqa: E402
from bot.reports.models import Photo, Report, Resident  # noqa: E402
from rewards.budget import create_pool  # noqa: E402
from rewards.grants import evaluate_report  # noqa: E402
from rewards.rules import load_rules_text, parse_rules  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def random_phash(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


async def seed(photos: int, decisions: int, rng: random.Random) -> list[int]:
    """`photos` archived reports of 1,000 other reporters, and `decisions` accepted, verified reports to decide."""
    await Resident.bulk_create([Resident(id=i, chat_id=i, first_name=f"R{i}") for i in range(1, 1002)])
    common = {
        "status": "accepted",
        "category": "fire_exit",
        "lat": 31.23,
        "lon": 121.47,
        "location_source": "shared",
        "language": "zh_CN",
        "area": "huangpu",
    }
    await Report.bulk_create([Report(reporter_id=1 + i % 1000, **common) for i in range(photos)], batch_size=2000)
    ids = await Report.all().order_by("id").values_list("id", flat=True)
    await Photo.bulk_create(
        [
            Photo(
                report_id=report_id,
                owner_id=1 + i % 1000,
                storage_key="k",
                thumbnail_key="t",
                sha256="0" * 64,
                phash=random_phash(rng),
                width_px=1,
                height_px=1,
            )
            for i, report_id in enumerate(ids)
        ],
        batch_size=2000,
    )
    fresh = [Report(reporter_id=1001, verified=True, severity="medium", **common) for _ in range(decisions)]
    await Report.bulk_create(fresh)
    fresh_ids = await Report.filter(reporter_id=1001).order_by("id").values_list("id", flat=True)
    await Photo.bulk_create(
        [
            Photo(
                report_id=report_id,
                owner_id=1001,
                storage_key="k",
                thumbnail_key="t",
                sha256="0" * 64,
                phash=random_phash(rng),
                width_px=1,
                height_px=1,
            )
            for report_id in fresh_ids
        ]
    )
    await Report.filter(id__in=list(fresh_ids)).update(created_at=NOW)
    return [int(str(report_id)) for report_id in fresh_ids]  # values_list is typed as tuples


async def main(photos: int, decisions: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        try:
            report_ids = await seed(photos, decisions, random.Random(20261123))
            await create_pool(
                "bench",
                NOW - timedelta(days=1),
                NOW + timedelta(days=1),
                10**9,
                campaign_id=None,
                created_by_id=None,
                now=NOW,
            )
            rules = parse_rules(
                load_rules_text(None).replace(
                    "max_rewarded_reports_per_day = 5", "max_rewarded_reports_per_day = 100000"
                )
            )
            started = time.perf_counter()
            for report_id in report_ids:
                await evaluate_report(report_id, rules, NOW)
            elapsed = time.perf_counter() - started
        finally:
            await Tortoise.close_connections()
    print(
        f"reward decisions with {photos:,} archived photos: {decisions / elapsed:.1f}/s "
        f"({elapsed / decisions * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20_000)
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.photos, args.decisions))
