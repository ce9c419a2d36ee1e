"""/subscribe, /unsubscribe, /stop and the buttons under broadcasts, over the webhook and the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.jobs import queue_text
from bot.reports.intake import Step
from bot.reports.models import Draft
from bot.runtime import WebRuntime
from broadcasts.models import AreaSubscription, SelfCheckAnswer, Subscriber, TopicSubscription
from broadcasts.targeting import EVERYONE, count_recipients
from tests.bot.helpers import jpeg_bytes
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

HUANGPU = (31.23, 121.48)
OUTSIDE_EVERY_AREA = (31.40, 121.90)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Label -> callback data of an inline keyboard."""
    return {b["text"]: b.get("callback_data", "") for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def ask_for_location(user: FakeUser, data: str = "sub:r:0") -> dict[str, Any]:
    [intro] = await user.command("/subscribe")
    [ask] = await user.press(intro, data)
    return ask


class TestSubscribeByLocation:
    async def test_my_area_follows_the_area_containing_the_location(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """ "My area" then a location in Huangpu subscribes the resident to huangpu."""
        user = FakeUser(fake_api, 5001)
        ask = await ask_for_location(user)
        assert ask["reply_markup"]["keyboard"][0][0]["request_location"] is True
        [done] = await user.location(*HUANGPU)
        assert "You now follow Huangpu" in done["text"]
        assert await AreaSubscription.filter(resident_id=5001, area_key="huangpu").exists()

    async def test_radius_choice_stores_the_place_and_radius(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """ "Within 3 km" then a location stores that place with a 3000 m radius, in Chinese for zh users."""
        user = FakeUser(fake_api, 5002, language_code="zh-hans")
        await ask_for_location(user, "sub:r:3000")
        [done] = await user.location(*HUANGPU)
        assert "3 公里" in done["text"]
        subscriber = await Subscriber.get(resident_id=5002)
        assert (subscriber.lat, subscriber.lon, subscriber.radius_m, subscriber.awaiting) == (*HUANGPU, 3000, None)

    async def test_a_place_outside_every_area_is_asked_again(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A location no area contains is refused with a clear message, and the next one still counts."""
        user = FakeUser(fake_api, 5003)
        await ask_for_location(user)
        [refused] = await user.location(*OUTSIDE_EVERY_AREA)
        assert "outside the areas" in refused["text"]
        [done] = await user.location(*HUANGPU)
        assert "You now follow" in done["text"]

    async def test_typed_coordinates_are_taken_and_other_text_explained(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """While waiting for a place, "lat, lon" text counts and other text gets an explanation."""
        user = FakeUser(fake_api, 5004)
        await ask_for_location(user)
        [explained] = await user.text("my home")
        assert "not a location" in explained["text"]
        [done] = await user.text("31.23, 121.48")
        assert "You now follow Huangpu" in done["text"]

    async def test_a_draft_waiting_for_its_location_gets_it_first(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """With /subscribe waiting and a report draft at its location step, the report takes the location."""
        user = FakeUser(fake_api, 5005)
        await ask_for_location(user)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [danger] = await user.location(*HUANGPU)
        assert "danger" in danger["text"]
        assert (await Draft.get(resident_id=5005)).step == Step.DANGER
        assert not await AreaSubscription.filter(resident_id=5005).exists()

    async def test_typed_text_belongs_to_an_open_draft(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """With /subscribe waiting and a draft at its description, "31.2, 121.5" is the description."""
        user = FakeUser(fake_api, 5007)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [danger] = await user.location(*HUANGPU)
        [categories] = await user.press(danger, "dg:no")
        await user.press(categories, "cat:ebike")
        await ask_for_location(user)
        [confirm] = await user.text("31.2, 121.5")
        assert "31.2, 121.5" in confirm["text"]
        assert (await Draft.get(resident_id=5007)).description == "31.2, 121.5"
        assert (await Subscriber.get(resident_id=5007)).lat is None

    async def test_a_location_without_subscribe_goes_to_the_intake(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """With no /subscribe waiting, a location is the intake's business (it explains /report)."""
        user = FakeUser(fake_api, 5006)
        await user.command("/start")
        [hint] = await user.location(*HUANGPU)
        assert "/report" in hint["text"]
        assert not await AreaSubscription.exists()


class TestTopics:
    async def test_tapping_a_topic_toggles_it(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A topic tap follows it (✓ on the keyboard); a second tap stops following it."""
        user = FakeUser(fake_api, 5101)
        [intro] = await user.command("/subscribe")
        await user.press(intro, "sub:t:fire", expect_replies=0)
        [edit] = await fake_api.wait_for("editMessageReplyMarkup", chat_id=5101)
        assert "✓ Fire safety" in buttons(edit)
        assert await TopicSubscription.filter(resident_id=5101, topic="fire").exists()
        await user.press(intro, "sub:t:fire", expect_replies=0)
        await fake_api.wait_for("editMessageReplyMarkup", 2, chat_id=5101)
        assert not await TopicSubscription.filter(resident_id=5101).exists()

    async def test_done_shows_the_summary(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 5102)
        [intro] = await user.command("/subscribe")
        await user.press(intro, "sub:t:ebike", expect_replies=0)
        await fake_api.wait_for("editMessageReplyMarkup", chat_id=5102)
        [summary] = await user.press(intro, "sub:done")
        assert "Topics: E-bike safety" in summary["text"]


class TestStopAndUnsubscribe:
    async def test_stop_leaves_the_resident_out_until_subscribe(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """/stop removes the resident from every target; /subscribe turns broadcasts back on."""
        user = FakeUser(fake_api, 5201)
        await user.command("/start")
        assert await count_recipients(EVERYONE, clock()) == 1
        [stopped] = await user.command("/stop")
        assert "no more broadcasts" in stopped["text"]
        assert await count_recipients(EVERYONE, clock()) == 0
        [intro] = await user.command("/subscribe")
        assert intro["text"].startswith("Broadcasts are on again.")
        assert await count_recipients(EVERYONE, clock()) == 1

    async def test_stop_does_not_silence_updates_on_own_reports(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Any
    ) -> None:
        """/stop is about broadcasts: a direct message about the resident's report still arrives."""
        user = FakeUser(fake_api, 5204)
        await user.command("/stop")
        await queue_text(product.services, "test:accepted", 5204, "Your report #1 was accepted.")
        await run_worker()
        assert fake_api.sent(5204)[-1]["text"] == "Your report #1 was accepted."

    async def test_unsubscribe_removes_what_was_tapped(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """/unsubscribe lists the area and topics; tapping the area removes only the area."""
        user = FakeUser(fake_api, 5202)
        await ask_for_location(user)
        await user.location(*HUANGPU)
        [intro] = await user.command("/subscribe")
        await user.press(intro, "sub:t:gas", expect_replies=0)
        await fake_api.wait_for("editMessageReplyMarkup", chat_id=5202)
        [menu] = await user.command("/unsubscribe")
        assert set(buttons(menu).values()) == {"uns:area:huangpu", "uns:topic:gas", "uns:all"}
        [done] = await user.press(menu, "uns:area:huangpu")
        assert "no longer follow" in done["text"]
        assert not await AreaSubscription.filter(resident_id=5202).exists()
        assert await TopicSubscription.filter(resident_id=5202, topic="gas").exists()

    async def test_unsubscribe_with_nothing_followed(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        [answer] = await FakeUser(fake_api, 5203).command("/unsubscribe")
        assert "/subscribe" in answer["text"]


class TestButtonsUnderBroadcasts:
    async def education_day_message(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock, run_worker: Any, user: FakeUser
    ) -> dict[str, Any]:
        await user.command("/start")
        clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on the 5th
        await product.services.redis.enqueue_job("broadcasts.tick")
        await run_worker()
        return fake_api.sent(user.id)[-1]

    async def test_self_check_counts_one_answer_per_month(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock, run_worker: Any
    ) -> None:
        """The first tap is counted and thanked; a second tap the same month is not counted again."""
        user = FakeUser(fake_api, 5301)
        message = await self.education_day_message(product, fake_api, clock, run_worker, user)
        [thanks] = await user.press(message, "chk:2026-12:ventilation")
        assert 'Noted: "I keep the room ventilated when heating"' in thanks["text"]
        [again] = await user.press(message, "chk:2026-12:no_charcoal")
        assert "already answered" in again["text"]
        answers = await SelfCheckAnswer.filter(resident_id=5301)
        assert [answer.option for answer in answers] == ["ventilation"]

    async def test_report_button_starts_a_report(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock, run_worker: Any
    ) -> None:
        user = FakeUser(fake_api, 5302, language_code="zh-hans")
        message = await self.education_day_message(product, fake_api, clock, run_worker, user)
        [prompt] = await user.press(message, "bc:report")
        assert "请发送隐患照片" in prompt["text"]
        assert (await Draft.get(resident_id=5302)).step == Step.PHOTOS
