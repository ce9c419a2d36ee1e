"""Worker processes as deployed (`python -m bot worker`): a SIGTERM mid-broadcast, and Redis going away."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from redis.asyncio import Redis

from bot.admin.accounts import Role
from bot.config import Settings
from bot.embedded_redis import EmbeddedRedis
from bot.jobs import SEND_TEXT_JOB
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from tests.admin_client import AdminClient, make_staff
from tests.conftest import free_port
from tests.e2e.processes import BotProcess, env_for, eventually
from tests.factories import make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

NO_QUIET_HOURS = {"QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}
WORKER_UP = "Starting worker for"


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.kill()


async def start(processes: list[BotProcess], command: str, env: dict[str, str], log: Path) -> BotProcess:
    process = await BotProcess(command, env, log).start()
    processes.append(process)
    return process


async def broadcast_done(broadcast_id: int) -> bool:
    return (await Broadcast.get(id=broadcast_id)).status == BroadcastStatus.DONE


class TestSigterm:
    async def test_the_other_worker_finishes_the_broadcast_within_10_s_and_nobody_gets_it_twice(
        self,
        orm: None,
        settings: Settings,
        fake_api: FakeBotAPI,
        redis: Redis,
        tmp_path: Path,
        processes: list[BotProcess],
    ) -> None:
        ids = await make_residents(50_001, 200)
        broadcast = await make_broadcast(datetime.now(UTC))
        env = env_for(settings, BROADCAST_RATE_PER_S="100", BROADCAST_BURST="1", **NO_QUIET_HOURS)
        workers = [await start(processes, "worker", env, tmp_path / f"worker{n}.log") for n in range(2)]
        for worker in workers:
            await worker.wait_for_log(WORKER_UP)
        pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
        await pool.enqueue_job("broadcasts.run", broadcast.id, 0)
        await pool.aclose()
        await fake_api.wait_for("sendMessage", 50, timeout_s=60)

        [sending] = [worker for worker in workers if ":broadcasts.run(" in worker.log()]
        [other] = [worker for worker in workers if worker is not sending]
        sending.signal(signal.SIGTERM)
        terminated_at = time.monotonic()
        assert await sending.wait(timeout_s=30) == 0, sending.log()
        done_at = await eventually(lambda: broadcast_done(broadcast.id), 30, "the broadcast was not finished")

        assert done_at - terminated_at <= 10
        assert ":broadcasts.run(" in other.log() and other.running()
        received = Counter(int(p["chat_id"]) for p in fake_api.sent())
        assert set(received) == set(ids) and set(received.values()) == {1}, "someone got it twice (or never)"
        states = Counter(await Delivery.filter(broadcast_id=broadcast.id).values_list("state", flat=True))
        assert states == {DeliveryState.SENT: 200}, "nothing may be failed 'in doubt'"


async def a_job_runs(settings: Settings, fake_api: FakeBotAPI, chat_id: int) -> None:
    """Queue a text (the kernel's unsolicited-message job) and wait until the worker has sent it."""
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    try:
        await pool.enqueue_job(SEND_TEXT_JOB, f"t:{chat_id}", chat_id, "hello", _job_id=f"t:{chat_id}")
    finally:
        await pool.aclose()
    await fake_api.wait_for("sendMessage", 1, chat_id=chat_id, timeout_s=60)


async def login_status(base_url: str) -> int:
    client = AdminClient(base_url)
    try:
        return await client.login("ops")
    finally:
        await client.close()


class TestRedisRestart:
    async def test_procfile_layout_runs_jobs_and_logins_again_after_redis_comes_back(
        self, orm: None, settings: Settings, fake_api: FakeBotAPI, tmp_path: Path, processes: list[BotProcess]
    ) -> None:
        """web + worker + a separate redis-server: Redis killed (-9) and started again; the worker goes on
        with its jobs, logins answer a clear 503 meanwhile and work again without a restart."""
        redis_server = EmbeddedRedis(tmp_path / "redis").start()
        try:
            settings.redis_url = redis_server.url
            await make_staff("ops", Role.ADMIN)
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            env = env_for(settings, PORT=str(port), PUBLIC_URL=base_url, WEBHOOK_SECRET="w" * 40)
            web = await start(processes, "web", env, tmp_path / "web.log")
            worker = await start(processes, "worker", env, tmp_path / "worker.log")
            await worker.wait_for_log(WORKER_UP)
            await web.wait_for_log("Web admin at")
            await a_job_runs(settings, fake_api, 60_001)
            assert await login_status(base_url) == 200

            assert redis_server.pid is not None
            os.kill(redis_server.pid, signal.SIGKILL)
            await eventually(lambda: "Redis is unreachable" in worker.log(), 30, "the worker did not notice")
            assert await login_status(base_url) == 503
            await redis_server.restart()

            await a_job_runs(settings, fake_api, 60_002)
            await eventually(lambda: login_status_is_ok(base_url), 30, "logins did not recover")
            assert worker.running() and web.running()
            assert "Redis is back" in worker.log()
        finally:
            redis_server.stop()


async def login_status_is_ok(base_url: str) -> bool:
    return await login_status(base_url) == 200
