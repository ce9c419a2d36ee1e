"""Redis away while the web process runs: pages that do not need it keep working, the rest answer a clear,
translated 503 (never a 500), and everything works again once Redis is back, without a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.admin.accounts import Role
from bot.config import Settings
from bot.embedded_redis import EmbeddedRedis
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, AdminClient, make_staff


@pytest.fixture
def settings(settings: Settings, own_redis: EmbeddedRedis) -> Settings:
    return settings.model_copy(update={"redis_url": own_redis.url})


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()


async def test_a_logged_in_moderator_keeps_working_while_redis_is_away(
    client: AdminClient, own_redis: EmbeddedRedis
) -> None:
    await make_staff("ana", Role.MODERATOR)
    assert await client.login("ana") == 200
    own_redis.stop()
    status, page = await client.get("/admin/queue")
    assert status == 200 and "ana" in page


async def login_while_away(client: AdminClient, own_redis: EmbeddedRedis, username: str, language: str) -> str:
    """Log in while Redis is stopped: the page's status must be 503; returns its text."""
    await make_staff(username, Role.MODERATOR)
    own_redis.stop()
    await client.get("/admin/login")
    client.session.headers["Accept-Language"] = language
    status, text = await client.post("/admin/login", {"username": username, "password": PASSWORD})
    assert status == 503
    return text


async def test_a_login_while_redis_is_away_is_a_clear_503_then_works_once_it_is_back(
    client: AdminClient, own_redis: EmbeddedRedis
) -> None:
    assert "try again in a few seconds" in await login_while_away(client, own_redis, "ben", "en-US,en;q=0.9")
    own_redis.start()
    assert await client.login("ben") == 200


async def test_the_503_speaks_the_readers_language(client: AdminClient, own_redis: EmbeddedRedis) -> None:
    assert "请几秒钟后重试" in await login_while_away(client, own_redis, "chen", "zh-CN,zh;q=0.9")
