"""Broadcast fixtures: a fast shared rate limit, an open ORM, an arq pool, residents and broadcasts in bulk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import Redis

from bot.config import Settings
from bot.reports.models import Resident
from broadcasts.control import schedule
from broadcasts.message import Button
from broadcasts.models import Broadcast, BroadcastStatus
from broadcasts.targeting import EVERYONE, Target

TEXTS = {"en": "Fire safety letter", "zh_CN": "消防安全公开信"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with a limit high enough for 300 messages in a fraction of a second."""
    settings.broadcast_rate_per_s = 1000.0
    settings.broadcast_burst = 50
    return settings


@pytest.fixture
async def arq_pool(settings: Settings, redis: Redis) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    yield pool
    await pool.aclose()


async def make_residents(first_id: int, count: int, languages: tuple[str, ...] = ("en", "zh_CN")) -> list[int]:
    """`count` residents with ids (= chat ids) from `first_id`, languages taken in turn."""
    ids = list(range(first_id, first_id + count))
    await Resident.bulk_create(
        [
            Resident(id=i, chat_id=i, first_name=f"R{i}", language=languages[n % len(languages)])
            for n, i in enumerate(ids)
        ]
    )
    return ids


async def make_broadcast(
    now: datetime,
    *,
    target: Target = EVERYONE,
    texts: dict[str, str] | None = None,
    buttons: list[Button] | None = None,
    scheduled: bool = True,
    at: datetime | None = None,
) -> Broadcast:
    broadcast = await Broadcast.create(
        title="Letter",
        texts=texts or TEXTS,
        buttons=[b.to_json() for b in buttons or []],
        target=target.to_json(),
        status=BroadcastStatus.DRAFT,
        created_at=now,
    )
    if scheduled:
        assert await schedule(broadcast.id, at or now)
    await broadcast.refresh_from_db()
    return broadcast
