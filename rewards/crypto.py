"""Encryption at rest for what /claim collects (phone, real name, payout account): Fernet tokens."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from bot.config import Settings
from bot.private_files import read_or_create

KEY_FILE_NAME = "rewards_secret.key"


def rewards_key(settings: Settings) -> bytes:
    """The key from settings, or one created once under var_dir (like the admin session key).

    Production sets REWARDS_ENCRYPTION_KEY so every web and worker process shares it; losing the
    key loses the real names and payout accounts (residents would run /claim again).
    """
    if settings.rewards_encryption_key:
        return settings.rewards_encryption_key.encode()
    # Created atomically: when the web process and the worker start together, both end with the same key.
    return read_or_create(settings.var_dir / KEY_FILE_NAME, Fernet.generate_key).strip()


class Cipher:
    """Encrypts text to a Fernet token and back; a token from another key reads as None."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, settings: Settings) -> Cipher:
        return cls(rewards_key(settings))

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
