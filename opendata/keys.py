"""Partner API keys: made in the admin, shown once, kept only as a SHA-256; revoked, never deleted.

A key is 32 random bytes (url-safe base64, about 43 characters), so a plain SHA-256 is enough to keep it: no
password-style stretching is needed against guessing, and looking a key up by its hash stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from bot.admin.audit import EventTag, record
from bot.i18n import N_
from opendata.models import ApiKey

NAME_NEEDED = N_("A key needs a name of 1 to 64 characters.")
BAD_RATE = N_("The rate limit must be between 1 and 6000 requests a minute.")
NAME_TAKEN = N_("A key with that name exists already.")
TOKEN_BYTES = 32
PREFIX_CHARS = 6
MAX_RATE_PER_MIN = 6000


class ApiKeyError(ValueError):
    """The key cannot be made as asked; the message is an English source string for the admin."""


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str  #: shown once to the official who made it, never stored


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_key(name: str, rate_per_min: int, *, actor: str, now: datetime) -> NewKey:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64:
        raise ApiKeyError(NAME_NEEDED)
    if not 1 <= rate_per_min <= MAX_RATE_PER_MIN:
        raise ApiKeyError(BAD_RATE)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        key = await ApiKey.create(
            name=cleaned,
            token_sha256=token_sha256(token),
            token_prefix=token[:PREFIX_CHARS],
            rate_per_min=rate_per_min,
            created_at=now,
            created_by=actor,
        )
    except IntegrityError:
        raise ApiKeyError(NAME_TAKEN) from None
    await record(actor, EventTag.API_KEY_CREATE, now=now, key=key.name, rate_per_min=rate_per_min)
    return NewKey(key, token)


async def revoke_key(key_id: int, *, actor: str, now: datetime) -> ApiKey | None:
    """Stop the key working at once (idempotent); None when there is no such key."""
    key = await ApiKey.get_or_none(id=key_id)
    if key is None or key.revoked_at is not None:
        return key
    key.revoked_at, key.revoked_by = now, actor
    await key.save(update_fields=["revoked_at", "revoked_by"])
    await record(actor, EventTag.API_KEY_REVOKE, now=now, key=key.name)
    return key


async def key_for(token: str, *, now: datetime) -> ApiKey | None:
    """The live key with this token (its last use noted), or None for an unknown or revoked one."""
    if not token:
        return None
    key = await ApiKey.get_or_none(token_sha256=token_sha256(token), revoked_at__isnull=True)
    if key is not None:
        await ApiKey.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now
    return key
