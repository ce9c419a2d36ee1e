"""The worker's one path for sending Telegram messages: blocked residents are marked, 429s deferred."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from bot.config import Settings
from bot.reports.residents import mark_blocked

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    SENT = "sent"
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


async def send_text(
    bot: ExtBot[Any], chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Delivery:
    """Send one message; RetryAfter propagates so the caller (a job) can defer the whole job."""
    try:
        await bot.send_message(chat_id, text, reply_markup=reply_markup)
    except Forbidden:
        await mark_blocked(chat_id)
        return Delivery.BLOCKED
    except BadRequest as error:
        log.warning("message to %s failed: %s", chat_id, error)
        return Delivery.FAILED
    return Delivery.SENT
