"""Which intake prompt still shows its inline buttons, per resident, in Redis.

Only the newest prompt keeps its buttons: a "Skip" or "Done" tapped on an old one would confuse. Which
message that is changes with every step, and only the buttons' look depends on it, so it lives in Redis
(shared by every web process; lost, an old prompt merely keeps its buttons) rather than in a row
rewritten at every step.
"""

from __future__ import annotations

from redis.asyncio import Redis

#: A draft lives 30 minutes by default; a prompt older than a day has no buttons worth taking back.
PROMPT_TTL_S = 24 * 3600


def _key(resident_id: int) -> str:
    return f"prompt:{resident_id}"


async def live_prompt(redis: Redis, resident_id: int) -> int | None:
    value = await redis.get(_key(resident_id))
    return int(value) if value is not None else None


async def set_live_prompt(redis: Redis, resident_id: int, message_id: int | None) -> None:
    """Record the prompt whose buttons are live now (None: none has any)."""
    if message_id is None:
        await redis.delete(_key(resident_id))
    else:
        await redis.set(_key(resident_id), message_id, ex=PROMPT_TTL_S)
