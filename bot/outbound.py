"""The worker's one path for sending Telegram messages: blocked residents are marked, 429s deferred."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from tortoise.exceptions import IntegrityError

from bot.config import Settings
from bot.reports.models import SentMessage
from bot.reports.residents import mark_blocked

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already sent"  #: its key was claimed before (a job or reaction that ran twice)
    BLOCKED = "blocked"  #: 403: the resident blocked the bot
    FAILED = "failed"  #: 400: e.g. chat not found; retrying will not help


def build_outbound_bot(settings: Settings) -> ExtBot[Any]:
    """An ExtBot with PTB's limiter (30 msg/s overall; it also sleeps through a 429 and retries)."""
    return ExtBot(
        settings.bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        rate_limiter=AIORateLimiter(max_retries=3),
    )


def retry_after_s(error: RetryAfter) -> float:
    delay = error.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


async def _delivered(chat_id: int, request: Awaitable[object]) -> Delivery:
    """Await one send; a 403 marks the chat blocked, a 400 is a failure; RetryAfter propagates."""
    try:
        await request
    except Forbidden:
        await mark_blocked(chat_id)
        return Delivery.BLOCKED
    except BadRequest as error:
        log.warning("message to %s failed: %s", chat_id, error)
        return Delivery.FAILED
    return Delivery.SENT


async def send_text(
    bot: ExtBot[Any], chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Delivery:
    """Send one message; RetryAfter propagates so the caller (a job) can defer the whole job."""
    return await _delivered(chat_id, bot.send_message(chat_id, text, reply_markup=reply_markup))


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
) -> Delivery:
    """Send a message nobody asked for at most once per `key`: the key is claimed before the request.

    The claim is given back only when Telegram certainly did not deliver (a 429, a refused
    connection), so the job's retry may send it; a timeout leaves it claimed (never sent twice)."""
    return await _claimed(key, chat_id, now, lambda: send_text(bot, chat_id, text, reply_markup))


async def send_photo_once(
    bot: ExtBot[Any],
    key: str,
    chat_id: int,
    photo_jpeg: bytes,
    *,
    caption: str,
    now: datetime,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Delivery:
    """Like `send_once`, a photo (the stored, cleaned JPEG as bytes, never a Telegram file URL) with a caption."""
    return await _claimed(
        key,
        chat_id,
        now,
        lambda: _delivered(chat_id, bot.send_photo(chat_id, photo_jpeg, caption=caption, reply_markup=reply_markup)),
    )


async def send_location_once(
    bot: ExtBot[Any], key: str, chat_id: int, lat: float, lon: float, *, now: datetime
) -> Delivery:
    """Like `send_once`, a map pin."""
    return await _claimed(key, chat_id, now, lambda: _delivered(chat_id, bot.send_location(chat_id, lat, lon)))


async def _claimed(key: str, chat_id: int, now: datetime, send: Callable[[], Awaitable[Delivery]]) -> Delivery:
    """Claim `key`, then send; see `send_once` for when the claim is given back."""
    try:
        await SentMessage.create(key=key, chat_id=chat_id, claimed_at=now)
    except IntegrityError:
        return Delivery.ALREADY_SENT
    try:
        return await send()
    except RetryAfter:
        await SentMessage.filter(key=key).delete()
        raise
    except NetworkError as error:
        if isinstance(error.__cause__, NOT_SENT_ERRORS):
            await SentMessage.filter(key=key).delete()
        raise


async def forget_sent(before: datetime) -> int:
    """Claims older than any job or reaction that could still run again."""
    return await SentMessage.filter(claimed_at__lt=before).delete()
