"""Long polling (a token, no PUBLIC_URL) feeds the very pipeline the webhook feeds."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from bot.config import Settings
from bot.reports.models import ProcessedUpdate
from bot.runtime import WebRuntime, running_web
from tests.bot.helpers import command_update
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI


class PollingBotAPI(FakeBotAPI):
    """The fake Telegram with updates waiting for getUpdates, as Telegram keeps them for a polling bot."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "getUpdates":
            return await super()._api(request)
        p = await self._params(request)
        offset = int(p.get("offset") or 0)
        self.waiting = [update for update in self.waiting if update["update_id"] >= offset]  # confirmed: gone
        if not self.waiting:
            await asyncio.sleep(min(float(p.get("timeout") or 0), 0.2))  # a long poll, kept short
        return web.json_response({"ok": True, "result": self.waiting})

    def queue(self, update_body: dict[str, Any]) -> int:
        update_id = next(self._ids)
        self.waiting.append({"update_id": update_id, **update_body})
        return update_id


@pytest.fixture
async def fake_api() -> AsyncIterator[PollingBotAPI]:
    api = PollingBotAPI()
    server = TestServer(api.app, host="127.0.0.1")
    await server.start_server()
    api.url = str(server.make_url("")).rstrip("/")
    yield api
    await server.close()


@pytest.fixture
async def polling_product(
    settings: Settings, clock: FrozenClock, redis: Redis, fake_api: PollingBotAPI
) -> AsyncIterator[WebRuntime]:
    async with running_web(settings.model_copy(update={"public_url": ""}), clock=clock) as runtime:
        yield runtime


async def test_a_polled_command_is_stored_answered_and_its_body_dropped(
    polling_product: WebRuntime, fake_api: PollingBotAPI
) -> None:
    assert fake_api.webhook is None  # the bot said goodbye to any webhook first
    update_id = fake_api.queue({"message": command_update(0, 8801, "/help")["message"]})
    [menu] = await fake_api.wait_for("sendMessage", 1, chat_id=8801)
    assert "/report" in menu["text"]
    await polling_product.pipeline.join()
    stored = await ProcessedUpdate.get(update_id=update_id)
    assert stored.body is None and stored.done_at is not None


async def test_a_malformed_polled_update_does_not_stop_polling(
    polling_product: WebRuntime, fake_api: PollingBotAPI
) -> None:
    """The offset moves past it (else getUpdates would return it forever) and the next one is answered."""
    bad = command_update(0, 8802, "/help")["message"]
    bad["chat"]["id"] = {"not": "a number"}
    fake_api.queue({"message": bad})
    fake_api.queue({"message": command_update(0, 8803, "/help")["message"]})
    [menu] = await fake_api.wait_for("sendMessage", 1, chat_id=8803)
    assert "/report" in menu["text"]
