"""Broadcast fixtures: a fast shared rate limit and an arq pool (builders are in tests/factories.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import Redis

from bot.config import Settings


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
