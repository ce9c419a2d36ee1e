"""`python -m bot run` (what `make run` starts) rides out its embedded Redis dying: it is started again,
the in-process worker runs jobs again and staff can still log in, with no restart of the product."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings

from bot.jobs import SEND_TEXT_JOB
from tests.admin_client import AdminClient
from tests.e2e.running import RunningProduct, descendants, running
from tests.e2e.test_run_process import say, transcript, wait_for_file


def redis_servers(product: RunningProduct) -> list[int]:
    found = []
    for pid in descendants(product.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"redis-server" in command and running(pid):
            found.append(pid)
    return found


def wait_for_new_redis(product: RunningProduct, old_pid: int) -> int:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        fresh = [pid for pid in redis_servers(product) if pid != old_pid]
        if fresh:
            return fresh[0]
        time.sleep(0.1)
    raise AssertionError(f"no new redis-server:\n{product.log_path.read_text()}")


async def queue_text(redis_url: str, chat_id: int, text: str) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.enqueue_job(SEND_TEXT_JOB, f"t:{text}", chat_id, text, _job_id=f"t:{text}")
    finally:
        await pool.aclose()


async def logs_in(base_url: str, username: str, password: str) -> int:
    client = AdminClient(base_url)
    try:
        return await client.login(username, password)
    finally:
        await client.close()


@pytest.mark.usefixtures("handed_over_template")
def test_a_killed_embedded_redis_is_started_again_and_jobs_and_logins_go_on(tmp_path: Path) -> None:
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        username, password = wait_for_file(product.var_dir / "sandbox-admin.txt").split()
        match = re.search(r"embedded Redis on (unix://\S+)", product.log_path.read_text())
        assert match is not None
        redis_url = match.group(1)
        say(product, 41, "/start")
        transcript(product, 41, bot_messages=1)
        [old_pid] = redis_servers(product)

        os.kill(old_pid, signal.SIGKILL)
        wait_for_new_redis(product, old_pid)
        asyncio.run(queue_text(redis_url, 41, "after the restart"))

        messages = transcript(product, 41, bot_messages=2)
        assert messages[-1]["message"]["text"] == "after the restart", product.log_path.read_text()
        assert asyncio.run(logs_in(product.base_url, username, password)) == 200
        assert "the embedded Redis runs again" in product.log_path.read_text()
        assert product.stop(signal.SIGTERM)[0] == 0
    finally:
        product.kill()
