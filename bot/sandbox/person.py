"""The person's side of the sandbox chat: their actions become real Telegram `Update` JSON for the bot.

Each action is recorded in the transcript (so the page shows it) and handed to `deliver`, which the
views wire to `bot.web.webhook.accept_update`: the very path webhook updates take. Photos are treated
the way Telegram clients treat them: re-encoded as JPEG (metadata gone, at most 1280 px) with a few
smaller sizes; a photo sent "as a file" arrives byte for byte as a document, EXIF included.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from bot.sandbox.store import Transcript

Deliver = Callable[[dict[str, Any]], Awaitable[None]]

#: Telegram's photo sizes ("s", "m", "x"): the largest is what a bot downloads.
PHOTO_SIDES_PX = (90, 320, 1280)
#: Above this we do not decode in the sandbox; the bytes go to the bot as they are (its own guard decides).
RECODE_MAX_PIXELS = 50_000_000


class SandboxError(Exception):
    """The person's action cannot be turned into an update (e.g. a button that is gone)."""


@dataclass(frozen=True)
class Person:
    """The fake Telegram user; in a private chat the chat id is the user id."""

    user_id: int
    first_name: str = "Tester"
    language_code: str = "en"

    def as_user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}


@dataclass(frozen=True)
class PhotoVersion:
    jpeg: bytes
    width_px: int
    height_px: int


class PersonActions:
    """Build, record and deliver one update per action."""

    def __init__(self, transcript: Transcript, deliver: Deliver) -> None:
        self.transcript, self.deliver = transcript, deliver

    async def _message(self, person: Person, **content: Any) -> dict[str, Any]:
        chat = self.transcript.chat(person.user_id)
        message = {
            "message_id": chat.take_message_id(),
            "date": self.transcript.now_s(),
            "from": person.as_user(),
            "chat": person.as_chat(),
            **content,
        }
        self.transcript.add(chat, message, outgoing=False)
        await self.transcript.changed()
        await self.deliver({"update_id": self.transcript.next_update_id(), "message": message})
        return message

    async def text(self, person: Person, text: str) -> dict[str, Any]:
        """Plain text; a leading /command gets its bot_command entity like in Telegram."""
        if not text.strip():
            raise SandboxError("empty message")
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._message(person, **content)

    async def photo(self, person: Person, content: bytes) -> dict[str, Any]:
        versions = await asyncio.to_thread(telegram_photo_versions, content)
        files = self.transcript.files
        sizes = []
        for version in versions:
            stored = files.put(version.jpeg, kind="photos", extension="jpg", mime_type="image/jpeg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_id[:16],
                    "width": version.width_px,
                    "height": version.height_px,
                    "file_size": stored.size_bytes,
                }
            )
        return await self._message(person, photo=sizes)

    async def document(self, person: Person, content: bytes, file_name: str, mime_type: str | None) -> dict[str, Any]:
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = file_name.rsplit(".", 1)[-1][:8] if "." in file_name else "bin"
        stored = self.transcript.files.put(content, kind="documents", extension=extension, mime_type=mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id[:16],
            "file_name": file_name[:255],
            "mime_type": mime_type,
            "file_size": stored.size_bytes,
        }
        return await self._message(person, document=document)

    async def location(
        self, person: Person, lat: float, lon: float, *, accuracy_m: float | None = None
    ) -> dict[str, Any]:
        location: dict[str, Any] = {"latitude": lat, "longitude": lon}
        if accuracy_m is not None:
            location["horizontal_accuracy"] = min(max(accuracy_m, 0.0), 1500.0)  # Telegram's range
        return await self._message(person, location=location)

    async def contact(self, person: Person, phone_number: str) -> dict[str, Any]:
        """The person's own contact, as the request_contact button shares it (user_id set)."""
        contact = {"phone_number": phone_number, "first_name": person.first_name, "user_id": person.user_id}
        return await self._message(person, contact=contact)

    async def press(self, person: Person, message_id: int, data: str) -> None:
        """Tap an inline button of a bot message: a callback_query carrying that whole message."""
        chat = self.transcript.chat(person.user_id)
        entry = chat.entries.get(message_id)
        buttons = (
            []
            if entry is None or entry.deleted or not entry.outgoing
            else [
                button.get("callback_data")
                for row in entry.message.get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
            ]
        )
        if entry is None or data not in buttons:
            raise SandboxError("that button is no longer there")
        update_id = self.transcript.next_update_id()
        query_id = str(update_id)
        self.transcript.open_callbacks[query_id] = person.user_id
        await self.deliver(
            {
                "update_id": update_id,
                "callback_query": {
                    "id": query_id,
                    "from": person.as_user(),
                    "message": entry.message,
                    "chat_instance": str(person.user_id),
                    "data": data,
                },
            }
        )

    def used_reply_keyboard(self, person: Person) -> None:
        """A one-time reply keyboard hides itself once one of its buttons was used."""
        chat = self.transcript.chat(person.user_id)
        if chat.reply_keyboard is not None and chat.reply_keyboard.get("one_time_keyboard"):
            self.transcript.set_reply_keyboard(chat, None)


def telegram_photo_versions(content: bytes) -> list[PhotoVersion]:
    """What a Telegram client makes of a picture: upright JPEGs without metadata, smallest first.

    What cannot be decoded safely here (not an image, a huge one) is passed on unchanged, so the
    bot's own refusals are what the person sees, as they would be for an odd client.
    """
    from PIL import Image, ImageOps

    try:
        with Image.open(BytesIO(content)) as image:
            if image.width * image.height > RECODE_MAX_PIXELS:
                return [PhotoVersion(content, image.width, image.height)]
            image.draft("RGB", (PHOTO_SIDES_PX[-1], PHOTO_SIDES_PX[-1]))
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Exception:  # any undecodable upload goes through untouched
        return [PhotoVersion(content, 0, 0)]
    versions = []
    for side_px in PHOTO_SIDES_PX:
        copy = upright.copy()
        copy.thumbnail((side_px, side_px))
        buffer = BytesIO()
        copy.save(buffer, "JPEG", quality=87)
        versions.append(PhotoVersion(buffer.getvalue(), copy.width, copy.height))
        if max(upright.size) <= side_px:
            break
    return versions
