"""The Bot API as the bot sees it in the sandbox: `/sandbox/bot<token>/<method>` and file downloads.

With no TELEGRAM_BOT_TOKEN the PTB application and the worker's outbound bot point their base URLs
here (bot/config.py decides). Each method the bot uses is answered like Telegram would, including
Telegram's common refusals (empty or too long text, oversized callback data, editing a missing
message, "message is not modified"), so mistakes show up in the sandbox rather than in production.
Every message the bot sends is recorded in the `Transcript` for the chat page.
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
from collections.abc import Callable
from io import BytesIO
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.store import Chat, Entry, StoredFile, Transcript

log = logging.getLogger(__name__)

#: Parameters PTB sends JSON-encoded inside form fields; every other value stays a plain string.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "scope",
        "media",
    }
)
MAX_TEXT_CHARS = 4096  #: Telegram's limits, enforced so the bot's mistakes surface here
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_DATA_BYTES = 64

Params = dict[str, Any]


class ApiError(Exception):
    """A Bot API refusal: Telegram's status code and description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description

    def response(self) -> web.Response:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        return web.json_response(body, status=self.code)


def bot_user(token: str) -> dict[str, Any]:
    """getMe: the bot's id is the token's prefix, as on Telegram."""
    return {
        "id": int(token.split(":", 1)[0]),
        "is_bot": True,
        "first_name": "SafeCity (sandbox)",
        "username": "safecity_sandbox_bot",
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


class BotApiEmulator:
    """Answers the bot's Bot API calls and records what it sends in the transcript."""

    def __init__(self, transcript: Transcript, token: str) -> None:
        self.transcript, self.token = transcript, token
        self.me = bot_user(token)
        self.webhook_url = ""
        self._methods: dict[str, Callable[[Params], Any]] = {
            "getMe": lambda _: self.me,
            "logOut": _true,
            "close": _true,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": lambda _: {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            },
            "setMyCommands": self._set_commands,
            "deleteMyCommands": self._delete_commands,
            "getMyCommands": lambda _: self.transcript.commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_text,
            "editMessageCaption": self._edit_caption,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete,
            "answerCallbackQuery": self._answer_callback,
            "sendChatAction": _true,
            "getFile": self._get_file,
        }

    async def call(self, method: str, params: Params) -> Any:
        handler = self._methods.get(method)
        if handler is None:
            log.warning("the sandbox does not implement Bot API method %s", method)
            raise ApiError(404, "Not Found: method not implemented by the sandbox")
        result = handler(params)
        await self.transcript.changed()
        return result

    # ---- setup methods ------------------------------------------------------------------------------
    def _set_webhook(self, p: Params) -> bool:
        self.webhook_url = str(p.get("url", ""))  # recorded only: the sandbox delivers updates directly
        return True

    def _delete_webhook(self, _: Params) -> bool:
        self.webhook_url = ""
        return True

    def _set_commands(self, p: Params) -> bool:
        self.transcript.commands = [
            {"command": c["command"], "description": c["description"]} for c in p.get("commands", [])
        ]
        return True

    def _delete_commands(self, _: Params) -> bool:
        self.transcript.commands = []
        return True

    # ---- sending ------------------------------------------------------------------------------------
    def _chat(self, p: Params) -> Chat:
        try:
            return self.transcript.chat(int(p["chat_id"]))
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _record(self, p: Params, **content: Any) -> dict[str, Any]:
        chat = self._chat(p)
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "date": self.transcript.now_s(),
            "from": self.me,
            "chat": {"id": chat.chat_id, "type": "private"},
            **content,
        }
        self._apply_markup(chat, message, p.get("reply_markup"))
        self.transcript.add(chat, message, outgoing=True, parse_mode=p.get("parse_mode"))
        return message

    def _apply_markup(self, chat: Chat, message: dict[str, Any], markup: Any) -> None:
        """Inline keyboards belong to the message; reply keyboards replace the chat's keyboard."""
        if not isinstance(markup, dict):
            message.pop("reply_markup", None)
            return
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup)
            message["reply_markup"] = markup
        elif "keyboard" in markup:
            self.transcript.set_reply_keyboard(chat, markup)
        elif markup.get("remove_keyboard"):
            self.transcript.set_reply_keyboard(chat, None)

    def _send_message(self, p: Params) -> dict[str, Any]:
        text = str(p.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise ApiError(400, "Bad Request: message is too long")
        return self._record(p, text=text, **_entities(p, "entities"))

    def _caption(self, p: Params) -> dict[str, Any]:
        caption = p.get("caption")
        if not caption:
            return {}
        if len(str(caption)) > MAX_CAPTION_CHARS:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": str(caption), **_entities(p, "caption_entities")}

    def _upload(self, value: Any, *, kind: str, extension: str, mime_type: str) -> StoredFile:
        """A new upload (bytes) or a file id the sandbox already has."""
        if isinstance(value, bytes):
            return self.transcript.files.put(value, kind=kind, extension=extension, mime_type=mime_type)
        stored = self.transcript.files.get(str(value))
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored

    def _send_photo(self, p: Params) -> dict[str, Any]:
        stored = self._upload(p.get("photo"), kind="photos", extension="jpg", mime_type="image/jpeg")
        width, height = image_size(self.transcript.files.content(stored))
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id[:16],
            "width": width,
            "height": height,
            "file_size": stored.size_bytes,
        }
        return self._record(p, photo=[size], **self._caption(p))

    def _send_document(self, p: Params) -> dict[str, Any]:
        name = str(p.get("_filename_document") or "file")
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        extension = (mimetypes.guess_extension(mime_type) or ".bin").lstrip(".")
        stored = self._upload(p.get("document"), kind="documents", extension=extension, mime_type=mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id[:16],
            "file_name": name,
            "mime_type": stored.mime_type,
            "file_size": stored.size_bytes,
        }
        return self._record(p, document=document, **self._caption(p))

    def _send_location(self, p: Params) -> dict[str, Any]:
        try:
            location = {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude") from None
        return self._record(p, location=location)

    # ---- changing sent messages ---------------------------------------------------------------------
    def _own_message(self, p: Params, verb: str) -> tuple[Chat, Entry]:
        chat = self._chat(p)
        entry = chat.entries.get(int(p.get("message_id", 0)))
        if entry is None or entry.deleted:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        if not entry.outgoing and verb == "edit":
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, entry

    def _edit(self, p: Params, **changes: Any) -> dict[str, Any]:
        chat, entry = self._own_message(p, "edit")
        before = json.dumps(entry.message, sort_keys=True)
        message = {**entry.message, **changes}
        self._apply_markup(chat, message, p.get("reply_markup"))  # no markup given -> inline keyboard removed
        if json.dumps(message, sort_keys=True) == before:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if changes:  # like Telegram, a keyboard-only edit does not mark the message as edited
            message["edit_date"] = self.transcript.now_s()
        entry.message = message
        if "parse_mode" in p or "text" in changes:
            entry.parse_mode = p.get("parse_mode")
        self.transcript.touch(chat, entry)
        return entry.message

    def _edit_text(self, p: Params) -> dict[str, Any]:
        text = str(p.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        _, entry = self._own_message(p, "edit")
        if "text" not in entry.message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._edit(p, text=text, **_entities(p, "entities"))

    def _edit_caption(self, p: Params) -> dict[str, Any]:
        return self._edit(p, **self._caption(p))

    def _edit_markup(self, p: Params) -> dict[str, Any]:
        return self._edit(p)

    def _delete(self, p: Params) -> bool:
        chat, entry = self._own_message(p, "delete")
        entry.deleted = True
        self.transcript.touch(chat, entry)
        return True

    def _answer_callback(self, p: Params) -> bool:
        chat_id = self.transcript.open_callbacks.pop(str(p.get("callback_query_id", "")), None)
        if chat_id is None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if p.get("text"):
            self.transcript.notice(self.transcript.chat(chat_id), str(p["text"]))
        return True

    def _get_file(self, p: Params) -> dict[str, Any]:
        stored = self.transcript.files.get(str(p.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id[:16],
            "file_size": stored.size_bytes,
            "file_path": stored.file_path,
        }


def _true(_: Params) -> bool:
    return True


def _entities(p: Params, key: str) -> dict[str, Any]:
    return {key: p[key]} if p.get(key) else {}


def _check_inline_keyboard(markup: dict[str, Any]) -> None:
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height from the header only (0, 0 when it is not an image we can read)."""
    from PIL import Image

    try:
        with Image.open(BytesIO(content)) as image:
            return image.size
    except Exception:  # any unreadable upload: Telegram would still deliver it
        return 0, 0


# ---- HTTP ---------------------------------------------------------------------------------------------
emulator_key = web.AppKey("sandbox_emulator", BotApiEmulator)


async def read_params(request: web.Request) -> Params:
    """Query string, url-encoded form, JSON body or multipart (uploads stay bytes), as PTB may send them."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            if isinstance(part, BodyPartReader) and part.name:
                if part.filename:
                    params[part.name], params[f"_filename_{part.name}"] = bytes(await part.read()), part.filename
                else:
                    params[part.name] = await part.text()
    elif request.body_exists:
        params.update(await request.post())
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


async def bot_api(request: web.Request) -> web.Response:
    emulator = request.app[emulator_key]
    if not hmac.compare_digest(request.match_info["token"].encode(), emulator.token.encode()):
        return ApiError(401, "Unauthorized").response()
    try:
        result = await emulator.call(request.match_info["method"], await read_params(request))
    except ApiError as error:
        return error.response()
    return web.json_response({"ok": True, "result": result})


async def bot_file(request: web.Request) -> web.Response:
    emulator = request.app[emulator_key]
    stored = emulator.transcript.files.by_path(request.match_info["path"])
    if not hmac.compare_digest(request.match_info["token"].encode(), emulator.token.encode()) or stored is None:
        return web.Response(status=404, text="Not Found")
    return web.Response(body=emulator.transcript.files.content(stored), content_type=stored.mime_type)


def add_bot_api_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    app[emulator_key] = emulator
    app.router.add_route("*", "/sandbox/bot{token}/{method}", bot_api)
    app.router.add_get("/sandbox/file/bot{token}/{path:.+}", bot_file)
