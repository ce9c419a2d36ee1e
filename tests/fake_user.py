"""A resident (or group member) talking to the bot through the fake Bot API: sends updates to the webhook the way
Telegram's servers would, and waits for the bot's replies."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fake_botapi import BOT_USER, FakeBotAPI


class FakeUser:
    """One Telegram user in a private chat with the bot; each action waits for the bot's answer."""

    def __init__(self, api: FakeBotAPI, user_id: int, *, language_code: str = "en", first_name: str = "Alice") -> None:
        self.api, self.id, self.language_code, self.first_name = api, user_id, language_code, first_name
        self._message_ids = itertools.count(1)

    def _message(self, **extra: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": {
                "id": self.id,
                "is_bot": False,
                "first_name": self.first_name,
                "language_code": self.language_code,
            },
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            **extra,
        }

    async def _send(self, body: dict[str, Any], *, expect_replies: int = 1) -> list[dict[str, Any]]:
        before = len(self.api.sent(self.id))
        status = await self.api.deliver(body)
        assert status == 200, status
        if expect_replies == 0:
            return []
        replies = await self.api.wait_for("sendMessage", before + expect_replies, chat_id=self.id)
        return replies[before:]

    async def command(self, command: str, **kw: Any) -> list[dict[str, Any]]:
        entity = {"type": "bot_command", "offset": 0, "length": len(command.split()[0])}
        return await self._send({"message": self._message(text=command, entities=[entity])}, **kw)

    async def text(self, text: str, **kw: Any) -> list[dict[str, Any]]:
        return await self._send({"message": self._message(text=text)}, **kw)

    async def photo(self, content: bytes, file_id: str = "PHOTO1", **kw: Any) -> list[dict[str, Any]]:
        """A compressed photo, as Telegram sends them (PhotoSize list, largest last)."""
        self.api.files[file_id] = (content, f"photos/{file_id}.jpg")
        sizes = [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{file_id}-s", "width": 90, "height": 90},
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "width": 1280,
                "height": 960,
                "file_size": len(content),
            },
        ]
        return await self._send({"message": self._message(photo=sizes)}, **kw)

    async def document(
        self,
        content: bytes,
        file_name: str,
        mime_type: str = "image/jpeg",
        file_id: str | None = None,
        declared_size: int | None = None,
        **kw: Any,
    ) -> list[dict[str, Any]]:
        """A file ("send as file" keeps EXIF)."""
        file_id = file_id or f"DOC-{file_name}"
        self.api.files[file_id] = (content, f"documents/{file_id}")
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}"[:32],
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": declared_size if declared_size is not None else len(content),
        }
        return await self._send({"message": self._message(document=document)}, **kw)

    async def location(self, lat: float, lon: float, **kw: Any) -> list[dict[str, Any]]:
        return await self._send(
            {"message": self._message(location={"latitude": lat, "longitude": lon, "horizontal_accuracy": 12.5})}, **kw
        )

    async def venue(self, lat: float, lon: float, title: str = "Gate 3", **kw: Any) -> list[dict[str, Any]]:
        location = {"latitude": lat, "longitude": lon}
        return await self._send(
            {
                "message": self._message(
                    location=location, venue={"location": location, "title": title, "address": "Somewhere 1"}
                )
            },
            **kw,
        )

    async def contact(self, phone_number: str, *, user_id: int | None = None, **kw: Any) -> list[dict[str, Any]]:
        """A shared contact: the user's own (the request_contact button) unless `user_id` names another."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": self.first_name,
            "user_id": self.id if user_id is None else user_id,
        }
        return await self._send({"message": self._message(contact=contact)}, **kw)

    async def sticker(self, **kw: Any) -> list[dict[str, Any]]:
        sticker = {
            "file_id": "STK",
            "file_unique_id": "STK",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self._send({"message": self._message(sticker=sticker)}, **kw)

    def _callback_query(self, query_id: str, chat_instance: str, data: str, message: dict[str, Any]) -> dict[str, Any]:
        """The update Telegram sends when this user taps a button of the bot's `message`."""
        sender = {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}
        return {
            "callback_query": {
                "id": query_id,
                "chat_instance": chat_instance,
                "data": data,
                "from": sender,
                "message": {"from": BOT_USER, **message},
            }
        }

    async def press(self, bot_message: dict[str, Any], data: str, **kw: Any) -> list[dict[str, Any]]:
        """Tap an inline button on a message the bot sent (a recorded sendMessage call)."""
        buttons = [b["callback_data"] for row in bot_message["reply_markup"]["inline_keyboard"] for b in row]
        assert data in buttons, f"{data!r} is not one of the buttons {buttons}"
        result = bot_message["_result"]
        message = {
            "message_id": result["message_id"],
            "date": result["date"],
            "chat": {"id": self.id, "type": "private"},
            "text": result.get("text", ""),
            **({"reply_markup": result["reply_markup"]} if result.get("reply_markup") else {}),
        }
        body = self._callback_query(str(next(self._message_ids)), f"ci-{self.id}", data, message)
        return await self._send(body, **kw)

    async def press_forged(self, bot_message: dict[str, Any], data: str) -> dict[str, Any]:
        """Send a press with any data under a message the bot sent to this user (a forged or long-gone button).

        Returns the bot's answerCallbackQuery call (its `text` and `show_alert`)."""
        result = bot_message["_result"]
        message = {
            "message_id": result["message_id"],
            "date": result["date"],
            "chat": {"id": self.id, "type": "private"},
            "text": result.get("text") or "",
        }
        before = len(self.api.sent(method="answerCallbackQuery"))
        body = self._callback_query(str(next(self._message_ids)), f"ci-{self.id}", data, message)
        assert await self.api.deliver(body) == 200
        answers = await self.api.wait_for("answerCallbackQuery", before + 1)
        return answers[before]

    async def press_in_group(self, bot_message: dict[str, Any], data: str) -> dict[str, Any]:
        """Tap an inline button on a message the bot sent to a group (a recorded sendMessage/sendPhoto call).

        Returns the bot's answerCallbackQuery call (its `text` and `show_alert`)."""
        buttons = [b.get("callback_data") for row in bot_message["reply_markup"]["inline_keyboard"] for b in row]
        assert data in buttons, f"{data!r} is not one of the buttons {buttons}"
        result = bot_message["_result"]
        shown = (
            {"caption": result["caption"], "photo": result["photo"]} if "photo" in result else {"text": result["text"]}
        )
        message = {
            "message_id": result["message_id"],
            "date": result["date"],
            "chat": {"id": int(bot_message["chat_id"]), "type": "supergroup", "title": "Moderators"},
            "reply_markup": bot_message["reply_markup"],
            **shown,
        }
        before = len(self.api.sent(method="answerCallbackQuery"))
        body = self._callback_query(
            f"{self.id}-{next(self._message_ids)}", f"ci-group-{bot_message['chat_id']}", data, message
        )
        status = await self.api.deliver(body)
        assert status == 200, status
        answers = await self.api.wait_for("answerCallbackQuery", before + 1)
        return answers[before]
