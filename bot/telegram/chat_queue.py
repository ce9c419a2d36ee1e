"""Per-chat queues and leases in Redis: one chat's updates are handled one at a time, in order, by whichever
web process holds the chat's lease; different chats go on at once.

Each chat has a sorted set of the update ids still to handle (score: the id, so Telegram's order) and a
lease key holding the owning process's token. A process that stored an update adds its id, then tries the
lease; if another process holds it, that one will see the id (it reads the set again after every update,
and lets the chat go only in the same step that finds the set empty). A lease lost with its process
(`kill -9`) expires after `lease_s`, and the stranded-update feeder hands the chat to a live process. The
database inbox stays the record; this is the coordination, and a Redis that lost it is refilled from the
inbox by that same feeder.

The chat's live intake prompt (the message whose buttons still work, bot/telegram/prompts.py) rides along:
read when the chat is taken, written when an update is done; one round trip each, none of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

#: How many queued ids one read brings back; the rest wait for the next read.
BATCH = 32
#: A draft lives 30 minutes by default; a prompt older than a day has no buttons worth taking back.
PROMPT_TTL_S = 24 * 3600
#: A done mark outlives any process that could still have to record it (normally it goes within a second).
DONE_MARK_TTL_S = 3600
#: An update's count of attempts lives as long as the answers its calls left (bot/telegram/once.py), so a
#: later attempt never takes itself for the first.
TRIES_TTL_S = 24 * 3600
TRIES_TTL_MS = TRIES_TTL_S * 1000

# The head of the queue is the update the caller handles next: its attempt is counted in the chat's `tries`
# hash (KEYS[4]); the first attempt (1) can have made no Bot API call yet, so its calls need no look for
# answers kept from an earlier one (bot/telegram/once.py). ARGV[4]: how long a count is kept (ms).
_HEAD = """
local function head(ids, out)
  if #ids == 0 then return out end
  out[#out + 1] = redis.call('HINCRBY', KEYS[4], ids[1], 1)
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
  for _, id in ipairs(ids) do out[#out + 1] = id end
  return out
end
"""
# KEYS: lease, queue, prompt, tries. ARGV: token, lease ms, batch, tries ttl ms[, update id to queue first].
# -> false (another process has it) | {prompt[, head's attempt, ids...]}
_LEASE = (
    _HEAD
    + """
if ARGV[5] then redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[5]) end
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not ok then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return head(redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1), {redis.call('GET', KEYS[3]) or ''})
"""
)
# KEYS: lease, queue, prompt, tries, done mark. ARGV: token, lease ms, batch, tries ttl ms, update id, done ttl,
# prompt ('': keep, '-': none, else the message id), prompt ttl.
# -> false (lease lost) | {'released'} | {'held', head's attempt, ids...}
_DONE = (
    _HEAD
    + """
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('SET', KEYS[5], '1', 'EX', ARGV[6])
if ARGV[7] == '-' then redis.call('DEL', KEYS[3])
elseif ARGV[7] ~= '' then redis.call('SET', KEYS[3], ARGV[7], 'EX', ARGV[8]) end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
redis.call('HDEL', KEYS[4], ARGV[5])
local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1)
if #ids == 0 then
  redis.call('DEL', KEYS[1])
  return {'released'}
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return head(ids, {'held'})
"""
)
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('ZCARD', KEYS[2])
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def chat_key(chat_id: int | None, update_id: int) -> str:
    """The serialisation key: the chat; an update with no chat and no user is nobody's and goes alone."""
    return str(chat_id) if chat_id is not None else f"u{update_id}"


def _tag(chat: str) -> str:
    return f"upd:{{{chat}}}"  # a hash tag: one chat's keys live together (Redis Cluster)


def sent_key(chat: str, update_id: int, digest: str) -> str:
    """Where one Bot API call made for an update is claimed (bot/telegram/once.py)."""
    return f"{_tag(chat)}:sent:{update_id}:{digest}"


def done_key(chat: str, update_id: int) -> str:
    """Set when an update is handled, until its inbox row says so (bot/telegram/done_marks.py): the feeder
    does not feed again an update a process handled just before it died."""
    return f"{_tag(chat)}:done:{update_id}"


@dataclass(frozen=True)
class Taken:
    """The chat is this process's: its live prompt and the first queued ids (empty: nothing queued)."""

    prompt: int | None
    ids: list[int]
    #: The first of `ids` is on its first attempt (no process began it before).
    first_attempt: bool = False


@dataclass(frozen=True)
class AfterDone:
    """The next queued ids, or `released`: the queue was empty, so the chat was let go in the same step."""

    ids: list[int]
    released: bool
    first_attempt: bool = False  #: as in `Taken`


class ChatQueues:
    """The Redis side of the pipeline for one process (its token marks the leases it holds)."""

    def __init__(self, redis: Redis, lease_s: float) -> None:
        self.redis = redis
        self.lease_ms = int(lease_s * 1000)
        self.token = uuid.uuid4().hex
        self._lease = redis.register_script(_LEASE)
        self._done = redis.register_script(_DONE)
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)

    async def push(self, chat: str, update_ids: list[int]) -> None:
        """Queue updates for their chat (again: an id already queued stays where it is)."""
        await self.redis.zadd(f"{_tag(chat)}:q", {str(i): i for i in update_ids}, nx=True)

    async def lease(self, chat: str, *, queue_first: int | None = None) -> Taken | None:
        """Take the chat (or keep it); None when another process has it. `queue_first`: an update to queue
        in the same step (the webhook's: one round trip for both)."""
        args: list[str | int] = [self.token, self.lease_ms, BATCH, TRIES_TTL_MS]
        if queue_first is not None:
            args.append(queue_first)
        found = await self._lease(keys=_keys(chat), args=args)
        if found is None:
            return None
        prompt = _text(found[0])
        first_attempt, ids = _head(found[1:])
        return Taken(int(prompt) if prompt else None, ids, first_attempt)

    async def done(
        self, chat: str, update_id: int, *, prompt_changed: bool = False, prompt: int | None = None
    ) -> AfterDone | None:
        """One update handled: dequeue it, mark it done, record the chat's live prompt if it changed, then
        read the queue again, letting the chat go if it is empty. None: the lease was lost meanwhile
        (another process has the chat now; stop)."""
        keys = [*_keys(chat), done_key(chat, update_id)]
        op = "" if not prompt_changed else "-" if prompt is None else str(prompt)
        args: list[str | int] = [
            self.token,
            self.lease_ms,
            BATCH,
            TRIES_TTL_MS,
            update_id,
            DONE_MARK_TTL_S,
            op,
            PROMPT_TTL_S,
        ]
        found = await self._done(keys=keys, args=args)
        if found is None:
            return None
        first_attempt, ids = _head(found[1:])
        return AfterDone(ids, _text(found[0]) == "released", first_attempt)

    async def release(self, chat: str) -> int:
        """Let the chat go; returns how many of its updates were queued meanwhile (then take it again)."""
        return int(await self._release(keys=_keys(chat)[:2], args=[self.token]))

    async def renew(self, chats: list[str]) -> None:
        """Keep the leases of chats still at work (a slow photo download must not hand the chat over)."""
        if not chats:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for chat in chats:
                await self._renew(keys=[f"{_tag(chat)}:lease"], args=[self.token, self.lease_ms], client=pipe)
            await pipe.execute()

    async def held(self, chats: set[str]) -> set[str]:
        """Which of these chats some process holds now."""
        if not chats:
            return set()
        ordered = sorted(chats)
        owners = await self.redis.mget([f"{_tag(chat)}:lease" for chat in ordered])
        return {chat for chat, owner in zip(ordered, owners, strict=True) if owner is not None}

    async def already_done(self, chat: str, update_ids: list[int]) -> set[int]:
        """Which of these updates a process handled (its done mark is there) without recording it."""
        marks = await self.redis.mget([done_key(chat, i) for i in update_ids])
        return {i for i, mark in zip(update_ids, marks, strict=True) if mark is not None}


def _keys(chat: str) -> list[str]:
    return [f"{_tag(chat)}:lease", f"{_tag(chat)}:q", f"{_tag(chat)}:prompt", f"{_tag(chat)}:tries"]


def _head(found: Any) -> tuple[bool, list[int]]:
    """(whether the first id is on its first attempt, the ids) from a script's answer after its first item."""
    if not found:
        return False, []
    return int(found[0]) == 1, _ints(found[1:])


def _ints(values: Any) -> list[int]:
    return [int(_text(value)) for value in values]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
