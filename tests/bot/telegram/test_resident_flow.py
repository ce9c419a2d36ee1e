"""The resident's path through a report: how few taps it takes, an emergency that keeps the draft, and
buttons of steps that are over."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.reports.models import Draft, Report, ReportFollower
from bot.runtime import WebRuntime
from tests.bot.helpers import jpeg_bytes
from tests.conftest import FrozenClock
from tests.factories import make_report, make_resident
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]


class TapCounter:
    """The resident's actions, counted: each message sent or button pressed is one tap."""

    def __init__(self, user: FakeUser) -> None:
        self.user, self.taps = user, 0

    async def photo(self, content: bytes) -> list[dict[str, Any]]:
        self.taps += 1
        return await self.user.photo(content)

    async def location(self, lat: float, lon: float) -> list[dict[str, Any]]:
        self.taps += 1
        return await self.user.location(lat, lon, expect_replies=2)

    async def press(self, bot_message: dict[str, Any], data: str) -> list[dict[str, Any]]:
        self.taps += 1
        return await self.user.press(bot_message, data)


async def to_danger_question(user: FakeUser) -> dict[str, Any]:
    await user.photo(jpeg_bytes())
    [_, danger] = await user.location(31.2304, 121.4737, expect_replies=2)
    return danger


class TestTaps:
    async def test_a_report_is_filed_in_six_taps_after_start(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Photo, location, nobody in danger, category, skip the description, submit."""
        user = FakeUser(fake_api, 7001)
        await user.command("/start")
        resident = TapCounter(user)
        await resident.photo(jpeg_bytes())
        [_, danger] = await resident.location(31.2304, 121.4737)
        [categories] = await resident.press(danger, "dg:no")
        [ask_description] = await resident.press(categories, "cat:fire_exit")
        [confirm] = await resident.press(ask_description, "desc:skip")
        [submitted] = await resident.press(confirm, "cf:yes")
        assert "submitted" in submitted["text"]
        assert await Report.filter(reporter_id=7001, category="fire_exit").count() == 1
        assert resident.taps <= 6, resident.taps

    async def test_the_location_keyboard_goes_once_the_location_is_given(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 7002)
        [added] = await user.photo(jpeg_bytes())
        assert added["reply_markup"]["keyboard"][0][0]["request_location"] is True
        [received, danger] = await user.location(31.2304, 121.4737, expect_replies=2)
        assert received["text"] == "Location received."
        assert received["reply_markup"] == {"remove_keyboard": True}
        assert "danger" in danger["text"] and danger["reply_markup"]["inline_keyboard"]

    async def test_the_location_keyboard_goes_for_typed_coordinates_in_chinese(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 7003, language_code="zh-hans")
        await user.photo(jpeg_bytes())
        [received, danger] = await user.text("31.2304, 121.4737", expect_replies=2)
        assert received["text"] == "已收到位置。" and received["reply_markup"] == {"remove_keyboard": True}
        assert "危险" in danger["text"]


class TestEmergency:
    async def test_someone_in_danger_shows_the_numbers_and_keeps_the_draft(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 7101)
        danger = await to_danger_question(user)
        [emergency] = await user.press(danger, "dg:yes")
        assert all(number in emergency["text"] for number in ("110", "119", "120"))
        assert "Your report is kept" in emergency["text"]
        draft = await Draft.get(resident_id=7101)
        assert (draft.step, draft.photo_count, draft.lat) == ("emergency", 1, 31.2304)
        assert not await Report.exists()

    async def test_once_everyone_is_safe_the_same_report_is_filed(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 7102)
        danger = await to_danger_question(user)
        [emergency] = await user.press(danger, "dg:yes")
        [categories] = await user.press(emergency, "dg:safe")
        [ask_description] = await user.press(categories, "cat:ebike")
        [confirm] = await user.press(ask_description, "desc:skip")
        await user.press(confirm, "cf:yes")
        report = await Report.get(reporter_id=7102)
        assert (report.category, report.lat, report.lon) == ("ebike", 31.2304, 121.4737)

    async def test_a_draft_paused_for_an_emergency_outlives_the_idle_limit(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock, run_worker: Worker
    ) -> None:
        """An hour later (drafts idle 30 minutes end) the report can still be filed; after a day it ends."""
        user = FakeUser(fake_api, 7104)
        [emergency] = await user.press(await to_danger_question(user), "dg:yes")
        clock.advance(minutes=60)
        await product.services.redis.enqueue_job("bot.expire_stale_drafts", _job_id="sweep-1")
        await run_worker()
        [categories] = await user.press(emergency, "dg:safe")
        assert "What kind of hazard" in categories["text"]
        other = FakeUser(fake_api, 7105)
        await other.press(await to_danger_question(other), "dg:yes")
        clock.advance(hours=25)
        await product.services.redis.enqueue_job("bot.expire_stale_drafts", _job_id="sweep-2")
        await run_worker()
        assert not await Draft.filter(resident_id=7105).exists()

    async def test_the_emergency_message_in_chinese(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 7103, language_code="zh-hans")
        danger = await to_danger_question(user)
        [emergency] = await user.press(danger, "dg:yes")
        assert "119" in emergency["text"] and "报告已保留" in emergency["text"]
        [[button]] = emergency["reply_markup"]["inline_keyboard"]
        assert button["callback_data"] == "dg:safe" and "安全" in button["text"]


class TestStaleButtons:
    async def test_a_button_of_a_step_that_is_over_has_expired(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """ "No" again on the danger question after the category was asked: expired, nothing moves."""
        user = FakeUser(fake_api, 7201)
        danger = await to_danger_question(user)
        await user.press(danger, "dg:no")
        answer = await user.press_forged(danger, "dg:yes")
        assert answer["text"] == "This button has expired." and answer["show_alert"] in (True, "true")
        assert (await Draft.get(resident_id=7201)).step == "category"

    async def test_a_button_after_the_report_was_filed_has_expired_in_chinese(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 7202, language_code="zh-hans")
        danger = await to_danger_question(user)
        [categories] = await user.press(danger, "dg:no")
        await user.command("/cancel")
        answer = await user.press_forged(categories, "cat:ebike")
        assert answer["text"] == "此按钮已失效。"
        assert not await Draft.exists()


class TestMyReports:
    async def test_dates_are_the_citys_local_day(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Filed at 17:30 UTC on 1 March: in Shanghai (UTC+8) that is 2 March, which the list shows."""
        resident = await make_resident(7301)
        report = await make_report(resident, category="drowning")
        await Report.filter(id=report.id).update(created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
        [listing] = await FakeUser(fake_api, 7301).command("/my_reports")
        assert f"#{report.id} Drowning risk" in listing["text"] and "(2026-03-02)" in listing["text"]

    async def test_followed_reports_are_listed_apart(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        reporter, follower = await make_resident(7302), await make_resident(7303, language="zh_CN")
        followed = await make_report(reporter, category="fire_exit")
        own = await make_report(follower, category="traffic")
        await ReportFollower.create(report=followed, resident=follower)
        await make_report(reporter, category="drowning")  # neither theirs nor followed
        [listing] = await FakeUser(fake_api, 7303, language_code="zh-hans").command("/my_reports")
        mine, following = listing["text"].split("\n\n")
        assert f"#{own.id} " in mine and f"#{followed.id} " not in mine
        assert following.startswith("您关注的报告") and f"#{followed.id} " in following
        assert listing["text"].count("#") == 2
