"""Who may be which sandbox person: the browser that used the person first, known by a random cookie.

Without this anyone reaching the page could read any chat (the phone number and real name typed into
/claim among them) and act as any person. Each browser gets an unguessable owner token in an HttpOnly,
SameSite=Strict cookie; the first browser to use a chat id owns it, and every other browser is refused.
Only the token's hash is kept, in `<var_dir>/sandbox/owners.json` (0600), written at every new claim so
a crash cannot free a person for someone else to take over. The sandbox runs in one web process, so the
map lives in its memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from pathlib import Path

from bot.private_files import write_private

log = logging.getLogger(__name__)

OWNER_COOKIE = "sandbox_owner"
OWNERS_FILE = "owners.json"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


def new_owner_token() -> str:
    return secrets.token_urlsafe(32)


def valid_token(token: str | None) -> bool:
    return token is not None and TOKEN_RE.fullmatch(token) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Owners:
    def __init__(self, directory: Path) -> None:
        self.path = directory / OWNERS_FILE
        self._by_chat: dict[int, str] = {}

    def load(self) -> None:
        if not self.path.exists():
            return
        try:
            self._by_chat = {int(chat): str(owner) for chat, owner in json.loads(self.path.read_text()).items()}
        except (ValueError, AttributeError):
            log.warning("ignoring an unreadable sandbox owners file %s", self.path)

    def allows(self, chat_id: int, token: str) -> bool:
        """True when the chat belongs to this browser; an unclaimed chat becomes this browser's."""
        owner = self._by_chat.get(chat_id)
        if owner is None:
            self._by_chat[chat_id] = _digest(token)
            write_private(self.path, json.dumps({str(c): o for c, o in self._by_chat.items()}).encode())
            return True
        return hmac.compare_digest(owner, _digest(token))
