"""An in-repo fake Telegram Bot API server (aiohttp), spoken to over real HTTP in both directions.

The bot under test points its `base_url`/`base_file_url` at it. Tests act as Telegram users through
`FakeUser`, which delivers updates like Telegram does: a webhook POST with the secret header.
Unknown methods answer 404, so a method the bot starts using shows up as a failing test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import aiohttp
from aiohttp import web

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "SafeCityBot",
    "username": "safecity_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
SEND_METHODS = ("sendMessage", "sendPhoto", "sendLocation", "sendDocument", "copyMessage")


class FakeBotAPI:
    def __init__(self, token: str = "4242:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, tuple[bytes, str]] = {}  # file_id -> (content, file_path)
        self.webhook: dict[str, Any] | None = None
        self.blocked_chats: set[int] = set()
        self.faults: dict[str, list[dict[str, Any]]] = {}
        self.periodic_faults: dict[str, tuple[int, dict[str, Any]]] = {}  # method -> (every n-th call, fault)
        self.sent_at: list[float] = []  # monotonic time of each successful send: a rate gauge
        self.delays_s: dict[str, float] = {}  # method (or "file" for downloads) -> seconds before answering
        self.arrived: list[str] = []  # every request's method as it arrives (before any delay)
        self._method_calls: dict[str, int] = {}
        self.url = ""
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    # ---- bot side -------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                assert isinstance(part, aiohttp.BodyPartReader)
                params[part.name or ""] = (await part.read()) if part.filename else await part.text()
        else:
            params.update(await request.post())
        for key, value in list(params.items()):  # PTB JSON-encodes non-string parameters
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    @staticmethod
    def _err(code: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _message(self, p: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": int(p["chat_id"]), "type": "private"},
            **extra,
        }
        if isinstance(p.get("reply_markup"), dict) and "inline_keyboard" in p["reply_markup"]:
            message["reply_markup"] = p["reply_markup"]
        return message

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._err(401, "Unauthorized")
        method = request.match_info["method"]
        p = await self._params(request)
        await self._arrive(method)
        if self.faults.get(method):
            fault = self.faults[method].pop(0)
            await self._record(method, {**p, "_fault": fault["code"]})
            return self._err(**fault)
        if periodic := self._periodic_fault(method):
            await self._record(method, {**p, "_fault": periodic["code"]})
            return self._err(**periodic)
        if method in SEND_METHODS and int(p.get("chat_id", 0)) in self.blocked_chats:
            await self._record(method, {**p, "_fault": 403})
            return self._err(403, "Forbidden: bot was blocked by the user")
        return await self._answer(method, p)

    async def _answer(self, method: str, p: dict[str, Any]) -> web.Response:
        """What Telegram answers a call that went through (recorded), or the method's own error."""
        result = self._result(method, p)
        if result is None:
            return self._err(*self._method_error(method, p))
        p["_result"] = result
        await self._record(method, p)
        return web.json_response({"ok": True, "result": result})

    def _method_error(self, method: str, p: dict[str, Any]) -> tuple[int, str]:
        if method == "getFile":
            return 400, "Bad Request: invalid file_id"
        return 404, "Not Found"

    def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("setWebhook", "deleteWebhook"):
            url = p.get("url") if method == "setWebhook" else None
            self.webhook = {"url": url, "secret_token": p.get("secret_token")} if url else None
            return True
        if method == "sendMessage":
            return self._message(p, text=p["text"])
        if method == "sendPhoto":
            return self._message(
                p,
                caption=p.get("caption"),
                photo=[{"file_id": f"sent-{next(self._ids)}", "file_unique_id": "u", "width": 1, "height": 1}],
            )
        if method == "sendLocation":
            return self._message(p, location={"latitude": float(p["latitude"]), "longitude": float(p["longitude"])})
        if method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            return self._message(p, message_id=int(p.get("message_id", 0)), text=p.get("text", ""))
        if method in ("answerCallbackQuery", "setMyCommands", "sendChatAction", "deleteMessage"):
            return True
        if method == "getFile" and p.get("file_id") in self.files:
            content, path = self.files[p["file_id"]]
            return {
                "file_id": p["file_id"],
                "file_unique_id": p["file_id"][:16],
                "file_size": len(content),
                "file_path": path,
            }
        return None

    def _periodic_fault(self, method: str) -> dict[str, Any] | None:
        if method not in self.periodic_faults:
            return None
        self._method_calls[method] = calls = self._method_calls.get(method, 0) + 1
        every, fault = self.periodic_faults[method]
        return fault if calls % every == 0 else None

    async def _record(self, method: str, p: dict[str, Any]) -> None:
        if method in SEND_METHODS and "_result" in p:
            self.sent_at.append(time.monotonic())
        async with self._changed:
            self.calls.append((method, p))
            self._changed.notify_all()

    async def _arrive(self, method: str) -> None:
        """Note the request (a test may wait for it, e.g. to kill the bot mid-request), then any delay."""
        async with self._changed:
            self.arrived.append(method)
            self._changed.notify_all()
        if self.delays_s.get(method):
            await asyncio.sleep(self.delays_s[method])

    async def _file(self, request: web.Request) -> web.Response:
        await self._arrive("file")
        path = request.match_info["path"]
        if request.match_info["token"] != self.token:
            return web.Response(status=404)
        for content, file_path in self.files.values():
            if file_path == path:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404)

    # ---- test side ------------------------------------------------------------------------------
    def fail_next(self, method: str, code: int, description: str, **parameters: Any) -> None:
        self.faults.setdefault(method, []).append({"code": code, "description": description, **parameters})

    def fail_every(self, method: str, every: int, code: int, description: str, **parameters: Any) -> None:
        """Fault injection in bulk: every `every`-th call of `method` fails (e.g. a 429 every 2,500 sends)."""
        self.periodic_faults[method] = (every, {"code": code, "description": description, **parameters})

    def send_rate_per_s(self) -> float:
        """Successful sends per second between the first and the last one (0 with fewer than two)."""
        if len(self.sent_at) < 2:
            return 0.0
        return (len(self.sent_at) - 1) / (self.sent_at[-1] - self.sent_at[0])

    async def deliver(
        self, update_body: dict[str, Any], *, secret: str | None = None, update_id: int | None = None
    ) -> int:
        """POST an update to the registered webhook with its secret header (or `secret` to override)."""
        assert self.webhook is not None, "the bot has not registered a webhook"
        update = {"update_id": update_id if update_id is not None else next(self._update_ids), **update_body}
        headers = {}
        token = self.webhook["secret_token"] if secret is None else secret
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook["url"], json=update, headers=headers) as response,
        ):
            return response.status

    async def wait_arrived(self, method: str, n: int = 1, *, timeout_s: float = 10.0) -> None:
        """Until `n` requests for `method` (or "file") reached us, answered or not."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.arrived.count(method) >= n), timeout_s)

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [
            p
            for m, p in self.calls
            if m == method and "_result" in p and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
        ]

    async def wait_for(
        self, method: str, n: int = 1, *, chat_id: int | None = None, timeout_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot made `n` successful `method` calls (to `chat_id`, if given)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent(chat_id, method)) >= n), timeout_s)
        return self.sent(chat_id, method)


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
