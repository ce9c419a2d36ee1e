"""The webhook: oversized bodies refused before storing, malformed updates dropped, the bot answering on."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.reports.models import ProcessedUpdate
from bot.runtime import WebRuntime
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


def webhook(fake_api: FakeBotAPI) -> tuple[str, dict[str, str]]:
    assert fake_api.webhook is not None
    return fake_api.webhook["url"], {"X-Telegram-Bot-Api-Secret-Token": fake_api.webhook["secret_token"]}


async def post(url: str, headers: dict[str, str], **body: Any) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, headers=headers, **body) as response:
        return response.status


def malformed_chat_update(update_id: int) -> dict[str, object]:
    """What stopped PTB's only consumer: a chat id that is an object (PTB adds it to a set, unhashable)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": {"nested": 1}, "type": "private"},
            "from": {"id": 3301, "is_bot": False, "first_name": "Mallory Real-Name"},
            "text": "/help",
        },
    }


class TestBodySize:
    async def test_a_body_over_the_limit_gets_413_and_nothing_is_stored(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        url, headers = webhook(fake_api)
        padding = "x" * (product.settings.webhook_max_body_bytes + 1)
        body = {"update_id": 71, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        assert await post(url, headers, json={**body, "padding": padding}) == 413
        assert not await ProcessedUpdate.exists()

    async def test_a_chunked_body_over_the_limit_gets_413(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """No Content-Length to trust: reading stops at the limit."""
        url, headers = webhook(fake_api)

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"update_id": 72, "padding": "'
            for _ in range(product.settings.webhook_max_body_bytes // 65536 + 2):
                yield b"y" * 65536
            yield b'"}'

        assert await post(url, headers, data=chunks()) == 413
        assert not await ProcessedUpdate.exists()


class TestMalformedUpdates:
    async def test_a_malformed_chat_id_is_dropped_and_the_next_user_answered(
        self, product: WebRuntime, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        url, headers = webhook(fake_api)
        assert await post(url, headers, json=malformed_chat_update(9001)) == 200  # else Telegram sends it again
        [menu] = await FakeUser(fake_api, 3302).command("/help")
        assert "/report" in menu["text"]
        assert not await ProcessedUpdate.filter(update_id=9001).exists()
        dropped = [r.getMessage() for r in caplog.records if "9001" in r.getMessage()]
        assert dropped == ["dropping update 9001 (message): update.message.chat.id has the wrong type"]
        assert "Mallory" not in caplog.text

    async def test_a_body_that_is_not_json_is_answered_and_dropped(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        url, headers = webhook(fake_api)
        assert await post(url, headers, data=b"{not json") == 200
        assert not await ProcessedUpdate.exists()

    async def test_an_update_that_breaks_ptb_outside_the_handlers_stops_nobody(
        self, product: WebRuntime, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Whatever slips past the checks and fails outside a handler is logged by id; the chat goes on."""

        async def broken_process_update(update: object) -> None:
            raise TypeError("unhashable type: 'dict'")

        original = product.ptb.process_update
        product.ptb.process_update = broken_process_update  # type: ignore[method-assign]
        user = FakeUser(fake_api, 3303)
        await user.command("/help", expect_replies=0)
        await product.pipeline.join()
        product.ptb.process_update = original  # type: ignore[method-assign]
        [menu] = await user.command("/help")
        assert "/report" in menu["text"]
        assert any("could not be handled" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


class TestNoBrowserSession:
    async def test_an_update_is_answered_without_a_session_cookie(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Telegram is not a browser: the admin's session (and its encryption) stays out of the webhook."""
        url, headers = webhook(fake_api)
        update = {
            "update_id": 81,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 3302, "type": "private"},
                "from": {"id": 3302, "is_bot": False, "first_name": "R"},
                "text": "/help",
            },
        }
        async with aiohttp.ClientSession() as session, session.post(url, headers=headers, json=update) as response:
            assert response.status == 200
            assert "Set-Cookie" not in response.headers
