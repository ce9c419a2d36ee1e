"""Check an update from Telegram before anything stores or handles it.

python-telegram-bot trusts the JSON it parses: a `chat.id` that is an object or a `text` that is a number
reaches the handlers (or PTB's own bookkeeping, outside any error handler) as it came. Every field a
handler reads is checked here against the shape Telegram documents; unknown fields pass (Telegram adds
new ones), every number anywhere must fit a 64-bit column, and the body must be small and shallow.
An update that fails is logged by id and kind (never its content) and dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update

#: The update kinds the bot asks Telegram for (`allowed_updates`); anything else is not ours to handle.
HANDLED_KINDS = ("message", "edited_message", "callback_query")
MAX_DEPTH = 12
MAX_NODES = 20_000
INT64_MAX = 2**63 - 1
#: datetime.fromtimestamp's range (year 9999); Telegram's dates are seconds since 1970.
MAX_DATE_S = 253_402_300_799


@dataclass(frozen=True)
class Obj:
    """A JSON object: the type of each known field, which must be there, and which field another needs."""

    fields: dict[str, Any]
    required: frozenset[str] = frozenset()
    needs: dict[str, str] = field(default_factory=dict)  #: present field -> the field it cannot be without


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class Date:
    """Seconds since 1970 that PTB turns into a datetime."""


def _obj(required: str, **fields: Any) -> Obj:
    return Obj(fields, frozenset(required.split()))


NUMBER = (int, float)
USER = _obj("id is_bot first_name", id=int, is_bot=bool, first_name=str, last_name=str, username=str, language_code=str)
CHAT = _obj("id type", id=int, type=str, title=str, username=str, first_name=str, last_name=str)
ENTITY = _obj("type offset length", type=str, offset=int, length=int, url=str, user=USER, language=str)
PHOTO_SIZE = _obj(
    "file_id file_unique_id width height", file_id=str, file_unique_id=str, width=int, height=int, file_size=int
)
FILE = _obj(
    "file_id file_unique_id",
    file_id=str,
    file_unique_id=str,
    file_name=str,
    mime_type=str,
    file_size=int,
    thumbnail=PHOTO_SIZE,
)
LOCATION = _obj(
    "latitude longitude",
    latitude=NUMBER,
    longitude=NUMBER,
    horizontal_accuracy=NUMBER,
    live_period=int,
    heading=int,
    proximity_alert_radius=int,
)
VENUE = _obj("location title address", location=LOCATION, title=str, address=str)
CONTACT = _obj("phone_number first_name", phone_number=str, first_name=str, last_name=str, user_id=int, vcard=str)
BUTTON = _obj("text", text=str, callback_data=str, url=str)
KEYBOARD = _obj("", inline_keyboard=ListOf(ListOf(BUTTON)))
_MESSAGE_FIELDS: dict[str, Any] = {
    "message_id": int,
    "date": Date(),
    "edit_date": Date(),
    "chat": CHAT,
    "from": USER,
    "sender_chat": CHAT,
    "text": str,
    "caption": str,
    "entities": ListOf(ENTITY),
    "caption_entities": ListOf(ENTITY),
    "photo": ListOf(PHOTO_SIZE),
    "document": FILE,
    "video": FILE,
    "voice": FILE,
    "audio": FILE,
    "animation": FILE,
    "sticker": FILE,
    "location": LOCATION,
    "venue": VENUE,
    "contact": CONTACT,
    "media_group_id": str,
    "reply_markup": KEYBOARD,
    "migrate_to_chat_id": int,
    "migrate_from_chat_id": int,
}
#: Entities mark up a text (a command is an entity of the text): Telegram never sends them without it.
_MARKED_TEXT = {"entities": "text", "caption_entities": "caption"}
QUOTED_MESSAGE = Obj(_MESSAGE_FIELDS, frozenset({"message_id", "date", "chat"}), _MARKED_TEXT)
MESSAGE = Obj(
    {**_MESSAGE_FIELDS, "reply_to_message": QUOTED_MESSAGE, "pinned_message": QUOTED_MESSAGE},
    frozenset({"message_id", "date", "chat"}),
    _MARKED_TEXT,
)
CALLBACK_QUERY = _obj(  # `data`: our buttons all carry some (games and inline mode are not used)
    "id from chat_instance data",
    id=str,
    chat_instance=str,
    data=str,
    inline_message_id=str,
    message=MESSAGE,
    **{"from": USER},
)
UPDATE = _obj(
    "update_id",
    update_id=int,
    message=MESSAGE,
    edited_message=MESSAGE,
    callback_query=CALLBACK_QUERY,
)


class InvalidUpdateError(ValueError):
    """The body is not an update we can handle; `update_id` and `kind` are what may be logged."""

    def __init__(self, reason: str, update_id: object = None, kind: str = "?") -> None:
        super().__init__(reason)
        self.reason = reason
        self.update_id = update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None
        self.kind = kind


@dataclass(frozen=True)
class ValidUpdate:
    update: Update
    kind: str
    #: Whose updates are handled one at a time, in order: the chat, else the user.
    chat_id: int
    body: dict[str, Any] = field(repr=False)

    @property
    def update_id(self) -> int:
        return self.update.update_id


def validate(body: object, bot: Bot) -> ValidUpdate:
    """Return the parsed update, or raise InvalidUpdateError saying why (never echoing the content)."""
    if not isinstance(body, dict):
        raise InvalidUpdateError("not a JSON object")
    update_id = body.get("update_id")
    kinds = [key for key in body if key != "update_id"]
    kind = kinds[0] if len(kinds) == 1 and isinstance(kinds[0], str) else "?"
    if len(kinds) != 1 or kind not in HANDLED_KINDS:
        raise InvalidUpdateError("not exactly one update kind the bot handles", update_id, kind)
    problem = _limits(body) or _shape(body, UPDATE, "update")
    if problem is None and not (isinstance(update_id, int) and 0 <= update_id <= INT64_MAX):
        problem = "update_id out of range"
    if problem is not None:
        raise InvalidUpdateError(problem, update_id, kind)
    try:
        update = Update.de_json(body, bot)
    except Exception as error:  # PTB's own parsing is the last word; the reason, never the data
        raise InvalidUpdateError(f"unparsable: {type(error).__name__}", update_id, kind) from None
    chat, user = update.effective_chat, update.effective_user
    if user is None:  # every message and tap the bot handles has a sender (channel posts are not handled)
        raise InvalidUpdateError("no sender", update_id, kind)
    return ValidUpdate(update, kind, chat.id if chat is not None else user.id, body)


def _limits(body: dict[str, Any]) -> str | None:
    """Depth, size, and numbers every column and datetime can hold, over the whole tree."""
    stack: list[tuple[object, int]] = [(body, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            return "too large or too deep"
        if isinstance(value, dict):
            if not all(_is_unicode(key) for key in value):
                return "a key is not Unicode text"
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if not _is_unicode(value):
                return "a string is not Unicode text"
        elif not _number_fits(value):
            return "number out of range"
    return None


def _is_unicode(text: object) -> bool:
    """JSON may escape half a surrogate pair (\\ud83d alone), which Python reads into a str that no UTF-8
    database, Redis or log can take: the update would fail at every step it reached, again at each retry."""
    if not isinstance(text, str) or text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _number_fits(value: object) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return -INT64_MAX <= value <= INT64_MAX
    return not isinstance(value, float) or math.isfinite(value)


def _shape(value: object, shape: Any, path: str) -> str | None:
    """None when `value` has `shape`; else which field is wrong (its path, not its value)."""
    if isinstance(shape, Obj):
        if not isinstance(value, dict):
            return f"{path} is not an object"
        missing = {key for key in shape.required if value.get(key) is None}
        if missing:
            return f"{path}.{sorted(missing)[0]} is missing"
        unmet = next((key for key, needed in shape.needs.items() if value.get(key) and not value.get(needed)), None)
        if unmet is not None:
            return f"{path}.{unmet} without {shape.needs[unmet]}"
        for key, item in value.items():
            if key in shape.fields and item is not None:
                problem = _shape(item, shape.fields[key], f"{path}.{key}")
                if problem is not None:
                    return problem
        return None
    if isinstance(shape, ListOf):
        if not isinstance(value, list):
            return f"{path} is not a list"
        return next((p for p in (_shape(item, shape.item, f"{path}[]") for item in value) if p is not None), None)
    if isinstance(shape, Date):
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DATE_S
        return None if ok else f"{path} is not a date"
    types = shape if isinstance(shape, tuple) else (shape,)
    if isinstance(value, bool) and bool not in types:
        return f"{path} has the wrong type"
    return None if isinstance(value, types) else f"{path} has the wrong type"
