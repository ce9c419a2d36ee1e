"""The update pipeline in one web process: order within a chat, concurrency across chats, replays that
change and send nothing twice, and the SQL a command and a whole report cost."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from telegram import Update

from bot.reports.inbox import record_update
from bot.reports.models import Draft, Photo, ProcessedUpdate, Report, Resident
from bot.runtime import WebRuntime
from bot.telegram.chat_queue import ChatQueues, done_key
from bot.telegram.once import UpdateScope
from bot.telegram.stranded import feed_stranded
from tests.bot.helpers import command_update, counting_statements, jpeg_bytes, noisy_jpeg, reach_category
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


def per_update(statements: list[str]) -> list[str]:
    """Without the feeder's periodic look for stranded updates (the process's, not any update's)."""
    return [s for s in statements if not (s.startswith("SELECT") and "fed_until" in s)]


def texts(fake_api: FakeBotAPI, chat_id: int) -> list[str]:
    return [str(p["text"]) for p in fake_api.sent(chat_id)]


def update_of(product: WebRuntime, body: dict[str, Any]) -> Update:
    update = Update.de_json(body, product.ptb.bot)
    assert update is not None
    return update


def die_before_recording(product: WebRuntime) -> None:
    """From now on the process "dies" after handling each update, before writing down that it did: its
    done marks are lost (and with them the clearing of its send claims)."""
    product.pipeline.done.add = lambda update_id, redis_keys: None  # type: ignore[method-assign]


async def handle_again(product: WebRuntime, body: dict[str, Any]) -> None:
    """What another process does with an update whose handler ran but was not recorded done."""
    update = update_of(product, body)
    assert update.effective_chat is not None
    await product.pipeline._handle(update, UpdateScope(str(update.effective_chat.id), update.update_id))


def tap(user: FakeUser, bot_message: dict[str, Any], data: str, update_id: int) -> dict[str, Any]:
    result = bot_message["_result"]
    message = {"message_id": result["message_id"], "date": result["date"], "chat": {"id": user.id, "type": "private"}}
    sender = {"id": user.id, "is_bot": False, "first_name": user.first_name, "language_code": "en"}
    query = {"id": f"q{update_id}", "chat_instance": "ci", "data": data, "from": sender, "message": message}
    return {"update_id": update_id, "callback_query": query}


class TestOrderAndConcurrency:
    async def test_one_chats_updates_are_handled_in_the_order_sent(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Five commands arrive while the chat is busy (Telegram's parallel connections deliver them in any
        order): one at a time, in Telegram's order, after the update in hand."""
        user = FakeUser(fake_api, 6101)
        fake_api.delays_s["file"] = 1.0
        await user.photo(jpeg_bytes(), expect_replies=0)
        await fake_api.wait_arrived("file")
        commands = ["/help", "/my_reports", "/language", "/start", "/cancel"]
        await asyncio.gather(*(user.command(c, expect_replies=0) for c in commands))
        await fake_api.wait_for("sendMessage", 6, chat_id=6101)
        answers = texts(fake_api, 6101)
        assert "Photo 1 of 3" in answers[0]
        assert "/report" in answers[1] and "not filed any reports" in answers[2]
        assert "Privacy" in answers[4] and "cancelled" in answers[5]

    async def test_a_slow_chat_does_not_hold_up_another(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """One resident's photo download hangs; another resident's /help is answered meanwhile."""
        fake_api.delays_s["file"] = 3.0
        slow, quick = FakeUser(fake_api, 6102), FakeUser(fake_api, 6103)
        await slow.photo(jpeg_bytes(), expect_replies=0)
        await fake_api.wait_arrived("file")
        [menu] = await quick.command("/help")
        assert "/report" in menu["text"] and fake_api.sent(6102) == []
        await fake_api.wait_for("sendMessage", 1, chat_id=6102)

    async def test_a_new_users_first_two_updates_both_land(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 6104)
        await asyncio.gather(user.command("/start", expect_replies=0), user.command("/help", expect_replies=0))
        await fake_api.wait_for("sendMessage", 2, chat_id=6104)
        assert await Resident.filter(id=6104).count() == 1

    async def test_an_album_keeps_every_photo_up_to_the_limit(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Four photos at once into a three-photo draft: three kept at positions 0, 1, 2; the fourth refused."""
        user = FakeUser(fake_api, 6105)
        photos = [user.photo(noisy_jpeg(i), file_id=f"ALBUM{i}", expect_replies=0) for i in range(4)]
        await asyncio.gather(*photos)
        await fake_api.wait_for("sendMessage", 4, chat_id=6105)
        draft = await Draft.get(resident_id=6105)
        positions = sorted(photo.position for photo in await Photo.filter(draft_id=draft.id))
        assert positions == [0, 1, 2] and draft.photo_count == 3


class TestReplays:
    async def test_a_submit_handled_again_files_and_says_nothing_twice(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The handler finished but its process died before recording it: handled again, nothing repeats."""
        user = FakeUser(fake_api, 6201)
        categories = await reach_category(user)
        [ask_description] = await user.press(categories, "cat:ebike")
        [confirm] = await user.press(ask_description, "desc:skip")
        submit = tap(user, confirm, "cf:yes", 880_001)
        die_before_recording(product)
        assert await fake_api.deliver({"callback_query": submit["callback_query"]}, update_id=880_001) == 200
        await fake_api.wait_for("sendMessage", 7, chat_id=6201)
        await product.pipeline.join()
        await handle_again(product, submit)
        assert await Report.filter(reporter_id=6201).count() == 1
        assert len(fake_api.sent(6201)) == 7
        assert "submitted" in texts(fake_api, 6201)[-1]

    async def test_a_photo_handled_again_is_stored_once(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 6202)
        die_before_recording(product)
        await user.photo(jpeg_bytes(), file_id="ONCE")
        await product.pipeline.join()
        [stored] = await ProcessedUpdate.filter(chat_id=6202).values_list("update_id", flat=True)
        body = {
            "update_id": stored,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 6202, "type": "private"},
                "from": {"id": 6202, "is_bot": False, "first_name": "Alice", "language_code": "en"},
                "photo": [{"file_id": "ONCE", "file_unique_id": "u-ONCE", "width": 640, "height": 480}],
            },
        }
        await handle_again(product, body)
        assert await Photo.filter(owner_id=6202).count() == 1
        assert len(fake_api.sent(6202)) == 1

    async def test_a_double_tapped_submit_files_one_report(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Two taps (two updates) on one Submit button: one report; the second tap hears it was submitted."""
        user = FakeUser(fake_api, 6203)
        categories = await reach_category(user)
        [ask_description] = await user.press(categories, "cat:ebike")
        [confirm] = await user.press(ask_description, "desc:skip")
        before = len(fake_api.sent(6203))
        await asyncio.gather(
            user.press(confirm, "cf:yes", expect_replies=0), user.press(confirm, "cf:yes", expect_replies=0)
        )
        await fake_api.wait_for("sendMessage", before + 2, chat_id=6203)
        assert await Report.filter(reporter_id=6203).count() == 1
        first, second = texts(fake_api, 6203)[before:]
        assert "submitted" in first and "already submitted" in second


class TestStranded:
    async def test_an_update_handled_but_not_recorded_is_recorded_not_fed(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """Its process died between handling it and writing it down: its done mark says so; no second run."""
        body = {"message": {"message_id": 1, "date": 0, "chat": {"id": 6301, "type": "private"}, "text": "/help"}}
        await record_update(6301_0, 6301, body, clock() - timedelta(minutes=2))
        await product.services.redis.set(done_key("6301", 6301_0), "1")
        assert await feed_stranded(product.pipeline) == 0
        assert (await ProcessedUpdate.get(update_id=6301_0)).done_at is not None
        assert fake_api.sent(6301) == []

    async def test_a_chat_someone_holds_is_not_fed_and_not_counted(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """A long-running update (a slow download in another process) is not stranded: its chat's lease is
        held. Once the lease is gone (its process died), the update is fed and answered."""
        await record_update(6302_0, 6302, command_update(6302_0, 6302, "/help"), clock() - timedelta(minutes=2))
        another_process = ChatQueues(product.services.redis, lease_s=60)
        assert await another_process.lease("6302") is not None
        assert await feed_stranded(product.pipeline) == 0
        assert (await ProcessedUpdate.get(update_id=6302_0)).attempts == 0
        await another_process.release("6302")
        assert await feed_stranded(product.pipeline) == 1
        await fake_api.wait_for("sendMessage", 1, chat_id=6302)


class TestStatementBudgets:
    async def test_a_command_costs_at_most_three_statements(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A returning resident's /help: store the update, read the resident, record it done. Nothing else."""
        user = FakeUser(fake_api, 6401)
        await user.command("/start")
        await product.pipeline.join()
        with counting_statements() as counter:
            await user.command("/help")
            await product.pipeline.join()
        statements = per_update(counter.statements)
        print(f"command: {len(statements)} statements")  # noqa: T201
        assert len(statements) <= 3, "\n".join(statements)

    async def test_a_whole_report_costs_at_most_thirty_statements(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Snap and report, seven steps (photo, done, location, nobody in danger, category, skip the
        description, submit), for a resident who used the bot before."""
        # Handled updates are written down in batches (at peak hundreds per statement, at least one a
        # second): here one batch for the whole conversation, whatever the machine's speed.
        product.pipeline.done.interval_s = 60
        user = FakeUser(fake_api, 6402)
        await user.command("/start")
        await product.pipeline.join()
        with counting_statements() as counter:
            categories = await reach_category(user, photo=noisy_jpeg(6402))  # a real picture: its hash is looked up
            [ask_description] = await user.press(categories, "cat:ebike")
            [confirm] = await user.press(ask_description, "desc:skip")
            await user.press(confirm, "cf:yes")
            await product.pipeline.join()
        statements = per_update(counter.statements)
        assert await Report.filter(reporter_id=6402).count() == 1
        print(f"report conversation: {len(statements)} statements")  # noqa: T201
        assert len(statements) <= 30, "\n".join(statements)
