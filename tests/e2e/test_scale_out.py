"""The Procfile layout at small scale: 2 web + 2 worker processes on one PostgreSQL and one Redis.

Driven by bench/webhook.py's quick traffic (each resident's consecutive updates go to alternate web
processes, as a load balancer that ignores chats would send them) while a broadcast runs: nothing lost,
nothing sent twice. Then the races that one chat's updates split across processes used to lose: a
double-tapped "Submit" (one tap to each process) files one report, thirty times over; an album split
across the processes keeps every photo up to the limit. Full size: README, "Benchmarks".
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bench._webhook_parts import Figures
from bench.webhook import HEADERS, Layout, Resident_, drive, file_report, running_layout
from bot.db import close_db, init_db
from bot.embedded_redis import EmbeddedRedis
from bot.reports.models import Draft, Photo, Report
from tests.bot.helpers import noisy_jpeg
from tests.pg import empty_database

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="several processes need PostgreSQL (make test-postgres)"
    ),
    pytest.mark.asyncio(loop_scope="module"),  # one layout (six processes) for the module's tests
]
TAP_IDS = itertools.count(900_000_000)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def layout(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Layout]:
    root = tmp_path_factory.mktemp("scale-out")
    redis = EmbeddedRedis(root / "redis").start()  # its own: other tests flush the shared one
    try:
        async with (
            empty_database(os.environ["TEST_DATABASE_URL"], "scale") as database_url,
            running_layout(
                root / "layout", database_url=database_url, redis_url=redis.url, webs=2, workers=2, recipients=200
            ) as running,
        ):
            await init_db(running.settings)
            try:
                yield running
            finally:
                await close_db()
    finally:
        redis.stop()


async def post(session: aiohttp.ClientSession, url: str, update: dict[str, Any]) -> None:
    async with session.post(url, json=update, headers=HEADERS) as response:
        assert response.status == 200


def submit_tap(user: Resident_, confirm: dict[str, Any]) -> dict[str, Any]:
    result = confirm["_result"]
    message = {"message_id": result["message_id"], "date": result["date"], "chat": {"id": user.id, "type": "private"}}
    sender = {"id": user.id, "is_bot": False, "first_name": "Tap", "language_code": "en"}
    update_id = next(TAP_IDS)
    query = {"id": f"q{update_id}", "chat_instance": "ci", "data": "cf:yes", "from": sender, "message": message}
    return {"update_id": update_id, "callback_query": query}


async def double_tap_submit(layout: Layout, session: aiohttp.ClientSession, user: Resident_) -> list[str]:
    """Reach the confirmation, then tap Submit twice at once, one tap to each web process."""
    confirm: dict[str, Any] | None = None

    async def keep_confirm(bot_message: dict[str, Any], data: str) -> dict[str, Any] | None:
        nonlocal confirm
        if data == "cf:yes":
            confirm = bot_message
            return None
        return await Resident_.tap(user, bot_message, data)

    user.tap = keep_confirm  # type: ignore[method-assign]  # stop at the confirmation, keep it
    await file_report(user, noisy_jpeg(user.id), random.Random(user.id))
    assert confirm is not None, f"resident {user.id} never reached the confirmation"
    first, second = layout.webhook_urls
    await asyncio.gather(
        post(session, first, submit_tap(user, confirm)), post(session, second, submit_tap(user, confirm))
    )
    replies = [await user.next_message() for _ in range(2)]
    return [str(reply[1]["text"]) if reply else "" for reply in replies]


async def test_quick_traffic_loses_and_doubles_nothing(layout: Layout) -> None:
    figures = await drive(layout, users=60, concurrency=16)
    assert figures.updates > 150
    assert (figures.lost, figures.doubled) == (0, 0), layout.cluster.logs()


async def test_a_double_tapped_submit_split_across_processes_files_one_report(layout: Layout) -> None:
    figures = Figures()
    async with aiohttp.ClientSession() as session:
        users = [Resident_(layout, session, 40_000_000 + i, figures) for i in range(30)]
        answers = await asyncio.gather(*(double_tap_submit(layout, session, user) for user in users))
    for user, texts in zip(users, answers, strict=True):
        assert await Report.filter(reporter_id=user.id).count() == 1, (user.id, texts)
        filed = [text for text in texts if "submitted" in text and "already" not in text]
        refused = [text for text in texts if "already submitted" in text]
        assert (len(filed), len(refused)) == (1, 1), (user.id, texts)
    assert figures.lost == 0


@pytest.mark.parametrize("album", [2, 4])
async def test_an_album_split_across_processes_keeps_every_photo(layout: Layout, album: int) -> None:
    """Telegram sends an album's photos as separate updates at once; each goes to another process."""
    user_id = 41_000_000 + album
    async with aiohttp.ClientSession() as session:
        updates = []
        for i in range(album):
            file_id = f"ALBUM{album}-{i}"
            layout.fake.files[file_id] = (noisy_jpeg(album * 10 + i), f"photos/{file_id}.jpg")
            size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 640, "height": 480}
            message = {"message_id": i + 1, "date": 0, "chat": {"id": user_id, "type": "private"}, "photo": [size]}
            sender = {"id": user_id, "is_bot": False, "first_name": "Album", "language_code": "en"}
            updates.append({"update_id": next(TAP_IDS), "message": {**message, "from": sender, "media_group_id": "g"}})
        urls = layout.webhook_urls
        await asyncio.gather(*(post(session, urls[i % 2], update) for i, update in enumerate(updates)))
        for _ in range(album):
            assert await asyncio.wait_for(layout.fake.inbox[user_id].get(), 30)
    draft = await Draft.get(resident_id=user_id)
    positions = sorted(photo.position for photo in await Photo.filter(draft_id=draft.id))
    kept = min(album, 3)
    assert positions == list(range(kept)) and draft.photo_count == kept
