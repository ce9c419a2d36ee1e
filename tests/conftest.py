"""Shared fixtures: a real database, a real Redis, the real web app, and the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from redis.asyncio import Redis

from bot.composition import all_features
from bot.config import Settings
from bot.db import close_db, init_db
from bot.embedded_redis import EmbeddedRedis
from bot.jobs import relay_changes
from bot.runtime import WebRuntime, running_web
from bot.services import running_services
from bot.worker import build_worker
from rewards.ledger import check_invariants
from tests.fake_botapi import FakeBotAPI
from tests.pg import MIGRATED_SQLITE_ENV, build_template, database_url_for_test

# Hypothesis' own clocks (a 200 ms deadline per example, "input generation is slow") fail a property on a
# busy 2-core runner that stalls a process now and then: timing is for benches, not tests.
hypothesis_settings.register_profile("safecity", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("safecity")

TEST_CHAT_RATE_PER_S, TEST_CHAT_BURST = 1000.0, 100


class FrozenClock:
    """The only mocked thing besides randomness: time, moved explicitly by tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


#: Ports handed out for servers tests start, below Linux's ephemeral range (32768+) so no outgoing connection
#: takes one, and a block of their own per pytest-xdist worker: two workers asking the kernel for a "free"
#: port at once could both be given the same one, and a test then spoke to the other worker's server.
PORTS_PER_WORKER = 2_000
#: Where this process tries next inside its block (a process is one worker, so one cursor serves).
_port_offsets = itertools.count(os.getpid())


def free_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    first = 12_000 + int(worker.removeprefix("gw") or 0) % 8 * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = first + next(_port_offsets) % PORTS_PER_WORKER
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # still taken (a server of an earlier test, or TIME_WAIT)
            return port
    raise RuntimeError(f"no free port in {first}..{first + PORTS_PER_WORKER} for {worker}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, so it can be stopped and started again at the same address."""
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    server = TestServer(api.app, host="127.0.0.1")
    await server.start_server()
    api.url = str(server.make_url("")).rstrip("/")
    yield api
    await server.close()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once per session (a fresh event loop: fixtures' loops are per test)."""
    return asyncio.run(build_template(tmp_path_factory.mktemp("template-db")))


@pytest.fixture
def handed_over_template(template_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Processes the test starts (a bench, a cluster) begin each new SQLite database as a copy of the template."""
    if Path(template_database).is_file():
        monkeypatch.setenv(MIGRATED_SQLITE_ENV, template_database)


@pytest.fixture
async def database_url(tmp_path: Path, template_database: str) -> AsyncIterator[str]:
    async with database_url_for_test(tmp_path, template_database) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, fake_api: FakeBotAPI, redis_url: str, database_url: str) -> Settings:
    port = free_port()
    return Settings(
        _env_file=None,
        var_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_url,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        telegram_bot_token=fake_api.token,
        telegram_api_url=f"{fake_api.url}/bot",
        telegram_file_url=f"{fake_api.url}/file/bot",
        webhook_secret="test-webhook-secret-that-is-long-enough-0123",
        # Conversations in tests reply faster than Telegram's ~1 message/s per chat would let them: the
        # limit is tested on its own (tests/bot/test_outbound.py); here it would only make tests wait.
        chat_rate_per_s=TEST_CHAT_RATE_PER_S,
        chat_burst=TEST_CHAT_BURST,
    )


@pytest.fixture
def db(settings: Settings) -> None:
    """The test's database is a copy of the migrated template: nothing left to do."""


@pytest.fixture
async def ledger_invariant(db: None, settings: Settings) -> AsyncIterator[None]:
    """After every test that had a database (moderation and intake move money too): each ledger
    transaction sums to zero and every cached balance equals the sum of its account's entries.
    Set up first, so torn down last, once the test's own ORM is closed: it opens its own."""
    yield
    await init_db(settings)
    try:
        problems = await check_invariants()
    finally:
        await close_db()
    assert problems == [], problems


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test with a database the ledger check, first among its fixtures."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "db" in names and "ledger_invariant" not in names:
            names.insert(0, "ledger_invariant")


@pytest.fixture
async def orm(db: None, settings: Settings) -> AsyncIterator[None]:
    """The ORM without the web process, for tests of domain functions."""
    await init_db(settings)
    yield
    await close_db()


@pytest.fixture
async def product(db: None, settings: Settings, clock: FrozenClock, redis: Redis) -> AsyncIterator[WebRuntime]:
    async with running_web(settings, clock=clock) as runtime:
        yield runtime


@pytest.fixture
def run_worker(settings: Settings, clock: FrozenClock) -> Callable[[], Awaitable[int]]:
    """Relay committed status changes (as every worker's relay loop does), then run every queued job in a
    burst-mode arq worker, until no change is left to react to; returns the number of jobs done.

    It shares the test's ORM (opened by the `product` or `orm` fixture), as the worker in `make run` does.
    """

    async def burst() -> int:
        worker = build_worker(settings, clock=clock, burst=True, own_database=False)
        try:
            await worker.main()
            return int(worker.jobs_complete)
        finally:
            await worker.close()

    async def run() -> int:
        done = 0
        async with running_services(settings, all_features(), clock=clock) as services:
            while True:
                relayed = await relay_changes(services)
                done += await burst()
                if not relayed:
                    return done

    return run
