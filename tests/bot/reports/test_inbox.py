"""The update inbox: stored before the webhook answers, scrubbed once handled, stranded ones fed again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.reports.inbox import bodies_to_do, mark_done, record_update, take_stranded
from bot.reports.models import ProcessedUpdate
from bot.runtime import WebRuntime
from bot.telegram.stranded import feed_stranded
from tests.bot.helpers import command_update
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


def start_command(update_id: int, chat_id: int) -> dict[str, Any]:
    return command_update(update_id, chat_id, "/start")


class TestInbox:
    async def test_a_handled_update_keeps_its_id_and_drops_its_body(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Stored at the door, done once handled: the id stays (redeliveries), the message and names go."""
        assert await fake_api.deliver({"message": start_command(5001, 2701)["message"]}, update_id=5001) == 200
        await fake_api.wait_for("sendMessage", chat_id=2701)
        await product.pipeline.join()
        stored = await ProcessedUpdate.get(update_id=5001)
        assert stored.done_at is not None and stored.body is None and stored.chat_id == 2701

    async def test_after_a_claim_the_inbox_holds_no_phone_number_and_no_name(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The /claim exchange sends the resident's phone number and real name: once handled, the inbox keeps
        their update ids only."""
        user = FakeUser(fake_api, 2704, first_name="Wen")
        await user.command("/claim")
        await user.contact("+8613800138000")
        await user.text("张三丰")
        await product.pipeline.join()
        rows = await ProcessedUpdate.filter(chat_id=2704)
        assert len(rows) == 3 and all(row.body is None and row.done_at is not None for row in rows)

    async def test_a_stranded_update_is_answered_once(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """What a crash after "200 OK" leaves (stored, never handled) is fed again and answered exactly once."""
        body = start_command(5002, 2702)
        assert await record_update(5002, 2702, body, clock() - timedelta(minutes=2))
        assert await feed_stranded(product.pipeline) == 1
        [greeting] = await fake_api.wait_for("sendMessage", chat_id=2702)
        assert "Privacy" in greeting["text"]
        await product.pipeline.join()
        assert await feed_stranded(product.pipeline) == 0
        assert len(fake_api.sent(2702)) == 1

    async def test_an_update_is_not_stranded_while_it_waits_its_turn(self, orm: None, clock: FrozenClock) -> None:
        """A fresh update still queued behind others is left alone; only an old unfinished one is fed again."""
        await record_update(5003, 2703, start_command(5003, 2703), clock() - timedelta(seconds=5))
        taken = await take_stranded(clock(), after_s=30, lease_s=20, limit=10, max_attempts=5)
        assert taken.fed == []
        later = clock() + timedelta(minutes=1)
        assert (await take_stranded(later, after_s=30, lease_s=20, limit=10, max_attempts=5)).fed == [(5003, 2703)]

    async def test_a_stranded_update_is_fed_once_per_lease(self, orm: None, clock: FrozenClock) -> None:
        """Fed again, it is left alone for one lease (its new owner is at it), then fed again if still unfinished."""
        await record_update(5004, 2704, start_command(5004, 2704), clock() - timedelta(minutes=2))
        rules = {"after_s": 30, "lease_s": 20, "limit": 10, "max_attempts": 5}
        assert (await take_stranded(clock(), **rules)).fed == [(5004, 2704)]
        assert (await take_stranded(clock() + timedelta(seconds=19), **rules)).fed == []
        assert (await take_stranded(clock() + timedelta(seconds=21), **rules)).fed == [(5004, 2704)]

    async def test_a_round_feeds_at_most_its_bound(self, orm: None, clock: FrozenClock) -> None:
        """Thousands stranded (a long outage): each round takes a bounded batch, oldest first."""
        for update_id in range(6000, 6050):
            await record_update(update_id, update_id, start_command(update_id, update_id), clock() - timedelta(hours=1))
        taken = await take_stranded(clock(), after_s=30, lease_s=20, limit=20, max_attempts=5)
        assert [update_id for update_id, _ in taken.fed] == list(range(6000, 6020))

    async def test_an_update_that_never_finishes_is_given_up(self, orm: None, clock: FrozenClock) -> None:
        """One that kills every process that handles it is fed `max_attempts` times, then dropped (body too)."""
        await record_update(5005, 2705, start_command(5005, 2705), clock() - timedelta(minutes=2))
        rules = {"after_s": 30, "lease_s": 20, "limit": 10, "max_attempts": 2}
        fed = [len((await take_stranded(clock() + timedelta(minutes=i), **rules)).fed) for i in range(3)]
        assert fed == [1, 1, 0]
        stored = await ProcessedUpdate.get(update_id=5005)
        assert stored.done_at is not None and stored.body is None

    async def test_a_done_update_has_no_body_to_load(self, orm: None, clock: FrozenClock) -> None:
        await record_update(5006, 2706, start_command(5006, 2706), clock())
        await record_update(5007, 2706, start_command(5007, 2706), clock())
        assert await mark_done([5006], clock()) == 1
        assert list(await bodies_to_do([5006, 5007])) == [5007]
        assert not await record_update(5006, 2706, start_command(5006, 2706), clock())  # redelivered: dropped
