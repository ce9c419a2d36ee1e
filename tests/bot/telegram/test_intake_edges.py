"""Restarts, redelivered updates, the webhook secret, and bad input of every kind at every step."""

from __future__ import annotations

from io import BytesIO

import aiohttp
from PIL import Image

from bot.config import Settings
from bot.reports.models import Draft, Photo, ProcessedUpdate, Report
from bot.runtime import WebRuntime, running_web
from tests.bot.helpers import jpeg_bytes, reach_category
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser


class TestRestartAndRedelivery:
    async def test_conversation_survives_a_restart(
        self, db: None, settings: Settings, clock: FrozenClock, fake_api: FakeBotAPI, redis: object
    ) -> None:
        """Stop the web process between location and category: the new process continues the draft."""
        user = FakeUser(fake_api, 2001)
        async with running_web(settings, clock=clock):
            [added] = await user.photo(jpeg_bytes())
            await user.press(added, "ph:done")
            [danger] = await user.location(31.23, 121.47)
        async with running_web(settings, clock=clock):
            [categories] = await user.press(danger, "dg:no")
            [ask_description] = await user.press(categories, "cat:traffic")
            [confirm] = await user.press(ask_description, "desc:skip")
            await user.press(confirm, "cf:yes")
            report = await Report.get(reporter_id=2001)
            assert (report.category, report.lat, report.description) == ("traffic", 31.23, "")

    async def test_same_update_twice_files_one_report(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Telegram redelivering the "submit" tap (same update_id) is processed once."""
        user = FakeUser(fake_api, 2002)
        categories = await reach_category(user)
        [ask_description] = await user.press(categories, "cat:ebike")
        [confirm] = await user.press(ask_description, "desc:skip")
        tap = {
            "callback_query": {
                "id": "tap-1",
                "chat_instance": "ci",
                "data": "cf:yes",
                "from": {"id": 2002, "is_bot": False, "first_name": "Bo"},
                "message": {
                    "message_id": confirm["_result"]["message_id"],
                    "date": 0,
                    "chat": {"id": 2002, "type": "private"},
                    "text": "?",
                },
            }
        }
        before = len(fake_api.sent(2002))
        assert await fake_api.deliver(tap, update_id=777) == 200
        await fake_api.wait_for("sendMessage", before + 1, chat_id=2002)
        assert await fake_api.deliver(tap, update_id=777) == 200
        await product.pipeline.join()
        assert await Report.filter(reporter_id=2002).count() == 1
        assert len(fake_api.sent(2002)) == before + 1

    async def test_wrong_or_missing_secret_is_refused(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Without the right secret header the webhook answers 403 and nothing is processed."""
        body = {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 2003, "type": "private"},
                "from": {"id": 2003, "is_bot": False, "first_name": "Eve"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
        assert await fake_api.deliver(body, secret="wrong") == 403
        url = fake_api.webhook["url"] if fake_api.webhook else ""
        async with aiohttp.ClientSession() as session, session.post(url, json={"update_id": 9, **body}) as response:
            assert response.status == 403
        await product.pipeline.join()
        assert fake_api.sent(2003) == [] and not await ProcessedUpdate.exists()


class TestBadPhotos:
    async def test_huge_image_is_refused_and_the_draft_kept(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A 100-megapixel image is refused without decoding; the next photo is taken normally."""
        user = FakeUser(fake_api, 2101)
        await user.command("/report")
        buffer = BytesIO()
        Image.new("L", (10_000, 10_000)).save(buffer, "JPEG", quality=10)
        [refused] = await user.document(buffer.getvalue(), "huge.jpg")
        assert "too many pixels" in refused["text"]
        [added] = await user.photo(jpeg_bytes())
        assert "Photo 1 of 3" in added["text"]

    async def test_non_image_is_refused_and_earlier_photos_kept(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """A PDF and a text file renamed .jpg are refused; the photo already sent stays in the draft."""
        user = FakeUser(fake_api, 2102)
        await user.photo(jpeg_bytes())
        [pdf] = await user.document(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "hazard.pdf", "application/pdf")
        [text] = await user.document(b"just some text, honestly", "photo.jpg", "image/jpeg")
        for reply in (pdf, text):
            assert "not an image" in reply["text"]
            assert "Done" in str(reply["reply_markup"])  # the "done" button still offered
        assert await Photo.filter(draft__resident_id=2102).count() == 1

    async def test_file_over_20_mb_is_refused_without_download(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A file Telegram says is 25 MB is refused before any getFile call."""
        user = FakeUser(fake_api, 2103)
        [refused] = await user.document(b"x", "big.jpg", declared_size=25 * 1024 * 1024)
        assert "too large" in refused["text"]
        assert not [call for call, _ in fake_api.calls if call == "getFile"]

    async def test_three_photos_then_the_location(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """The third photo moves straight on to the location question."""
        user = FakeUser(fake_api, 2104)
        await user.photo(jpeg_bytes((1, 2, 3)), file_id="P1")
        await user.photo(jpeg_bytes((4, 5, 6)), file_id="P2")
        [third] = await user.photo(jpeg_bytes((7, 8, 9)), file_id="P3")
        assert "Where is the hazard" in third["text"]


class TestWrongInput:
    async def test_sticker_and_text_where_a_photo_is_needed(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 2201)
        await user.command("/report")
        [sticker] = await user.sticker()
        [text] = await user.text("there is a fire exit blocked")
        for reply in (sticker, text):
            assert "not what I need" in reply["text"] and "send a photo" in reply["text"]

    async def test_photo_where_a_location_is_needed(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 2202)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [again] = await user.photo(jpeg_bytes((9, 9, 9)), file_id="P9")
        assert "not what I need" in again["text"] and "Where is the hazard" in again["text"]
        assert (await Draft.get(resident_id=2202)).step == "location"

    async def test_unusable_positions_are_refused(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """0,0 and impossible coordinates get a reason; a typed position and a venue work."""
        user = FakeUser(fake_api, 2203)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [null_island] = await user.location(0.0, 0.0)
        assert "0,0" in null_island["text"]
        [out_of_range] = await user.text("95.0, 200.0")
        assert "not a valid position" in out_of_range["text"]
        [danger] = await user.venue(31.2, 121.5)
        assert "danger" in danger["text"]
        assert (await Draft.get(resident_id=2203)).location_source == "venue"

    async def test_typed_coordinates_are_a_location(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 2204)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        await user.text("31.2304，121.4737")
        draft = await Draft.get(resident_id=2204)
        assert (draft.lat, draft.lon, draft.location_source) == (31.2304, 121.4737, "typed")

    async def test_cancel_ends_the_draft(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 2205)
        await user.photo(jpeg_bytes())
        [cancelled] = await user.command("/cancel")
        assert "cancelled" in cancelled["text"]
        assert not await Draft.exists() and not await Photo.exists()
        [nothing] = await user.command("/cancel")
        assert "nothing to cancel" in nothing["text"]

    async def test_emergency_shows_numbers_and_files_nothing(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        user = FakeUser(fake_api, 2206)
        [added] = await user.photo(jpeg_bytes())
        await user.press(added, "ph:done")
        [danger] = await user.location(31.2, 121.5)
        [emergency] = await user.press(danger, "dg:yes")
        assert all(number in emergency["text"] for number in ("110", "119", "120"))
        assert not await Draft.exists() and not await Report.exists()


class TestDraftExpiry:
    async def test_idle_draft_expires_with_a_message(
        self, product: WebRuntime, fake_api: FakeBotAPI, clock: FrozenClock, run_worker: object
    ) -> None:
        """After 30 idle minutes the sweeper ends the draft and tells the resident."""
        user = FakeUser(fake_api, 2301, language_code="zh-hans")
        await user.photo(jpeg_bytes())
        clock.advance(minutes=29)
        await product.services.redis.enqueue_job("bot.expire_stale_drafts")
        await run_worker()  # type: ignore[operator]
        assert await Draft.exists()
        clock.advance(minutes=2)
        await product.services.redis.enqueue_job("bot.expire_stale_drafts", _job_id="expire-2")
        await run_worker()  # type: ignore[operator]
        assert not await Draft.exists()
        [*_, expired] = fake_api.sent(2301)
        assert "30 分钟" in expired["text"]


class TestCommands:
    async def test_my_reports_and_language(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """/my_reports lists reports with their status; /language switches and sticks."""
        user = FakeUser(fake_api, 2401, language_code="en")
        [empty] = await user.command("/my_reports")
        assert "not filed any reports" in empty["text"]
        await Report.create(
            reporter_id=2401,
            status="accepted",
            category="drowning",
            lat=1,
            lon=1,
            location_source="shared",
            language="en",
        )
        [listing] = await user.command("/my_reports")
        assert "Drowning risk" in listing["text"] and "accepted" in listing["text"]
        [choose] = await user.command("/language")
        await user.press(choose, "lang:zh_CN", expect_replies=0)
        await product.pipeline.join()
        [listing_zh] = await user.command("/my_reports")
        assert "溺水" in listing_zh["text"] and "已受理" in listing_zh["text"]
