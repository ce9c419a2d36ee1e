"""Benchmark: the real web processes in webhook mode under a city's peak, while a broadcast runs.

Run as `.venv/bin/python bench/webhook.py [--quick] [--webs N] [--workers N] [--users N] [--concurrency N]
[--recipients N] [--think-s S] [--database-url URL]` from the repository root. It starts an embedded Redis,
the fake Telegram (tests/fake_botapi.py) in this process, then the Procfile layout as real processes
(tests/cluster.py): `python -m bot web` x N and `python -m bot worker` x N on one database. Several web
processes need PostgreSQL (`--database-url`, or `python -m tests.pg_cluster -- .venv/bin/python
bench/webhook.py` which sets TEST_DATABASE_URL); without one it runs a single web process on SQLite.

Thousands of distinct residents arrive, `--concurrency` at a time, each doing one realistic thing:
commands (/start, /help, /my_reports), a tap on a broadcast's "Report a hazard" button then /cancel, or
a whole report (photo, done, location, nobody in danger, category, "mine is new" when offered, skip the
description, submit). Each update goes to the next web process in turn (a load balancer that pays no
attention to chats). The resident waits for the bot's answer, then pauses as a person does (reads it,
takes the photo, finds the button): `--think-s` on average (uniform from half to one and a half times it;
default 2 s, so 700 residents at once offer about 300 updates a second). Without pauses every report
conversation meets the chat's send limit (Telegram's ~1 message a second after a burst of 3), which then
sets the latency of its later steps whatever the server does. Meanwhile the workers send a broadcast to
`--recipients` other residents.

Figures: updates handled per second; p95 from the webhook POST to the bot's reply reaching Telegram;
broadcast messages per second; the most messages any one chat got within one second; updates never
answered (lost) and messages sent beyond what was asked for (doubled); p50 and p95 per step. The last
line is exactly
`webhook updates_per_s=N p95_ms=N bulk_per_s=N max_chat_per_s=N lost=N doubled=N`.
Targets on 2 cores: >= 300 updates/s, p95 <= 250 ms, lost=0 doubled=0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import aiohttp  # noqa: E402 - after sys.path
from aiohttp import web  # noqa: E402
from arq import create_pool  # noqa: E402
from arq.connections import RedisSettings  # noqa: E402

from bench._webhook_parts import BROADCAST_TEXTS, BenchBotAPI, Figures, most_in_a_second  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import close_db, init_db  # noqa: E402
from bot.embedded_redis import EmbeddedRedis  # noqa: E402
from bot.reports.models import Resident  # noqa: E402
from broadcasts.message import REPORT_CALLBACK  # noqa: E402
from broadcasts.models import Broadcast, BroadcastStatus  # noqa: E402
from broadcasts.targeting import EVERYONE  # noqa: E402
from tests.bot.helpers import noisy_jpeg  # noqa: E402
from tests.cluster import WEBHOOK_SECRET, Cluster  # noqa: E402
from tests.pg import empty_database  # noqa: E402

FIRST_USER_ID = 20_000_000
FIRST_RECIPIENT_ID = 30_000_000
REPLY_TIMEOUT_S = 20.0
PHOTO_POOL = 48
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
#: No quiet hours (the bench runs at any hour); a lease short enough to notice nothing here.
PROCESS_ENV = {"QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}


@dataclass
class Layout:
    fake: BenchBotAPI
    cluster: Cluster
    settings: Settings  # what the processes run with (for this process's own database work)
    think_s: float = 0.0  #: a resident's pause between the bot's answer and their next update

    @property
    def webhook_urls(self) -> list[str]:
        return self.cluster.webhook_urls


class Resident_:  # noqa: N801 - the bench's stand-in for one Telegram user
    """One resident talking to the bot; each update goes to the next web process."""

    def __init__(
        self, layout: Layout, session: aiohttp.ClientSession, user_id: int, figures: Figures, seed: float = 0.0
    ) -> None:
        self.layout, self.session, self.id, self.figures = layout, session, user_id, figures
        self.message_ids = iter(range(1, 10_000))
        self.sent = 0
        self.pauses = random.Random(seed)  # its own: the traffic's choices do not depend on the pauses

    def _sender(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": f"R{self.id}", "language_code": "zh-hans"}

    def _message(self, **extra: Any) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private"}
        return {"message_id": next(self.message_ids), "date": int(time.time()), "chat": chat, **extra}

    async def send(self, kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Post one update; the bot's first message back (None: none came: lost)."""
        if self.sent and self.layout.think_s:  # reading the answer, taking the photo, finding the button
            await asyncio.sleep(self.pauses.uniform(0.5, 1.5) * self.layout.think_s)
        urls = self.layout.webhook_urls
        url, self.sent = urls[self.sent % len(urls)], self.sent + 1
        update = {"update_id": next(UPDATE_IDS), kind: {**body, "from": self._sender()}}
        started = time.monotonic()
        async with self.session.post(url, json=update, headers=HEADERS) as response:
            assert response.status == 200, response.status
        self.figures.updates += 1
        reply = await self.next_message()
        if reply is None:
            self.figures.lost += 1
            return None
        self.figures.timed(step_of(kind, body), (reply[0] - started) * 1000)
        return reply[1]

    async def next_message(self) -> tuple[float, dict[str, Any]] | None:
        try:
            return await asyncio.wait_for(self.layout.fake.inbox[self.id].get(), REPLY_TIMEOUT_S)
        except TimeoutError:
            return None

    async def command(self, text: str) -> dict[str, Any] | None:
        entity = {"type": "bot_command", "offset": 0, "length": len(text)}
        return await self.send("message", self._message(text=text, entities=[entity]))

    async def tap(self, bot_message: dict[str, Any], data: str) -> dict[str, Any] | None:
        result = bot_message["_result"]
        shown = {"message_id": result["message_id"], "date": result["date"], "chat": {"id": self.id, "type": "private"}}
        query = {"id": f"{self.id}-{self.sent}", "chat_instance": f"ci{self.id}", "data": data, "message": shown}
        return await self.send("callback_query", query)

    async def until_button(self, reply: dict[str, Any] | None, wanted: set[str]) -> dict[str, Any] | None:
        """Duplicate cards come before the question: read on to the message carrying one of `wanted`."""
        while reply is not None and not wanted & buttons(reply):
            message = await self.next_message()
            reply = message[1] if message else None
        return reply


def step_of(kind: str, body: dict[str, Any]) -> str:
    """The step an update is: its command, its button's prefix, or what its message carries."""
    if kind == "callback_query":
        return f"tap {str(body['data']).split(':')[0]}"
    return str(body.get("text") or next(key for key in ("photo", "location") if key in body))


def buttons(message: dict[str, Any]) -> set[str]:
    markup = message.get("reply_markup") or {}
    return {b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


UPDATE_IDS = iter(range(1, 10**9))


async def file_report(user: Resident_, photo: bytes, rng: random.Random) -> None:
    file_id = f"B{user.id}"
    user.layout.fake.files[file_id] = (photo, f"photos/{file_id}.jpg")
    size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640, "height": 480, "file_size": len(photo)}
    added = await user.send("message", user._message(photo=[size]))  # its receipt asks for the location
    location = {"latitude": rng.uniform(31.10, 31.35), "longitude": rng.uniform(121.30, 121.60)}
    received = added and await user.send("message", user._message(location=location))
    danger = await user.until_button(received or None, {"dg:no"})  # "location received", then the question
    categories = danger and await user.tap(danger, "dg:no")
    category = rng.choice(["ebike", "fire_exit", "traffic", "construction", "other"])
    chosen = categories and await user.tap(categories, f"cat:{category}")
    asked = await user.until_button(chosen or None, {"desc:skip", "dup:new"})
    if asked and "dup:new" in buttons(asked):
        asked = await user.tap(asked, "dup:new")
    confirm = asked and await user.tap(asked, "desc:skip")
    if confirm:
        await user.tap(confirm, "cf:yes")


async def one_resident(user: Resident_, photos: list[bytes], rng: random.Random) -> None:
    scenario = rng.random()
    if scenario < 0.35:
        for command in ("/start", "/help", "/my_reports"):
            if await user.command(command) is None:
                return
    elif scenario < 0.70:  # the "Report a hazard" button under a broadcast, then a change of mind
        broadcast_message = {"_result": {"message_id": 1, "date": int(time.time())}}
        if await user.tap(broadcast_message, REPORT_CALLBACK) is not None:
            await user.command("/cancel")
    else:
        await file_report(user, rng.choice(photos), rng)


async def drive(layout: Layout, users: int, concurrency: int, seed: int = 7, think_s: float = 0.0) -> Figures:
    """The residents' traffic; then a short settle, and what arrived beyond what was asked for."""
    figures, rng, layout.think_s = Figures(), random.Random(seed), think_s
    photos = [noisy_jpeg(seed * 1000 + i) for i in range(PHOTO_POOL)]
    slots = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def run(index: int) -> None:
            async with slots:
                user = Resident_(layout, session, FIRST_USER_ID + index, figures, rng.random())
                await one_resident(user, photos, random.Random(rng.random()))

        webs = layout.cluster.webs
        started, cpu_before, own_before = time.monotonic(), sum(p.cpu_s() for p in webs), time.process_time()
        await asyncio.gather(*(run(i) for i in range(users)))
        figures.elapsed_s = time.monotonic() - started
        figures.web_cpu_s = sum(p.cpu_s() for p in webs) - cpu_before
        figures.bench_cpu_s = time.process_time() - own_before
    await asyncio.sleep(2)  # anything sent twice shows up now
    extra = [(chat, queue.get_nowait()[1]) for chat, queue in layout.fake.inbox.items() for _ in range(queue.qsize())]
    for chat, message in extra[:5]:
        print(f"  sent beyond what was asked, to {chat}: {str(message.get('text', message.get('caption')))[:80]!r}")
    figures.doubled = len(extra) + sum(max(0, n - 1) for n in layout.fake.bulk_per_chat.values())
    in_window = [t for t in layout.fake.bulk_times if t <= started + figures.elapsed_s]
    figures.bulk_per_s = (len(in_window) - 1) / (in_window[-1] - in_window[0]) if len(in_window) > 1 else 0.0
    figures.max_chat_per_s = max((most_in_a_second(t) for t in layout.fake.sent_times.values()), default=0)
    return figures


async def prepare_broadcast(settings: Settings, recipients: int) -> int:
    await init_db(settings)
    try:
        ids = range(FIRST_RECIPIENT_ID, FIRST_RECIPIENT_ID + recipients)
        await Resident.bulk_create([Resident(id=i, chat_id=i, first_name="B") for i in ids], batch_size=1000)
        now = datetime.now(UTC)
        broadcast = await Broadcast.create(
            title="bench",
            texts=BROADCAST_TEXTS,
            target=EVERYONE.to_json(),
            status=BroadcastStatus.SCHEDULED,
            scheduled_at=now,
            created_at=now,
        )
        return broadcast.id
    finally:
        await close_db()


async def start_broadcast(settings: Settings, broadcast_id: int, lanes: int) -> None:
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    for lane in range(lanes):  # a chain of slices per worker: they share the rows and the bulk budget
        await pool.enqueue_job("broadcasts.run", broadcast_id, 0, lane, _job_id=f"bench:{broadcast_id}:{lane}")
    await pool.aclose()


@asynccontextmanager
async def running_layout(
    root: Path, *, database_url: str, redis_url: str, webs: int, workers: int, recipients: int
) -> AsyncIterator[Layout]:
    """The fake Telegram here, the web and worker processes, a broadcast under way."""
    fake = BenchBotAPI()
    runner = web.AppRunner(fake.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    cluster = Cluster(root, database_url, redis_url, fake.url, fake.token, env=dict(PROCESS_ENV))
    try:
        await asyncio.to_thread(cluster.migrate)
        settings = Settings(_env_file=None, var_dir=cluster.var_dir, database_url=database_url, redis_url=redis_url)
        broadcast_id = await prepare_broadcast(settings, recipients) if recipients and workers else None
        for kind, count in (("web", webs), ("worker", workers)):
            for _ in range(count):
                await asyncio.to_thread(cluster.add, kind)  # the fake answers their startup calls meanwhile
        if broadcast_id is not None:
            await start_broadcast(settings, broadcast_id, workers)
        yield Layout(fake, cluster, settings)
    finally:
        await asyncio.to_thread(cluster.stop)
        await runner.cleanup()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few dozen residents: it runs, figures are not targets")
    parser.add_argument("--database-url", default="", help="an empty database (default: see above)")
    parser.add_argument("--webs", type=int, default=None, help="web processes (default 2 on PostgreSQL, else 1)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default 2 on PostgreSQL, else 1)")
    parser.add_argument("--users", type=int, default=None, help="residents (default 6000; quick 60)")
    parser.add_argument("--concurrency", type=int, default=None, help="residents at once (default 700; quick 16)")
    parser.add_argument("--recipients", type=int, default=None, help="broadcast recipients (default 5000; quick 200)")
    parser.add_argument(
        "--think-s", type=float, default=None, help="a resident's mean pause before each update (default 2; quick 0)"
    )
    return parser.parse_args(argv)


@asynccontextmanager
async def database(args: argparse.Namespace, root: Path) -> AsyncIterator[str]:
    """--database-url; else a fresh database on TEST_DATABASE_URL's server (tests/pg_cluster.py); else SQLite."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if args.database_url:
        yield args.database_url
    elif server_url:
        async with empty_database(server_url, "bench") as url:
            yield url
    else:
        yield f"sqlite://{root / 'bench.sqlite3'}"


async def bench(args: argparse.Namespace, root: Path) -> Figures:
    redis = EmbeddedRedis(root / "redis").start()
    try:
        async with database(args, root) as database_url:
            postgres = database_url.startswith("postgres")  # several processes need it (SQLite: one writer)
            webs, workers = args.webs or (2 if postgres else 1), args.workers or (2 if postgres else 1)
            recipients = args.recipients if args.recipients is not None else (200 if args.quick else 5000)
            async with running_layout(
                root / "layout",
                database_url=database_url,
                redis_url=redis.url,
                webs=webs,
                workers=workers,
                recipients=recipients,
            ) as layout:
                users = args.users or (60 if args.quick else 6000)
                concurrency = args.concurrency or (16 if args.quick else 700)
                think_s = args.think_s if args.think_s is not None else (0.0 if args.quick else 2.0)
                figures = await drive(layout, users, concurrency, 7, think_s)
            print(f"{users} residents, {webs} web + {workers} worker processes on {database_url.split(':')[0]}")
            return figures
    finally:
        redis.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    try:
        figures = asyncio.run(bench(args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{figures.updates} updates in {figures.elapsed_s:.1f} s; {len(figures.latencies_ms)} replies timed")
    per_update_ms = figures.web_cpu_s * 1000 / max(figures.updates, 1)
    print(f"web processes' CPU: {per_update_ms:.1f} ms per update (one core: {1000 / max(per_update_ms, 0.01):.0f}/s)")
    print(f"this process (Telegram and the residents): {figures.bench_cpu_s * 1000 / max(figures.updates, 1):.1f} ms")
    print("\n".join(figures.step_lines()))
    print(figures.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
