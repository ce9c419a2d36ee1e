"""`kill -9` of a web process in the middle of a handler: after a restart the update is handled exactly once.

The fake Telegram holds the bot's request (a button answer, a photo download) so the handler is certainly
mid-way when the process dies; a new web process on the same database and Redis takes the update over
after the chat's lease (2 s here) and handles it: one report, one reply, one photo.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.reports.models import Photo, ProcessedUpdate, Report
from tests.bot.helpers import jpeg_bytes, reach_category
from tests.cluster import Cluster
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

#: A lease and a stranded-update feeder quick enough for a test (production: 20 s and 30 s).
QUICK_RECOVERY = {"UPDATE_LEASE_S": "2", "STRANDED_UPDATE_AFTER_S": "2"}
HANG_S = 60.0


@pytest.fixture
def cluster(tmp_path: Path, database_url: str, redis_url: str, fake_api: FakeBotAPI, redis: Redis) -> Iterator[Cluster]:
    layout = Cluster(tmp_path / "cluster", database_url, redis_url, fake_api.url, fake_api.token, env=QUICK_RECOVERY)
    try:
        yield layout
    finally:
        layout.stop()


async def test_a_submit_killed_mid_handler_files_one_report_with_one_reply(
    cluster: Cluster, fake_api: FakeBotAPI, orm: None
) -> None:
    first = await asyncio.to_thread(cluster.add, "web")  # the fake answers its startup calls meanwhile
    user = FakeUser(fake_api, 7101)
    categories = await reach_category(user)
    [ask_description] = await user.press(categories, "cat:ebike")
    [confirm] = await user.press(ask_description, "desc:skip")
    replies_before = len(fake_api.sent(7101))
    answers_before = fake_api.arrived.count("answerCallbackQuery")
    fake_api.delays_s["answerCallbackQuery"] = HANG_S  # the handler's first call: it hangs there
    await user.press(confirm, "cf:yes", expect_replies=0)
    await fake_api.wait_arrived("answerCallbackQuery", answers_before + 1)
    first.kill()
    fake_api.delays_s.clear()

    await asyncio.to_thread(cluster.add, "web")
    [submitted] = (await fake_api.wait_for("sendMessage", replies_before + 1, chat_id=7101, timeout_s=30))[-1:]
    assert "submitted" in submitted["text"]
    await cluster_settles()
    assert await Report.filter(reporter_id=7101).count() == 1
    assert len(fake_api.sent(7101)) == replies_before + 1, cluster.logs()
    assert not await ProcessedUpdate.filter(done_at__isnull=True).exists()


async def test_a_photo_killed_mid_download_is_stored_once_with_one_reply(
    cluster: Cluster, fake_api: FakeBotAPI, orm: None
) -> None:
    first = await asyncio.to_thread(cluster.add, "web")  # the fake answers its startup calls meanwhile
    user = FakeUser(fake_api, 7102)
    fake_api.delays_s["file"] = HANG_S
    await user.photo(jpeg_bytes(), expect_replies=0)
    await fake_api.wait_arrived("file")
    first.kill()
    fake_api.delays_s.clear()

    await asyncio.to_thread(cluster.add, "web")
    [added] = await fake_api.wait_for("sendMessage", 1, chat_id=7102, timeout_s=30)
    assert "Photo 1 of 3" in added["text"]
    await cluster_settles()
    assert await Photo.filter(owner_id=7102).count() == 1
    assert len(fake_api.sent(7102)) == 1, cluster.logs()


async def cluster_settles() -> None:
    """Long enough for any second run to have shown itself (two leases and a feeder round), then until the
    inbox is recorded done."""
    await asyncio.sleep(5)
    for _ in range(50):
        if not await ProcessedUpdate.filter(done_at__isnull=True).exists():
            return
        await asyncio.sleep(0.2)
