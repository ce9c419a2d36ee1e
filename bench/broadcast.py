"""Benchmark: one broadcast to 10,000 residents through the real worker, against the fake Bot API over HTTP.

Run as `.venv/bin/python bench/broadcast.py [--recipients N] [--rate R] [--workers W]` from the
repository root. It starts an embedded Redis, the fake Telegram (tests/fake_botapi.py) in a child
process on loopback, a SQLite database, then W arq worker processes that share the Redis limiter.
Several worker processes contend for SQLite's single writer lock (its busy handler sleeps up to
100 ms), so run them against PostgreSQL: `.venv/bin/python -m tests.pg_cluster -- sh -c
'.venv/bin/python bench/broadcast.py --workers 2 --database-url "$TEST_DATABASE_URL"'`.
The fake answers 429 "retry after" every `--retry-every` sends and 403 for `--blocked-pct` of chats.

Printed figures:
* the sustained rate as a ratio of the configured limit (target >= 0.97), raw and excluding the
  time Telegram's 429s made every worker wait (that pause is imposed, not lost by us),
* peak memory (RSS) of the worker process(es), and that nobody received the message twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from aiohttp import web  # noqa: E402 - after sys.path
from arq import create_pool  # noqa: E402
from arq.connections import RedisSettings  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import close_db, init_db, migrate  # noqa: E402
from bot.embedded_redis import EmbeddedRedis  # noqa: E402
from bot.reports.models import Resident  # noqa: E402
from bot.worker import build_worker  # noqa: E402
from broadcasts.models import Broadcast, BroadcastStatus, Delivery  # noqa: E402
from broadcasts.targeting import EVERYONE  # noqa: E402
from tests.fake_botapi import FakeBotAPI  # noqa: E402

TARGET_RATIO = 0.97
FIRST_CHAT_ID = 1_000_000


def serve_fake_api(conn: Connection, blocked: list[int], retry_every: int, retry_after_s: int) -> None:
    """Child process: the fake Bot API on a free loopback port; answers /stats; stops when told."""

    async def main() -> None:
        api = FakeBotAPI()
        api.blocked_chats.update(blocked)
        if retry_every:
            description = f"Too Many Requests: retry after {retry_after_s}"
            api.fail_every("sendMessage", retry_every, 429, description, retry_after=retry_after_s)

        async def stats(_: web.Request) -> web.Response:
            per_chat = Counter(int(p["chat_id"]) for p in api.sent())
            faults = Counter(p.get("_fault") for _, p in api.calls if "_fault" in p)
            return web.json_response(
                {
                    "sent": len(api.sent()),
                    "max_per_chat": max(per_chat.values(), default=0),
                    "rate_per_s": api.send_rate_per_s(),
                    "429": faults[429],
                    "403": faults[403],
                }
            )

        api.app.router.add_get("/stats", stats)
        runner = web.AppRunner(api.app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        conn.send(f"http://127.0.0.1:{port}")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
        await runner.cleanup()

    asyncio.run(main())


def run_worker_process(settings_json: str, conn: Connection) -> None:
    """Child process: one burst-mode arq worker; reports its peak RSS (kB) when done."""
    settings = Settings.model_validate_json(settings_json)

    async def main() -> None:
        worker = build_worker(settings, burst=True)
        try:
            await worker.main()
        finally:
            await worker.close()

    asyncio.run(main())
    conn.send(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


async def prepare(settings: Settings, recipients: int) -> int:
    """Migrate, create the residents (half zh_CN, half en) and one broadcast to everyone, due now."""
    await migrate(settings.effective_database_url)
    await init_db(settings)
    await Resident.bulk_create(
        [
            Resident(
                id=FIRST_CHAT_ID + i, chat_id=FIRST_CHAT_ID + i, first_name=f"R{i}", language=("zh_CN", "en")[i % 2]
            )
            for i in range(recipients)
        ],
        batch_size=1000,
    )
    now = datetime.now(UTC)
    broadcast = await Broadcast.create(
        title="bench",
        texts={"zh_CN": "电动自行车安全充电公开信", "en": "Open letter: charge e-bikes outside"},
        target=EVERYONE.to_json(),
        status=BroadcastStatus.SCHEDULED,
        scheduled_at=now,
        created_at=now,
    )
    await close_db()
    return broadcast.id


async def enqueue(settings: Settings, broadcast_id: int, workers: int) -> None:
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    for lane in range(workers):  # a chain of slices per worker process: they share the rows and the limiter
        await pool.enqueue_job("broadcasts.run", broadcast_id, 0, lane, _job_id=f"bench:{broadcast_id}:{lane}")
    await pool.aclose()


async def measure(settings: Settings, broadcast_id: int) -> dict[str, Any]:
    """Final rows, the window between the first and the last finished delivery, the 429 pause total."""
    await init_db(settings)
    rows = await Delivery.filter(broadcast_id=broadcast_id, finished_at__isnull=False).values_list(
        "finished_at", "state"
    )
    status = (await Broadcast.get(id=broadcast_id)).status
    await close_db()
    redis = Redis.from_url(settings.redis_url)
    paused_s = int(await redis.get("ratelimit:broadcast:paused_us") or 0) / 1e6
    await redis.aclose()
    times = sorted(at.timestamp() for at, _ in rows)
    return {
        "finished": len(rows),
        "states": Counter(state for _, state in rows),
        "status": status,
        "window_s": times[-1] - times[0],
        "paused_s": paused_s,
    }


def fetch_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/stats") as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


def run_workers(settings: Settings, workers: int) -> float:
    """Start the worker processes, wait for them; returns the largest peak RSS in MB."""
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for _ in range(workers):
        parent, child = context.Pipe()
        process = context.Process(target=run_worker_process, args=(settings.model_dump_json(), child))
        process.start()
        pipes.append(parent)
        processes.append(process)
    peaks_kb = [int(pipe.recv()) for pipe in pipes]
    for process in processes:
        process.join()
    return max(peaks_kb) / 1024


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=Settings(_env_file=None).broadcast_rate_per_s)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (more than one: use PostgreSQL)")
    parser.add_argument("--database-url", default="", help="an empty database; default: a SQLite file")
    parser.add_argument("--blocked-pct", type=float, default=2.0)
    parser.add_argument("--retry-every", type=int, default=2500, help="a 429 every N sends (0: none)")
    parser.add_argument("--retry-after", type=int, default=1)
    return parser.parse_args()


def bench_settings(args: argparse.Namespace, tmp: Path, redis_url: str, api_url: str) -> Settings:
    return Settings(
        _env_file=None,
        var_dir=tmp / "var",
        database_url=args.database_url or f"sqlite://{tmp / 'bench.sqlite3'}",
        redis_url=redis_url,
        telegram_bot_token=FakeBotAPI().token,
        telegram_api_url=f"{api_url}/bot",
        telegram_file_url=f"{api_url}/file/bot",
        broadcast_rate_per_s=args.rate,
        broadcast_burst=args.burst,
        quiet_hours_start=clock_time(0, 0),
        quiet_hours_end=clock_time(0, 0),  # no quiet hours: the benchmark runs at any hour
    )


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    redis_server = EmbeddedRedis(tmp / "redis").start()
    every = max(1, round(100 / args.blocked_pct)) if args.blocked_pct else 0
    blocked = [FIRST_CHAT_ID + i for i in range(args.recipients) if every and i % every == every // 2]
    context = multiprocessing.get_context("spawn")
    fake_conn, child_conn = context.Pipe()
    fake = context.Process(target=serve_fake_api, args=(child_conn, blocked, args.retry_every, args.retry_after))
    fake.start()
    url = fake_conn.recv()
    try:
        settings = bench_settings(args, tmp, redis_server.url, url)
        broadcast_id = asyncio.run(prepare(settings, args.recipients))
        asyncio.run(enqueue(settings, broadcast_id, args.workers))
        started = time.monotonic()
        peak_rss_mb = run_workers(settings, args.workers)
        elapsed_s = time.monotonic() - started
        result = asyncio.run(measure(settings, broadcast_id))
        stats = fetch_stats(url)
    finally:
        fake_conn.send("stop")
        fake.join()
        redis_server.stop()
    report(args, result, stats, peak_rss_mb, elapsed_s)


def report(
    args: argparse.Namespace, result: dict[str, Any], stats: dict[str, Any], peak_rss_mb: float, elapsed_s: float
) -> None:
    window_s, paused_s = result["window_s"], result["paused_s"]
    raw_rate = (result["finished"] - 1) / window_s
    active_rate = (result["finished"] - 1) / (window_s - paused_s)
    states = ", ".join(f"{state} {n}" for state, n in sorted(result["states"].items()))
    print(
        f"{args.recipients} recipients, {args.workers} worker process(es), limit {args.rate:g}/s "
        f"(burst {args.burst}); broadcast {result['status']}: {states}"
    )
    print(
        f"fake Telegram: {stats['sent']} delivered, {stats['403']} x 403, {stats['429']} x 429 "
        f"(retry after {args.retry_after} s), max messages per chat {stats['max_per_chat']}"
    )
    print(
        f"sustained rate {raw_rate:.2f}/s over {window_s:.1f} s: ratio {raw_rate / args.rate:.3f} of the limit "
        f"(raw, including {paused_s:.1f} s of Telegram-imposed pause)"
    )
    print(
        f"excluding the 429 pauses: {active_rate:.2f}/s, ratio {active_rate / args.rate:.3f} "
        f"(target >= {TARGET_RATIO}) -> {'OK' if active_rate / args.rate >= TARGET_RATIO else 'BELOW TARGET'}"
    )
    print(f"peak RSS per worker process {peak_rss_mb:.0f} MB; wall time {elapsed_s:.1f} s (incl. process start)")


if __name__ == "__main__":
    main()
