"""The local chat sandbox over real HTTP: the page's API in, the very same bot, its answers back out."""

from __future__ import annotations

import stat
import time
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
import exifread
import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from bot.reports.models import Draft, Photo
from bot.runtime import WebRuntime
from bot.sandbox.owners import Owners, new_owner_token
from bot.sandbox.store import Transcript
from tests.bot.helpers import jpeg_bytes

PHOTO_LAT, PHOTO_LON = 31.2304, 121.4737


def degrees_minutes_seconds(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds_e4 = round(((value - degrees) * 60 - minutes) * 60 * 10_000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds_e4, 10_000)


def gps_jpeg(lat: float = PHOTO_LAT, lon: float = PHOTO_LON) -> bytes:
    """A phone-like JPEG whose EXIF carries a GPS position (north-east)."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", degrees_minutes_seconds(lat)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", degrees_minutes_seconds(lon)
    buffer = BytesIO()
    Image.new("RGB", (1600, 1200), (90, 120, 30)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


class SandboxChat:
    """What the page's script does: send actions, long-poll the transcript for the bot's answers."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, chat_id: int, language_code: str = "en"):
        self.session, self.base_url, self.chat_id, self.language_code = session, base_url, chat_id, language_code
        self.after = 0
        self.seen: dict[int, dict[str, Any]] = {}
        self.keyboard: dict[str, Any] | None = None  # the bot's current reply keyboard

    async def send(self, kind: str, *, file: tuple[str, bytes] | None = None, **fields: Any) -> dict[str, Any]:
        form = aiohttp.FormData({"kind": kind, "chat_id": str(self.chat_id), "language_code": self.language_code})
        for key, value in fields.items():
            form.add_field(key, str(value))
        if file is not None:
            form.add_field("file", file[1], filename=file[0], content_type="image/jpeg")
        async with self.session.post(f"{self.base_url}/sandbox/api/send", data=form) as response:
            body: dict[str, Any] = await response.json()
            return body

    async def bot_says(self, count: int = 1, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """Wait for `count` new bot messages; returns them (as entries: seq, outgoing, message)."""
        new: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while len(new) < count:
            assert time.monotonic() < deadline, f"the bot said {len(new)} of {count} messages"
            params = {"chat_id": str(self.chat_id), "after": str(self.after), "wait": "5"}
            async with self.session.get(f"{self.base_url}/sandbox/api/messages", params=params) as response:
                snapshot = await response.json()
            self.after = snapshot["seq"]
            for entry in snapshot["messages"]:
                message_id = entry["message"]["message_id"]
                if entry["outgoing"] and message_id not in self.seen:
                    new.append(entry)
                self.seen[message_id] = entry
            self.keyboard = snapshot["reply_keyboard"]
        return new

    async def press(self, entry: dict[str, Any], data: str) -> dict[str, Any]:
        return await self.send("button", message_id=entry["message"]["message_id"], data=data)


def browser() -> aiohttp.ClientSession:
    """A browser-like client: it keeps cookies (the sandbox's owner cookie among them), also for 127.0.0.1."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.fixture
async def chat(sandbox_product: WebRuntime) -> AsyncIterator[SandboxChat]:
    async with browser() as session:
        yield SandboxChat(session, sandbox_product.settings.local_base_url(), 7001)


class TestConversation:
    async def test_a_typed_command_reaches_the_bot_and_its_answer_is_shown(self, chat: SandboxChat) -> None:
        """/start typed on the page is answered by the bot's greeting in the transcript."""
        sent = await chat.send("text", text="/start")
        assert sent["ok"] and sent["message"]["entities"][0]["type"] == "bot_command"
        [greeting] = await chat.bot_says()
        assert "Privacy" in greeting["message"]["text"]

    async def test_the_fake_users_language_code_picks_the_bots_language(self, chat: SandboxChat) -> None:
        """The page's language picker sends zh-hans, and the bot answers in Chinese."""
        chat.language_code = "zh-hans"
        await chat.send("text", text="/start")
        [greeting] = await chat.bot_says()
        assert "隐患" in greeting["message"]["text"]

    async def test_a_photo_goes_through_intake_without_its_metadata(self, chat: SandboxChat) -> None:
        """A compressed photo is stored by intake; like Telegram, the sandbox stripped its GPS first."""
        await chat.send("photo", file=("gps.jpg", gps_jpeg()))
        [added] = await chat.bot_says()
        assert "Photo 1 of 3" in added["message"]["text"]
        assert await Photo.filter(draft__resident_id=chat.chat_id).count() == 1
        assert chat.keyboard is not None and chat.keyboard["keyboard"][0][0]["request_location"] is True

    async def test_a_photo_sent_as_a_file_keeps_its_location(self, chat: SandboxChat) -> None:
        """A photo as a file arrives byte for byte, so the bot proposes the location in its EXIF."""
        await chat.send("document", file=("gps.jpg", gps_jpeg()))
        [proposal] = await chat.bot_says()
        assert f"{PHOTO_LAT:.6f}, {PHOTO_LON:.6f}" in proposal["message"]["text"]

    async def test_a_typed_location_and_button_taps_move_the_draft_on(self, chat: SandboxChat) -> None:
        """Location form and inline buttons become real updates: the draft reaches the category step."""
        await chat.send("photo", file=("red.jpg", jpeg_bytes()))
        await chat.bot_says()
        await chat.send("location", latitude="31.2304", longitude="121.4737")
        [received, danger] = await chat.bot_says(2)
        assert "Location received" in received["message"]["text"]
        assert chat.keyboard is None  # the location keyboard went away, even without tapping it
        await chat.press(danger, "dg:no")
        [categories] = await chat.bot_says()
        assert "What kind of hazard" in categories["message"]["text"]
        draft = await Draft.get(resident_id=chat.chat_id)
        assert (draft.lat, draft.lon, draft.step) == (31.2304, 121.4737, "category")

    async def test_the_contact_button_shares_the_persons_own_number(self, chat: SandboxChat) -> None:
        """/claim asks for the phone with a request_contact button; the page's contact reaches the claim."""
        await chat.send("text", text="/claim")
        [ask_phone] = await chat.bot_says()
        assert chat.keyboard is not None and chat.keyboard["keyboard"][0][0]["request_contact"] is True
        assert "phone number" in ask_phone["message"]["text"]
        refused = await chat.send("contact", phone_number="call me maybe", via_keyboard="1")
        assert not refused["ok"] and "phone number" in refused["error"]
        sent = await chat.send("contact", phone_number="+86 138 0013 8000", via_keyboard="1")
        assert sent["message"]["contact"]["user_id"] == chat.chat_id
        [ask_name] = await chat.bot_says()
        assert "real name" in ask_name["message"]["text"]

    async def test_a_button_that_is_gone_is_refused(self, chat: SandboxChat) -> None:
        """Tapping a button the bot already removed gives a clear refusal, not an update."""
        await chat.send("photo", file=("red.jpg", jpeg_bytes()))
        await chat.bot_says()
        await chat.send("location", latitude="31.2304", longitude="121.4737")
        [_, danger] = await chat.bot_says(2)
        await chat.press(danger, "dg:no")
        await chat.bot_says()
        refused = await chat.press(danger, "dg:no")
        assert refused == {"ok": False, "error": "That button is no longer there."}


class TestBotApiEmulation:
    async def test_a_wrong_token_is_unauthorized(self, sandbox_product: WebRuntime) -> None:
        """Only the sandbox token opens the emulated Bot API."""
        base = sandbox_product.settings.local_base_url()
        async with aiohttp.ClientSession() as session, session.post(f"{base}/sandbox/bot9:WRONG/getMe") as response:
            assert response.status == 401
            assert (await response.json())["ok"] is False

    async def test_an_unimplemented_method_is_not_found(self, sandbox_product: WebRuntime) -> None:
        """A method the sandbox does not know answers 404, so a new call shows up at once."""
        url = sandbox_product.settings.telegram_api_url + sandbox_product.settings.bot_token + "/sendDice"
        async with aiohttp.ClientSession() as session, session.post(url, data={"chat_id": "1"}) as response:
            assert response.status == 404

    async def test_an_edit_that_changes_nothing_is_refused_like_telegram(self, sandbox_product: WebRuntime) -> None:
        """Telegram's "message is not modified" is reproduced, so the bot must cope with it."""
        bot = sandbox_product.ptb.bot
        sent = await bot.send_message(7002, "hello")
        with pytest.raises(Exception, match="not modified"):
            await bot.edit_message_text("hello", chat_id=7002, message_id=sent.message_id)

    async def test_the_bot_downloads_what_the_person_uploaded(self, chat: SandboxChat, sandbox_product: WebRuntime):
        """getFile plus the file URL give the bot exactly the bytes of a document upload."""
        content = gps_jpeg()
        sent = await chat.send("document", file=("gps.jpg", content))
        file = await sandbox_product.ptb.bot.get_file(sent["message"]["document"]["file_id"])
        assert bytes(await file.download_as_bytearray()) == content

    async def test_a_photo_the_bot_uploads_is_shown_on_the_page(self, chat: SandboxChat, sandbox_product: WebRuntime):
        """sendPhoto with an upload (multipart) is recorded with its caption and served to the page."""
        content = jpeg_bytes()
        await sandbox_product.ptb.bot.send_photo(chat.chat_id, content, caption="Look at this")
        [entry] = await chat.bot_says()
        assert entry["message"]["caption"] == "Look at this"
        file_id = entry["message"]["photo"][-1]["file_id"]
        async with chat.session.get(f"{chat.base_url}/sandbox/api/file/{file_id}") as response:
            assert await response.read() == content


class TestTranscript:
    def test_update_ids_keep_growing_across_restarts(self, tmp_path: Path) -> None:
        """A restarted sandbox never reuses an update id (the bot would drop it as a redelivery)."""
        first = Transcript(tmp_path, wall_clock=lambda: 1000.0)
        used = [first.next_update_id() for _ in range(5)]
        first.save()
        second = Transcript(tmp_path, wall_clock=lambda: 999.0)  # even with the clock set back
        second.load()
        assert second.next_update_id() > max(used)

    def test_the_transcript_survives_a_clean_restart(self, tmp_path: Path) -> None:
        """Messages and the reply keyboard saved at shutdown are shown again after a restart."""
        first = Transcript(tmp_path)
        chat = first.chat(5)
        first.add(chat, {"message_id": chat.take_message_id(), "text": "hi"}, outgoing=True)
        first.set_reply_keyboard(chat, {"keyboard": [[{"text": "x"}]]})
        first.save()
        second = Transcript(tmp_path)
        second.load()
        snapshot = second.snapshot(5, 0)
        assert [e["message"]["text"] for e in snapshot["messages"]] == ["hi"]
        assert snapshot["reply_keyboard"] == {"keyboard": [[{"text": "x"}]]}
        assert second.chat(5).take_message_id() == 2


def test_sandbox_photos_are_recoded_without_exif(tmp_path: Path) -> None:
    """The sandbox's "photo" is what a Telegram client sends: a JPEG of at most 1280 px, no EXIF."""
    from bot.sandbox.person import telegram_photo_versions

    versions = telegram_photo_versions(gps_jpeg())
    largest = versions[-1]
    (tmp_path / "x.jpg").write_bytes(largest.jpeg)
    with (tmp_path / "x.jpg").open("rb") as handle:
        assert not exifread.process_file(handle, details=False)
    with Image.open(tmp_path / "x.jpg") as image:
        assert max(image.size) <= 1280 and not image.getexif()


class TestEachPersonBelongsToOneBrowser:
    async def test_another_browser_cannot_read_a_persons_chat(self, chat: SandboxChat) -> None:
        """A shares a phone number in /claim; B's browser asking for A's chat gets 403 and nothing of it."""
        await chat.send("text", text="/claim")
        await chat.bot_says()
        await chat.send("contact", phone_number="+86 138 0013 8000", via_keyboard="1")
        await chat.bot_says()
        async with browser() as other:
            params = {"chat_id": str(chat.chat_id), "after": "0", "lang": "en"}
            async with other.get(f"{chat.base_url}/sandbox/api/messages", params=params) as response:
                body = await response.text()
                assert response.status == 403
        assert "138 0013" not in body and "another browser" in body

    async def test_another_browser_cannot_act_as_the_person(self, chat: SandboxChat) -> None:
        """B's browser sending as A is refused; A's chat and the bot see nothing of it."""
        await chat.send("text", text="/start")
        await chat.bot_says()
        async with browser() as other:
            impostor = SandboxChat(other, chat.base_url, chat.chat_id)
            refused = await impostor.send("text", text="/claim")
        assert refused["ok"] is False and "another browser" in refused["error"]
        await chat.send("text", text="/help")
        [answer] = await chat.bot_says()
        texts = [entry["message"].get("text") for entry in chat.seen.values()]
        assert "/claim" not in texts and answer["message"]["text"].startswith("Commands")

    async def test_a_new_browser_becomes_a_new_person(self, chat: SandboxChat) -> None:
        """Another browser still chats, as a person of its own."""
        async with browser() as other:
            newcomer = SandboxChat(other, chat.base_url, chat.chat_id + 1)
            assert (await newcomer.send("text", text="/start"))["ok"]
            assert await newcomer.bot_says()

    async def test_a_cross_origin_post_is_refused(self, chat: SandboxChat) -> None:
        """A page on another site posting to the sandbox (the person's cookie or not) gets 403."""
        form = {"kind": "text", "chat_id": str(chat.chat_id), "text": "/start"}
        headers = {"Origin": "http://evil.example"}
        async with chat.session.post(f"{chat.base_url}/sandbox/api/send", data=form, headers=headers) as response:
            assert response.status == 403
        own = {"Origin": chat.base_url}
        async with chat.session.post(f"{chat.base_url}/sandbox/api/send", data=form, headers=own) as response:
            assert response.status == 200

    def test_owners_survive_a_restart(self, tmp_path: Path) -> None:
        """Claims are on disk at once: after a restart (even a crash) the person is still the same browser's."""
        first_browser, second_browser = new_owner_token(), new_owner_token()
        owners = Owners(tmp_path)
        assert owners.allows(42, first_browser)
        restarted = Owners(tmp_path)
        restarted.load()
        assert not restarted.allows(42, second_browser) and restarted.allows(42, first_browser)
        assert stat.S_IMODE((tmp_path / "owners.json").stat().st_mode) == 0o600
