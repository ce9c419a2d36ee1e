"""Bot-test fixtures: the product in sandbox mode (no token: the bot talks to its own Bot API emulation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.runtime import WebRuntime, running_web
from tests.conftest import TEST_CHAT_BURST, TEST_CHAT_RATE_PER_S, FrozenClock, free_port


@pytest.fixture
def sandbox_settings(tmp_path: Path, redis_url: str, database_url: str) -> Settings:
    """Settings as `make run` has them without TELEGRAM_BOT_TOKEN, on a free port."""
    return Settings(
        _env_file=None,
        var_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_url,
        port=free_port(),
        chat_rate_per_s=TEST_CHAT_RATE_PER_S,
        chat_burst=TEST_CHAT_BURST,
    )


@pytest.fixture
async def sandbox_product(sandbox_settings: Settings, clock: FrozenClock, redis: Redis) -> AsyncIterator[WebRuntime]:
    async with running_web(sandbox_settings, clock=clock) as runtime:
        yield runtime
