"""The one path every message to Telegram takes: a PTB rate limiter over the limits shared in Redis.

Every bot the product builds (the web process's application, which answers updates, and the outbound
bot of every process, which sends what nobody asked for) has an `OutboundRateLimiter`. What a request
draws from depends on its `Traffic`:

* `REPLY`: an answer to an update. Only the chat's (or group's) limit; the bulk budget is for
  messages nobody asked for, and Telegram does not count replies against it.
* `NOTICE` / `BROADCAST`: unsolicited. The chat's limit and the cluster's bulk budget, notices first.
* `PACED`: the caller already holds both slots (a broadcast's delivery loop, which takes them before
  and after claiming its row); the request goes at once and is never retried here.

A 429 pauses the scope it names: for a reply, the chat (only the chat's limit can have been hit); for
an unsolicited message, the bot's bulk sending and the chat. A message Telegram refused (403 blocked,
400 chat not found) reached nobody and gives its bulk slot back.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

import httpx
from redis.exceptions import RedisError
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest
from tortoise.exceptions import IntegrityError

from bot.config import Settings
from bot.ratelimit import OutboundLimits, Priority
from bot.reports.models import SentMessage
from bot.reports.residents import mark_blocked

log = logging.getLogger(__name__)
DEFAULT_POOL_SIZE = 256  # PTB's own default


class Traffic(StrEnum):
    REPLY = "reply"
    NOTICE = "notice"
    BROADCAST = "broadcast"
    PACED = "paced"

    @property
    def unsolicited(self) -> bool:
        return self is not Traffic.REPLY

    @property
    def priority(self) -> Priority | None:
        """Its place in the bulk budget; None: it does not draw from it (a reply)."""
        return {Traffic.NOTICE: Priority.NOTICE, Traffic.BROADCAST: Priority.BROADCAST}.get(self)


#: Requests that put a message in a chat (and so count against its limit); edits and answers do not.
MESSAGE_METHODS = frozenset({"copyMessage", "forwardMessage"})


def is_message(endpoint: str) -> bool:
    return endpoint in MESSAGE_METHODS or (endpoint.startswith("send") and endpoint != "sendChatAction")


def chat_of(data: dict[str, Any]) -> int | str | None:
    """The request's chat: an int id, or "@name" for a public group or channel."""
    raw = data.get("chat_id")
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return str(raw)


def retry_after_s(error: RetryAfter) -> float:
    delay = error.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class NotSentYet(RetryAfter):
    """The message never left: the process began to stop while it waited for its turn, or the shared limits
    (Redis) could not be asked. A RetryAfter, so every caller treats it as "certainly not delivered, try
    again later": a `send_once` claim is given back and the job deferred (to another worker, if stopping)."""

    def __init__(self, why: str, retry_after_s: int = 1) -> None:
        super().__init__(timedelta(seconds=retry_after_s))
        self.message = f"not sent: {why}"


SHUTTING_DOWN = "the process is shutting down; another worker sends it"
LIMITS_AWAY = "the shared send limits (Redis) are unreachable"


class OutboundRateLimiter(BaseRateLimiter[Traffic]):
    """PTB's hook: every request of a bot built here passes through `process_request`."""

    def __init__(
        self, limits: OutboundLimits, default: Traffic, *, max_retries: int, stop: asyncio.Event | None = None
    ) -> None:
        self.limits, self.default, self.max_retries, self.stop = limits, default, max_retries, stop

    async def initialize(self) -> None:
        """Nothing to open: the limits use the process's Redis pool."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Traffic | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        traffic = rate_limit_args or self.default
        chat_id = chat_of(data)
        limited = is_message(endpoint)
        waits = limited and traffic is not Traffic.PACED
        retries = 0 if traffic is Traffic.PACED else self.max_retries
        for attempt in range(retries + 1):
            if waits:
                await self._take(chat_id, traffic)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                await self.limits.told_to_wait(chat_id, retry_after_s(error), bulk=traffic.unsolicited)
                if attempt == retries:
                    raise
                log.info("429 on %s to %s: waiting %.1f s, then again", endpoint, chat_id, retry_after_s(error))
            except (Forbidden, BadRequest):
                if limited and traffic.unsolicited:
                    await self.limits.bulk.refund()
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _take(self, chat_id: int | str | None, traffic: Traffic) -> None:
        try:
            ready = await self.limits.take(chat_id, traffic.priority, self.stop)
        except (RedisError, OSError) as error:
            raise NotSentYet(LIMITS_AWAY, retry_after_s=5) from error
        if not ready:
            raise NotSentYet(SHUTTING_DOWN)


@cache
def tls_context() -> ssl.SSLContext:
    """One verified TLS context for every Telegram client of the process (httpx's own default, certifi's
    CA bundle): building one reads that bundle, about a tenth of a second, and PTB builds a client per bot
    and per purpose each time services start."""
    return httpx.create_ssl_context()


def telegram_request(settings: Settings) -> HTTPXRequest:
    """Room for a broadcast's requests in flight plus the notices beside it; time for a photo upload."""
    return HTTPXRequest(
        connection_pool_size=max(DEFAULT_POOL_SIZE, settings.broadcast_concurrency + 16),
        read_timeout=15.0,
        connect_timeout=5.0,
        pool_timeout=5.0,
        httpx_kwargs={"verify": tls_context()},
    )


def unused_get_updates_request() -> HTTPXRequest:
    """For PTB's getUpdates slot, which this product never uses (bot/telegram/polling.py polls): PTB
    would otherwise build a client of its own with a TLS context of its own."""
    return HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": tls_context()})


def build_outbound_bot(settings: Settings, limits: OutboundLimits, stop: asyncio.Event) -> ExtBot[Traffic]:
    """The bot for messages nobody asked for (status DMs, group posts, broadcasts): notices by default.

    `stop` is set when the process begins to shut down: a message still waiting for its turn then
    gives up unsent (`NotSentYet`) instead of holding the shutdown up."""
    return ExtBot(
        settings.bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=telegram_request(settings),
        get_updates_request=unused_get_updates_request(),
        rate_limiter=OutboundRateLimiter(limits, Traffic.NOTICE, max_retries=3, stop=stop),
    )


def reply_rate_limiter(limits: OutboundLimits) -> OutboundRateLimiter:
    """For the application that answers updates: per-chat and per-group limits only."""
    return OutboundRateLimiter(limits, Traffic.REPLY, max_retries=2)


class Delivery(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already sent"  #: its key was claimed before (a job or reaction that ran twice)
    BLOCKED = "blocked"  #: 403: the resident blocked the bot
    FAILED = "failed"  #: 400: e.g. chat not found; retrying will not help


async def send_text(
    bot: ExtBot[Any],
    chat_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    photo: bytes | None = None,
) -> Delivery:
    """Send one message (a photo with `text` as its caption, when given); RetryAfter propagates so the
    caller (a job) can defer the whole job."""
    if photo is not None:
        return await _delivered(chat_id, bot.send_photo(chat_id, photo, caption=text, reply_markup=reply_markup))
    return await _delivered(chat_id, bot.send_message(chat_id, text, reply_markup=reply_markup))


async def send_location(bot: ExtBot[Any], chat_id: int, lat: float, lon: float) -> Delivery:
    """Send a map pin (e.g. where a crew is to go); like `send_text`."""
    return await _delivered(chat_id, bot.send_location(chat_id, lat, lon))


async def _delivered(chat_id: int, request: Awaitable[object]) -> Delivery:
    """Await one send: a 403 marks the chat blocked, a 400 is a failure; RetryAfter propagates."""
    try:
        await request
    except Forbidden:
        await mark_blocked(chat_id)
        return Delivery.BLOCKED
    except BadRequest as error:
        log.warning("message to %s failed: %s", chat_id, error)
        return Delivery.FAILED
    return Delivery.SENT


#: httpx errors raised before the request left this host: a retry cannot send the message twice.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send_once(
    bot: ExtBot[Any],
    key: str,
    chat_id: int,
    text: str,
    *,
    now: datetime,
    reply_markup: InlineKeyboardMarkup | None = None,
    photo: bytes | None = None,
) -> Delivery:
    """Send a message nobody asked for at most once per `key`: the key is claimed before the request.

    The claim is given back only when Telegram certainly did not deliver (a 429, a refused
    connection, the process stopping while the message waited for its turn), so the job's retry
    may send it; a timeout leaves it claimed (never sent twice)."""
    return await _claimed(key, chat_id, now, lambda: send_text(bot, chat_id, text, reply_markup, photo))


async def send_location_once(
    bot: ExtBot[Any], key: str, chat_id: int, lat: float, lon: float, *, now: datetime
) -> Delivery:
    """Like `send_once`, a map pin."""
    return await _claimed(key, chat_id, now, lambda: send_location(bot, chat_id, lat, lon))


async def _claimed(key: str, chat_id: int, now: datetime, send: Callable[[], Awaitable[Delivery]]) -> Delivery:
    """Claim `key`, then send; see `send_once` for when the claim is given back."""
    try:
        await SentMessage.create(key=key, chat_id=chat_id, claimed_at=now)
    except IntegrityError:
        return Delivery.ALREADY_SENT
    try:
        return await send()
    except RetryAfter:  # NotSentYet included: the request never left
        await SentMessage.filter(key=key).delete()
        raise
    except NetworkError as error:
        if isinstance(error.__cause__, NOT_SENT_ERRORS):
            await SentMessage.filter(key=key).delete()
        raise


async def forget_sent(before: datetime) -> int:
    """Claims older than any job or reaction that could still run again."""
    return await SentMessage.filter(claimed_at__lt=before).delete()
