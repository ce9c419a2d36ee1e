"""Benchmark: a broadcast to 10,000 residents through the Procfile layout, with status DMs and replies alongside.

Run as `.venv/bin/python bench/broadcast.py [--recipients N] [--rate R] [--web K] [--workers W]` from the
repository root (`--quick`: the small run `make test` does). It starts a separate redis-server, the
fake Telegram (tests/fake_botapi.py) in this process with Telegram's flood limits on (it answers 429
only when the bot really goes over them), and K `python -m bot web` plus W `python -m bot worker`
processes on one database. Several processes contend for SQLite's single writer; for the full figures
use PostgreSQL: `.venv/bin/python -m tests.pg_cluster -- sh -c '.venv/bin/python bench/broadcast.py
--database-url "$TEST_DATABASE_URL"'`.

While the broadcast runs, residents chat with the bot (their replies are not bulk) and moderators
accept reports (each a status DM: bulk, before the broadcast). Printed figures:
* bulk messages delivered (403s are not deliveries) per second, as a ratio of the budget (target 0.98-1.02),
* the delay from a report's acceptance to its status DM (target p95 <= 5 s),
* replies per second and their latency, and what Telegram's limits saw: 429s per scope and the most
  messages one chat got within a second;
and last, one line: `broadcast bulk_per_s=N ratio=N dm_p95_s=N reply_p95_ms=N max_chat_per_s=N chat_429=N
lost=N doubled=N`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import aiohttp  # noqa: E402 - after sys.path
from aiohttp import web  # noqa: E402
from arq import create_pool  # noqa: E402
from arq.connections import RedisSettings  # noqa: E402

from bench._broadcast_load import CountingBotAPI, Measured, Talkers, accept_during, figures  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import close_db, init_db  # noqa: E402
from bot.embedded_redis import EmbeddedRedis  # noqa: E402
from bot.reports.models import Resident, StatusChange  # noqa: E402
from broadcasts.control import schedule  # noqa: E402
from broadcasts.models import Broadcast, BroadcastStatus  # noqa: E402
from tests.e2e.processes import BotProcess, env_for, eventually  # noqa: E402
from tests.factories import make_broadcast, make_report  # noqa: E402
from tests.fake_botapi import FakeBotAPI  # noqa: E402
from tests.fake_flood import FloodLimits  # noqa: E402
from tests.pg import migrate_new  # noqa: E402

FIRST_CHAT_ID = 1_000_000
FIRST_REPORTER_ID = 2_000_000
TEXTS = {"zh_CN": "电动自行车安全充电公开信", "en": "Open letter: charge e-bikes outside"}
#: Telegram's bulk limit (~30/s) is this much above the product's default budget (28/s).
TELEGRAM_HEADROOM = 30 / 28


@dataclass
class Cluster:
    settings: Settings
    fake: CountingBotAPI
    webhooks: list[str]
    processes: list[BotProcess] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (make test): 400 recipients at 50/s")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=Settings(_env_file=None).broadcast_rate_per_s)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--web", type=int, default=2, help="web processes (replies)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (broadcast lanes, DMs)")
    parser.add_argument("--talkers", type=int, default=30, help="residents chatting during the broadcast")
    parser.add_argument("--dms", type=int, default=60, help="reports accepted during the broadcast")
    parser.add_argument("--blocked-pct", type=float, default=2.0)
    parser.add_argument("--database-url", default="", help="an empty database; default: a SQLite file")
    args = parser.parse_args(argv)
    if args.quick:
        args.recipients, args.rate, args.talkers, args.dms = 400, 50.0, 8, 6
    return args


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


def blocked_chats(args: argparse.Namespace) -> list[int]:
    every = max(1, round(100 / args.blocked_pct)) if args.blocked_pct else 0
    return [FIRST_CHAT_ID + i for i in range(args.recipients) if every and i % every == every // 2]


async def prepare(settings: Settings, args: argparse.Namespace) -> tuple[int, list[int]]:
    """Residents (half zh_CN, half en), reporters with submitted reports, one broadcast to everyone."""
    await migrate_new(settings.effective_database_url)
    await init_db(settings)
    residents = [
        Resident(id=FIRST_CHAT_ID + i, chat_id=FIRST_CHAT_ID + i, first_name=f"R{i}", language=("zh_CN", "en")[i % 2])
        for i in range(args.recipients)
    ]
    await Resident.bulk_create(residents, batch_size=1000)
    report_ids = []
    for i in range(args.dms):
        reporter = await Resident.create(id=FIRST_REPORTER_ID + i, chat_id=FIRST_REPORTER_ID + i, language="en")
        report_ids.append((await make_report(reporter, now=datetime.now(UTC))).id)
    # A draft: scheduled only when the measurement starts (the workers' minute tick would start it earlier).
    broadcast = await make_broadcast(datetime.now(UTC), texts=TEXTS, scheduled=False)
    return broadcast.id, report_ids


async def serve_fake(args: argparse.Namespace) -> tuple[CountingBotAPI, web.AppRunner]:
    fake = CountingBotAPI()
    fake.blocked_chats.update(blocked_chats(args))
    telegram_bulk = args.rate * TELEGRAM_HEADROOM
    fake.enforce_flood_limits(FloodLimits(bulk_per_s=telegram_bulk, bulk_burst=max(1, round(telegram_bulk))))
    runner = web.AppRunner(fake.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    return fake, runner


async def start_processes(cluster: Cluster, args: argparse.Namespace, tmp: Path) -> None:
    """K web processes (webhook mode, each its own port) and W workers, as the Procfile runs them."""
    secret = "bench-webhook-secret-" + "x" * 24
    for n in range(args.web):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = env_for(cluster.settings, PORT=str(port), PUBLIC_URL=base, WEBHOOK_SECRET=secret, **budget_env(args))
        cluster.processes.append(await BotProcess("web", env, tmp / f"web{n}.log").start())
        cluster.webhooks.append(base + cluster.settings.webhook_path)
    for n in range(args.workers):
        env = env_for(cluster.settings, **budget_env(args))
        cluster.processes.append(await BotProcess("worker", env, tmp / f"worker{n}.log").start())
    for process in cluster.processes:
        await process.wait_for_log("Starting worker for" if process.command == "worker" else "Web admin at", 120)


def budget_env(args: argparse.Namespace) -> dict[str, str]:
    return {
        "BROADCAST_RATE_PER_S": str(args.rate),
        "BROADCAST_BURST": str(args.burst),
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
    }


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def outbox_drained() -> bool:
    return not await StatusChange.filter(reacted_at__isnull=True).exists()


async def broadcast_done(broadcast_id: int) -> bool:
    return (await Broadcast.get(id=broadcast_id)).status == BroadcastStatus.DONE


async def enqueue(settings: Settings, broadcast_id: int, lanes: int) -> None:
    now = datetime.now(UTC)
    assert await schedule(broadcast_id, now, actor="staff:bench", now=now)
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    for lane in range(lanes):  # a chain of slices per worker process: they share the rows and the budget
        await pool.enqueue_job("broadcasts.run", broadcast_id, 0, lane, _job_id=f"bench:{broadcast_id}:{lane}")
    await pool.aclose()


async def run_broadcast(cluster: Cluster, args: argparse.Namespace, broadcast_id: int, reports: list[int]) -> Measured:
    """Talk and accept reports while the broadcast runs; returns what the fake saw, and when."""
    await eventually(outbox_drained, 120, "the submitted reports' reactions did not run")
    await asyncio.sleep(1.0)  # anything they queued is out: the bulk window below holds only what follows
    measured = Measured(started_at=time.monotonic())
    async with aiohttp.ClientSession() as session:
        talkers = Talkers(cluster.fake, session, cluster.webhooks, args.talkers, measured)
        talking = asyncio.create_task(talkers.run())
        await enqueue(cluster.settings, broadcast_id, args.workers)
        expected_s = args.recipients / args.rate
        accepting = asyncio.create_task(accept_during(reports, expected_s, measured))
        await eventually(lambda: broadcast_done(broadcast_id), expected_s * 3 + 120, "the broadcast did not finish")
        measured.done_at = time.monotonic()
        talkers.stop()
        await asyncio.gather(talking, accepting)
    await measured.wait_for_dms(cluster.fake, set(TEXTS.values()), timeout_s=30)
    return measured


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    redis_server = EmbeddedRedis(tmp / "redis").start()
    fake, runner = await serve_fake(args)
    settings = bench_settings(args, tmp, redis_server.url, fake.url)
    cluster = Cluster(settings, fake, [])
    started = time.monotonic()
    try:
        broadcast_id, reports = await prepare(settings, args)
        await start_processes(cluster, args, tmp)
        measured = await run_broadcast(cluster, args, broadcast_id, reports)
        recipients = {FIRST_CHAT_ID + i for i in range(args.recipients)}
        lines = figures(args, fake, measured, recipients, set(TEXTS.values()))
    finally:
        for process in cluster.processes:
            await process.kill()
        await close_db()
        await runner.cleanup()
        redis_server.stop()
    shutil.rmtree(tmp, ignore_errors=True)  # kept (with the processes' logs) when the run failed
    for line in lines[:-1]:
        print(line)
    print(f"wall time {time.monotonic() - started:.1f} s (processes started, migrated, measured, stopped)")
    print(lines[-1])
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
