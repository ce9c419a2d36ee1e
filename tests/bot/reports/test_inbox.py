"""The update inbox: an update is stored before the webhook answers, and one a crash stranded is fed again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.config import Settings
from bot.db import close_db, init_db
from bot.reports.inbox import claim_update, record_update, stranded_updates
from bot.reports.models import ProcessedUpdate
from bot.runtime import WebRuntime
from bot.web.webhook import feed_stranded
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI


def start_command(update_id: int, chat_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lin", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


class TestInbox:
    async def test_a_handled_update_keeps_its_id_and_drops_its_body(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Stored at the door, started by the handler: the id stays (redeliveries), the message text goes."""
        assert await fake_api.deliver({"message": start_command(5001, 2701)["message"]}, update_id=5001) == 200
        await fake_api.wait_for("sendMessage", chat_id=2701)
        await product.ptb.update_queue.join()
        stored = await ProcessedUpdate.get(update_id=5001)
        assert stored.started_at is not None and stored.body is None

    async def test_a_stranded_update_is_answered_once(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """What a crash after "200 OK" leaves (stored, never started) is fed again and answered exactly once."""
        assert await record_update(start_command(5002, 2702), clock() - timedelta(minutes=2))
        assert await feed_stranded(product.ptb, clock, product.settings.stranded_update_after_s) == 1
        [greeting] = await fake_api.wait_for("sendMessage", chat_id=2702)
        assert "Privacy" in greeting["text"]
        assert await feed_stranded(product.ptb, clock, product.settings.stranded_update_after_s) == 0
        await product.ptb.update_queue.join()
        assert len(fake_api.sent(2702)) == 1

    async def test_an_update_is_not_stranded_while_it_waits_its_turn(
        self, db: None, settings: Settings, clock: FrozenClock
    ) -> None:
        """A fresh update still queued behind others is left alone; only an old unstarted one is fed again."""
        await init_db(settings)
        try:
            await record_update(start_command(5003, 2703), clock() - timedelta(seconds=5))
            assert await stranded_updates(clock(), 30) == []
            assert [body["update_id"] for body in await stranded_updates(clock() + timedelta(minutes=1), 30)] == [5003]
            assert await claim_update(5003, clock())
            assert not await claim_update(5003, clock())  # a second copy of it is dropped
            assert await stranded_updates(clock() + timedelta(minutes=1), 30) == []
        finally:
            await close_db()
