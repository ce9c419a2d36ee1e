"""arq jobs for broadcasts, and the Telegram side of sending (the `Sender` of broadcasts/message.py).

Broadcasts do not use the worker's shared PTB bot: its AIORateLimiter is per process and sleeps
through 429s on its own. Each slice opens a plain `Bot` with a connection pool sized for
`broadcast_concurrency` and no limiter, and paces itself with the bot's bulk budget in Redis
(`services.bulk_limiter`), which every process shares.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arq import cron
from arq.worker import Function, func
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.outbound import NOT_SENT_ERRORS, retry_after_s
from bot.services import services_of
from broadcasts.control import runnable
from broadcasts.delivery import SliceOutcome, run_slice, send_preview
from broadcasts.education import ensure_education_day
from broadcasts.message import OutButton, Outcome, Outgoing, SendResult
from broadcasts.models import Broadcast
from broadcasts.policy import delivery_policy, education_schedule

RUN = "broadcasts.run"


def broadcast_bot(settings: Settings) -> Bot:
    request = HTTPXRequest(
        connection_pool_size=settings.broadcast_concurrency + 2,
        read_timeout=15.0,
        connect_timeout=5.0,
        pool_timeout=5.0,
    )
    return Bot(
        settings.bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=request,
    )


def _markup(rows: tuple[tuple[OutButton, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, url=b.url, callback_data=b.callback_data) for b in row] for row in rows]
    )


class TelegramSender:
    """Sends one rendered message and says what Telegram's answer means for the delivery row."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> SendResult:
        try:
            sent = await self._post(chat_id, message)
        except RetryAfter as error:
            return SendResult(Outcome.RETRY, retry_after_s=retry_after_s(error), error=str(error))
        except Forbidden as error:
            return SendResult(Outcome.BLOCKED, error=str(error))
        except BadRequest as error:
            return SendResult(Outcome.FAILED, error=str(error))
        except NetworkError as error:  # TimedOut included
            certainly_not_sent = isinstance(error.__cause__, NOT_SENT_ERRORS)
            kind = "timed out" if isinstance(error, TimedOut) else "network error"
            return SendResult(
                Outcome.RETRY if certainly_not_sent else Outcome.IN_DOUBT,
                error=f"in doubt: {kind}: {error}" if not certainly_not_sent else str(error),
            )
        except TelegramError as error:
            return SendResult(Outcome.FAILED, error=str(error))
        uploaded = sent.photo[-1].file_id if message.photo is not None and sent.photo else None
        return SendResult(Outcome.SENT, message_id=sent.message_id, photo_file_id=uploaded)

    async def _post(self, chat_id: int, message: Outgoing) -> Message:
        markup = _markup(message.rows)
        photo = message.photo_file_id or message.photo
        if photo is not None:
            return await self.bot.send_photo(chat_id, photo, caption=message.text, reply_markup=markup)
        return await self.bot.send_message(chat_id, message.text, reply_markup=markup)


async def run_broadcast(ctx: dict[str, Any], broadcast_id: int, slice_no: int = 0, lane: int = 0) -> str:
    """Send one slice of a broadcast; hand over to the next slice while work remains.

    Lanes are independent chains of slices on the same broadcast, for spreading a very large one over
    several worker processes: they share the rows (claims) and the Redis rate limit.
    """
    services = services_of(ctx)
    settings = services.settings
    async with broadcast_bot(settings) as bot:
        outcome = await run_slice(
            broadcast_id,
            sender=TelegramSender(bot),
            limiter=services.bulk_limiter,
            storage=services.storage,
            clock=services.clock,
            policy=delivery_policy(settings),
            lane=lane,
        )
    if outcome is SliceOutcome.MORE:
        await services.redis.enqueue_job(
            RUN, broadcast_id, slice_no + 1, lane, _job_id=f"{RUN}:{broadcast_id}:{lane}:{slice_no + 1}"
        )
    return outcome.value


async def tick(ctx: dict[str, Any]) -> list[int]:
    """Every minute: create the education day's broadcast when due, start or resume what should run."""
    services = services_of(ctx)
    settings, now = services.settings, services.clock()
    await ensure_education_day(education_schedule(settings), now)
    ids = await runnable(now, timedelta(seconds=settings.broadcast_lease_s))
    minute = now.strftime("%Y%m%d%H%M")
    for broadcast_id in ids:
        await services.redis.enqueue_job(RUN, broadcast_id, 0, _job_id=f"{RUN}:{broadcast_id}:tick:{minute}")
    return ids


async def preview(ctx: dict[str, Any], broadcast_id: int, chat_id: int, language: str) -> str:
    """Send a broadcast to one staff member's own chat."""
    services = services_of(ctx)
    settings = services.settings
    broadcast = await Broadcast.get_or_none(id=broadcast_id)
    if broadcast is None:
        return "missing"
    async with broadcast_bot(settings) as bot:
        result = await send_preview(
            broadcast,
            chat_id,
            language,
            sender=TelegramSender(bot),
            limiter=services.bulk_limiter,
            storage=services.storage,
            default_locale=settings.default_locale,
        )
    return result.outcome.value


FUNCTIONS: list[Function] = [
    func(run_broadcast, name=RUN, max_tries=20),
    func(tick, name="broadcasts.tick"),
    func(preview, name="broadcasts.preview", max_tries=3),
]
CRON_JOBS = [cron(tick, name="cron:broadcasts.tick", second={5}, unique=True)]
