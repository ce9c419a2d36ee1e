"""The resident's path through a report: how few taps it takes, an emergency that keeps the draft, and
buttons of steps that are over."""

from __future__ import annotations

from typing import Any

from bot.reports.models import Draft, Report
from bot.runtime import WebRuntime
from tests.bot.helpers import jpeg_bytes
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


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
        [added] = await resident.photo(jpeg_bytes())
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

    async def test_the_emergency_message_in_chinese(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 7103, language_code="zh-hans")
        danger = await to_danger_question(user)
        [emergency] = await user.press(danger, "dg:yes")
        assert "119" in emergency["text"] and "报告已保留" in emergency["text"]
        [[button]] = emergency["reply_markup"]["inline_keyboard"]
        assert button["callback_data"] == "dg:safe" and "安全" in button["text"]


class TestStaleButtons:
    async def test_a_button_of_a_step_that_is_over_has_expired(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
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
