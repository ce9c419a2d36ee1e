"""What the sandbox remembers: every chat's transcript, the files people and the bot sent, update ids.

It is a developer tool for one process (the web process that serves /sandbox), so state lives in
memory, is written to `<var_dir>/sandbox/state.json` when the server stops cleanly and is read back
at start; file contents go straight to `<var_dir>/sandbox/files/`. A process killed with SIGKILL
loses the transcript since the last clean stop (the bot's own data is in the database regardless).
Several web processes would each have their own transcript: run one when using the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.private_files import write_private

log = logging.getLogger(__name__)

#: Telegram file ids are url-safe base64; ours are hex, and nothing else may reach the file system.
FILE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
STATE_FILE = "state.json"


@dataclass
class Entry:
    """One message in a chat, exactly as Telegram would describe it (`message`), plus sandbox facts."""

    seq: int  #: bumped at every change, so the page asks only for what changed
    outgoing: bool  #: sent by the bot (True) or by the person (False)
    message: dict[str, Any]
    parse_mode: str | None = None
    deleted: bool = False


@dataclass
class Chat:
    chat_id: int
    entries: dict[int, Entry] = field(default_factory=dict)  # message_id -> entry
    reply_keyboard: dict[str, Any] | None = None  # the bot's current ReplyKeyboardMarkup
    notices: list[tuple[int, str]] = field(default_factory=list)  # (seq, answerCallbackQuery text)
    seq: int = 0  #: the last change in this chat
    next_message_id: int = 1  #: a private chat numbers both sides' messages in one sequence

    def take_message_id(self) -> int:
        message_id, self.next_message_id = self.next_message_id, self.next_message_id + 1
        return message_id


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_path: str  #: what getFile returns; the download URL ends with it
    size_bytes: int
    mime_type: str


class FileStore:
    """Uploaded and sent files on disk, addressed by a generated file id (never by a user-given name)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.meta: dict[str, StoredFile] = {}

    def put(self, content: bytes, *, kind: str, extension: str, mime_type: str) -> StoredFile:
        file_id = uuid.uuid4().hex
        write_private(self.directory / file_id, content)
        stored = StoredFile(file_id, f"{kind}/{file_id}.{extension}", len(content), mime_type)
        self.meta[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        if not FILE_ID_PATTERN.match(file_id) or not (self.directory / file_id).is_file():
            return None
        return self.meta.get(file_id)

    def content(self, stored: StoredFile) -> bytes:
        return (self.directory / stored.file_id).read_bytes()

    def by_path(self, file_path: str) -> StoredFile | None:
        """The download route gets `<kind>/<file_id>.<ext>`: the file id is all that counts."""
        stored = self.get(file_path.rsplit("/", 1)[-1].split(".", 1)[0])
        return stored if stored is not None and stored.file_path == file_path else None


class Transcript:
    """Every chat the sandbox has seen, with change notification for the page's long poll."""

    def __init__(self, directory: Path, *, wall_clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.files = FileStore(directory / "files")
        self.chats: dict[int, Chat] = {}
        self.commands: list[dict[str, Any]] = []
        self.seq = 0
        # Update ids must never repeat across restarts (the bot drops ids it has seen): start from
        # the wall clock in milliseconds, or after the last one saved, whichever is larger.
        self.last_update_id = int(wall_clock() * 1000)
        self.open_callbacks: dict[str, int] = {}  # callback query id -> chat id, until the bot answers
        self.closing = False
        self._wall_clock = wall_clock
        self._changed = asyncio.Condition()

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id))

    def now_s(self) -> int:
        return int(self._wall_clock())

    def next_update_id(self) -> int:
        self.last_update_id += 1
        return self.last_update_id

    def bump(self, chat: Chat) -> int:
        self.seq += 1
        chat.seq = self.seq
        return self.seq

    def add(self, chat: Chat, message: dict[str, Any], *, outgoing: bool, parse_mode: str | None = None) -> Entry:
        entry = Entry(self.bump(chat), outgoing, message, parse_mode)
        chat.entries[int(message["message_id"])] = entry
        return entry

    def touch(self, chat: Chat, entry: Entry) -> None:
        entry.seq = self.bump(chat)

    def notice(self, chat: Chat, text: str) -> None:
        chat.notices.append((self.bump(chat), text))
        del chat.notices[:-20]  # only recent toasts matter

    def set_reply_keyboard(self, chat: Chat, markup: dict[str, Any] | None) -> None:
        chat.reply_keyboard = markup
        self.bump(chat)

    # ---- the page's view ----------------------------------------------------------------------------
    async def changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def close(self) -> None:
        """Wake every long poll so the server can stop at once."""
        self.closing = True
        await self.changed()

    async def wait(self, chat_id: int, after: int, timeout_s: float) -> dict[str, Any]:
        """Return at once if the chat changed after `after`, else when it does (or after `timeout_s`)."""
        chat = self.chat(chat_id)
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.closing or chat.seq > after or after > self.seq), timeout_s
                )
        return self.snapshot(chat_id, after)

    def snapshot(self, chat_id: int, after: int) -> dict[str, Any]:
        chat = self.chat(chat_id)
        reset = after > self.seq  # the page knows a newer past than we do (state was lost): start over
        since = 0 if reset else after
        return {
            "seq": self.seq,
            "reset": reset,
            "messages": [_entry_json(e) for e in chat.entries.values() if e.seq > since],
            "reply_keyboard": chat.reply_keyboard,
            "notices": [text for seq, text in chat.notices if seq > since],
            "commands": self.commands,
        }

    # ---- persistence --------------------------------------------------------------------------------
    def save(self) -> None:
        state = {
            "seq": self.seq,
            "last_update_id": self.last_update_id,
            "commands": self.commands,
            "files": [asdict(stored) for stored in self.files.meta.values()],
            "chats": [
                {
                    "chat_id": c.chat_id,
                    "seq": c.seq,
                    "next_message_id": c.next_message_id,
                    "reply_keyboard": c.reply_keyboard,
                    "entries": [asdict(e) for e in c.entries.values()],
                }
                for c in self.chats.values()
            ],
        }
        # What people typed (phone numbers and names during /claim included): owner-only, written whole.
        write_private(self.directory / STATE_FILE, json.dumps(state, ensure_ascii=False).encode())

    def load(self) -> None:
        path = self.directory / STATE_FILE
        if not path.exists():
            return
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            self._restore(state)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable sandbox state file %s", path)

    def _restore(self, state: dict[str, Any]) -> None:
        self.seq = int(state["seq"])
        self.last_update_id = max(self.last_update_id, int(state["last_update_id"]))
        self.commands = list(state["commands"])
        self.files.meta = {f["file_id"]: StoredFile(**f) for f in state["files"]}
        for raw in state["chats"]:
            chat = Chat(
                int(raw["chat_id"]),
                seq=int(raw["seq"]),
                next_message_id=int(raw["next_message_id"]),
                reply_keyboard=raw["reply_keyboard"],
            )
            for e in raw["entries"]:
                entry = Entry(**e)
                chat.entries[int(entry.message["message_id"])] = entry
            self.chats[chat.chat_id] = chat


def _entry_json(entry: Entry) -> dict[str, Any]:
    return asdict(entry)
