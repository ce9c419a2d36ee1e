"""Bot API calls made while handling an update happen once, however often the update is handled.

Handling is at least once (a process killed mid-update leaves it to another after the lease), so a
handler may run again for an update whose reply already went out. Every call with an effect (a send, an
edit, a button answer) made for an update is claimed in Redis before it is made, under the update id,
the method, the chat and its place among the update's calls of that method to that chat; the answer
Telegram gave is kept with the claim. Run again, the same call gets that answer back without reaching
Telegram, so the handler goes on as the first time did and the resident sees one reply.

A claim whose answer never came (the claiming process died during the request) is "in doubt": the call is
made again, since a reply lost is worse than the rare double. Claims go once the update's inbox row says
it is done (bot/telegram/done_marks.py); those of a process that died expire.

On an update's first attempt (the chat queue counts them, bot/telegram/chat_queue.py) no earlier call can
have left a claim, so nothing is looked up: the answer is written after the call, one round trip instead of
two. A first attempt that dies during a call leaves no claim, which a later attempt treats as a claim "in
doubt" would be: the call is made again.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field

from redis.asyncio import Redis
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.telegram.chat_queue import TRIES_TTL_S, sent_key

log = logging.getLogger(__name__)

#: Claims of a process that died stay this long: longer than any lease and feeder round.
CLAIM_TTL_S = TRIES_TTL_S
#: Calls that only read.
READ_ONLY_PREFIXES = ("get",)


@dataclass
class UpdateScope:
    """The update being handled in this task (a context variable: concurrent updates never mix)."""

    chat: str
    update_id: int
    #: The chat's live intake prompt as the update found it, and what the update left (bot/telegram/prompts.py).
    prompt: int | None = None
    prompt_changed: bool = False
    #: No attempt at this update began before this one (so no claim of its calls can exist yet).
    first_attempt: bool = False
    claims: list[str] = field(default_factory=list)
    _seen: Counter[str] = field(default_factory=Counter)

    def set_prompt(self, message_id: int | None) -> None:
        if message_id != self.prompt:
            self.prompt, self.prompt_changed = message_id, True

    def claim_key(self, endpoint: str, request_data: RequestData | None) -> str:
        """The n-th call of a method to a chat made for this update: run again, the handler makes the same
        calls in the same order, even when their text differs (a count, a state that moved on)."""
        chat_id = (request_data.parameters if request_data else {}).get("chat_id", "")
        call = f"{endpoint}:{chat_id}"
        self._seen[call] += 1
        key = sent_key(self.chat, self.update_id, f"{call}:{self._seen[call]}")
        self.claims.append(key)
        return key


current_update: ContextVar[UpdateScope | None] = ContextVar("current_update", default=None)


class OnceRequest(BaseRequest):
    """PTB's request object for the update-handling bot: the wrapped one, plus claims around effects."""

    def __init__(self, inner: BaseRequest, redis: Redis) -> None:
        self.inner, self.redis = inner, redis

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(  # type: ignore[override]  # PTB's defaults are a sentinel type; passed through as is
        self, url: str, method: str, request_data: RequestData | None = None, **timeouts: object
    ) -> tuple[int, bytes]:
        scope = current_update.get()
        endpoint = url.rsplit("/", 1)[-1]
        if scope is None or "/file/" in url or endpoint.startswith(READ_ONLY_PREFIXES):
            return await self.inner.do_request(url, method, request_data, **timeouts)  # type: ignore[arg-type]
        key, first = scope.claim_key(endpoint, request_data), scope.first_attempt
        if not first:
            answer = await self._claim(key, scope.update_id, endpoint)
            if answer is not None:
                return 200, answer
        try:
            code, payload = await self.inner.do_request(url, method, request_data, **timeouts)  # type: ignore[arg-type]
        except NetworkError as error:
            if not first and "connect" in type(error.__cause__).__name__.lower():
                await self.redis.delete(key)  # never left this host: a retry cannot make it twice
            raise
        if 200 <= code < 300:
            await self.redis.set(key, payload, xx=not first, ex=CLAIM_TTL_S)
        elif not first:
            await self.redis.delete(key)  # refused: nothing happened, a retry may do it
        return code, payload

    async def _claim(self, key: str, update_id: int, endpoint: str) -> bytes | None:
        """Claim the call; the answer an earlier attempt got for it, if any (then the call is not made)."""
        if await self.redis.set(key, b"", nx=True, ex=CLAIM_TTL_S):
            return None
        answer = await self.redis.get(key)
        if answer:
            return bytes(answer)
        log.warning("update %s: %s in doubt after a crash, made again", update_id, endpoint)
        return None
