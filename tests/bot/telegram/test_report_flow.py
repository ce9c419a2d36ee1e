"""The whole intake conversation over the webhook, against the fake Bot API."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from PIL import Image

from bot.reports.models import Draft, Photo, Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


def jpeg_bytes(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


async def file_report(
    user: FakeUser, *, lat: float, lon: float, category: str, description: str
) -> list[dict[str, Any]]:
    """Walk the conversation from a photo to the confirmation; returns the last replies."""
    [added] = await user.photo(jpeg_bytes())
    [ask_location] = await user.press(added, "ph:done")
    assert ask_location["reply_markup"]["keyboard"][0][0]["request_location"] is True
    [danger] = await user.location(lat, lon)
    [categories] = await user.press(danger, "dg:no")
    await user.press(categories, f"cat:{category}")
    [confirm] = await user.text(description)
    return await user.press(confirm, "cf:yes")


class TestFullFlow:
    async def test_english_report_is_stored_with_everything_the_resident_gave(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """A resident files a report in English; the report keeps user, photo, place, category, text."""
        user = FakeUser(fake_api, 1001, language_code="en")
        [greeting] = await user.command("/start")
        assert "Privacy" in greeting["text"]
        [submitted] = await file_report(
            user, lat=31.2304, lon=121.4737, category="ebike", description="E-bike charging in the stairwell"
        )
        report = await Report.get(reporter_id=1001)
        assert f"#{report.id}" in submitted["text"] and "Thank you" in submitted["text"]
        assert (report.lat, report.lon, report.category) == (31.2304, 121.4737, "ebike")
        assert (report.area, report.street, report.cell) == ("huangpu", "huangpu-yuyuan", "huangpu-0402")
        assert report.description == "E-bike charging in the stairwell"
        assert report.status == Status.SUBMITTED and report.language == "en"
        assert await Photo.filter(report_id=report.id).count() == 1
        assert await StatusChange.filter(report_id=report.id, to_status="submitted").count() == 1
        assert not await Draft.exists()

    async def test_chinese_resident_is_answered_in_chinese(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """zh clients get Chinese prompts all along and the report records zh_CN."""
        user = FakeUser(fake_api, 1002, language_code="zh-hans")
        [greeting] = await user.command("/start")
        assert "隐患" in greeting["text"]
        [submitted] = await file_report(user, lat=31.2, lon=121.5, category="fire_exit", description="消防通道被堵")
        assert "已提交" in submitted["text"]
        report = await Report.get(reporter_id=1002)
        assert (report.category, report.description, report.language) == ("fire_exit", "消防通道被堵", "zh_CN")


class TestCommands:
    async def test_help_lists_every_command_in_the_menu(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """/help names each command published to Telegram's menu, in the resident's language."""
        user = FakeUser(fake_api, 1101, language_code="en")
        [help_text] = await user.command("/help")
        [published] = [params["commands"] for method, params in fake_api.calls if method == "setMyCommands"]
        names = [command["command"] for command in published]
        assert {"report", "my_reports", "balance", "claim", "subscribe", "stop", "help"} <= set(names)
        assert all(f"/{name} " in help_text["text"] for name in names)
        chinese = FakeUser(fake_api, 1102, language_code="zh-hans")
        [zh_help] = await chinese.command("/help")
        assert "/balance - 我的奖励" in zh_help["text"]

    async def test_an_unknown_command_gets_the_menu_and_keeps_the_draft(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 1103, language_code="en")
        await user.photo(jpeg_bytes())
        [answer] = await user.command("/repotr")
        assert "I do not know the command /repotr." in answer["text"] and "/report - " in answer["text"]
        assert await Draft.filter(resident_id=1103).count() == 1


class TestOnlyTheNewestPromptHasButtons:
    async def test_a_typed_description_takes_the_skip_button_away(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The description prompt's "Skip" goes once the description is typed; the confirm screen keeps its own."""
        user = FakeUser(fake_api, 1201, language_code="en")
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [danger] = await user.location(31.2304, 121.4737)
        [categories] = await user.press(danger, "dg:no")
        [ask_description] = await user.press(categories, "cat:traffic")
        assert ask_description["reply_markup"]["inline_keyboard"]
        [confirm] = await user.text("A pothole in the cycle lane")
        edits = fake_api.sent(1201, "editMessageReplyMarkup")
        stripped = [int(edit["message_id"]) for edit in edits if not edit.get("reply_markup")]
        assert ask_description["_result"]["message_id"] in stripped
        assert confirm["_result"]["message_id"] not in stripped

    async def test_a_second_photo_takes_the_first_done_button_away(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        user = FakeUser(fake_api, 1202, language_code="en")
        [first] = await user.photo(jpeg_bytes())
        [second] = await user.photo(jpeg_bytes((10, 200, 10)), file_id="PHOTO2")
        stripped = [int(edit["message_id"]) for edit in fake_api.sent(1202, "editMessageReplyMarkup")]
        assert stripped == [first["_result"]["message_id"]]
        assert "Photo 2 of 3" in second["text"]

    async def test_a_tapped_answer_stays_under_its_question(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """The category question keeps the tapped category, so the chat reads like a filled-in form."""
        user = FakeUser(fake_api, 1203, language_code="en")
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [danger] = await user.location(31.2304, 121.4737)
        [categories] = await user.press(danger, "dg:no")
        await user.press(categories, "cat:fire_exit")
        [edit] = [
            e
            for e in fake_api.sent(1203, "editMessageText")
            if int(e["message_id"]) == categories["_result"]["message_id"]
        ]
        assert edit["text"] == "What kind of hazard is it?\n\n✓ Blocked fire exit or escape route"
        assert not edit.get("reply_markup")
