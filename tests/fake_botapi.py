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

from tests.fake_flood import FloodGate, FloodLimits, chat_of_update

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
        self.flood: FloodGate | None = None  # Telegram's flood limits, when a test asks for them
        self.delays_s: dict[str, float] = {}  # method (or "file" for downloads) -> seconds before answering
        self.arrived: list[str] = []  # every request's method as it arrives (before any delay)
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
        if method == "getUpdates":  # a polling bot: nothing ever arrives this way (tests deliver by webhook)
            await asyncio.sleep(min(float(p.get("timeout") or 0), 0.2))
            return web.json_response({"ok": True, "result": []})
        if method in SEND_METHODS and int(p.get("chat_id", 0)) in self.blocked_chats:
            await self._record(method, {**p, "_fault": 403})
            return self._err(403, "Forbidden: bot was blocked by the user")
        if self.flood is not None and method in SEND_METHODS and (wait_s := self.flood.check(p.get("chat_id"))):
            await self._record(method, {**p, "_fault": 429})
            return self._err(429, f"Too Many Requests: retry after {wait_s}", retry_after=wait_s)
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

    async def _record(self, method: str, p: dict[str, Any]) -> None:
        p["_at"] = time.monotonic()  # when it arrived (benches measure delays with it)
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

    def enforce_flood_limits(self, limits: FloodLimits | None = None) -> FloodGate:
        """From now on, answer 429 like Telegram when the bot sends faster than its limits allow."""
        self.flood = FloodGate(limits or FloodLimits())
        return self.flood

    async def deliver(
        self, update_body: dict[str, Any], *, secret: str | None = None, update_id: int | None = None
    ) -> int:
        """POST an update to the registered webhook with its secret header (or `secret` to override)."""
        assert self.webhook is not None, "the bot has not registered a webhook"
        update = {"update_id": update_id if update_id is not None else next(self._update_ids), **update_body}
        if self.flood is not None and (chat_id := chat_of_update(update)) is not None:
            self.flood.note_update(chat_id)
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

    async def wait_for_fault(self, code: int, *, timeout_s: float = 10.0) -> None:
        """Wait until the fake has answered a call with error `code` (e.g. 429)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: any(p.get("_fault") == code for _, p in self.calls)), timeout_s
            )
