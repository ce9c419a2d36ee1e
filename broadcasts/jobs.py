"""arq jobs for broadcasts, and the Telegram side of sending (the `Sender` of broadcasts/message.py).

Broadcasts go out through the worker's one outbound bot (bot/outbound.py), like every other message
nobody asked for. The delivery loop takes its slots itself (the bulk budget at broadcast priority, then
the chat's), so its requests are `Traffic.PACED`: sent at once, a 429 pausing the scopes it names.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from arq import Retry, cron
from arq.worker import Function, func
from redis.exceptions import RedisError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.outbound import NOT_SENT_ERRORS, Traffic, retry_after_s
from bot.services import Services, services_of
from broadcasts.control import runnable
from broadcasts.delivery import CONNECTION_BACKOFF_S, SliceOutcome, run_slice, send_preview
from broadcasts.education import ensure_education_day
from broadcasts.message import OutButton, Outcome, Outgoing, SendResult
from broadcasts.models import Broadcast, BroadcastStatus
from broadcasts.policy import delivery_policy, education_schedule

RUN = "broadcasts.run"


def _markup(rows: tuple[tuple[OutButton, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, url=b.url, callback_data=b.callback_data) for b in row] for row in rows]
    )


class TelegramSender:
    """Sends one rendered message and says what Telegram's answer means for the delivery row."""

    def __init__(self, bot: ExtBot[Traffic], traffic: Traffic) -> None:
        self.bot, self.traffic = bot, traffic

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
            return await self.bot.send_photo(
                chat_id, photo, caption=message.text, reply_markup=markup, rate_limit_args=self.traffic
            )
        return await self.bot.send_message(chat_id, message.text, reply_markup=markup, rate_limit_args=self.traffic)


async def run_broadcast(
    ctx: dict[str, Any], broadcast_id: int, slice_no: int = 0, lane: int = 0, chain: str = ""
) -> str:
    """Send one slice of a broadcast; hand over to the next slice while work remains.

    Lanes are independent chains of slices on the same broadcast, for spreading a very large one over
    several worker processes: they share the rows (claims) and the Redis rate limit. `chain` names the
    chain of slices (from its first job's id), so a chain started again later (resumed after a pause)
    does not collide with the kept results of an earlier one.
    """
    services = services_of(ctx)
    outcome = await run_slice(
        broadcast_id,
        sender=TelegramSender(services.bot, Traffic.PACED),
        limits=services.outbound,
        storage=services.storage,
        clock=services.clock,
        policy=delivery_policy(services.settings),
        stopping=services.stopping,
        lane=lane,
    )
    if outcome in (SliceOutcome.MORE, SliceOutcome.HANDED_BACK):
        chain = chain or hashlib.sha256(str(ctx.get("job_id", "")).encode()).hexdigest()[:12]
        await _continue(services, broadcast_id, slice_no + 1, lane, chain)
    return outcome.value


async def _continue(services: Services, broadcast_id: int, slice_no: int, lane: int, chain: str) -> None:
    """Queue the next slice (at once: a worker shutting down no longer takes jobs, another one will)."""
    try:
        await services.redis.enqueue_job(
            RUN, broadcast_id, slice_no, lane, chain, _job_id=f"{RUN}:{broadcast_id}:{lane}:{slice_no}:{chain}"
        )
    except (RedisError, OSError):
        # Redis is away: the minute tick resumes a running broadcast without a heartbeat.
        await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.RUNNING).update(heartbeat_at=None)
        raise


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
    result = await send_preview(
        broadcast,
        chat_id,
        language,
        sender=TelegramSender(services.bot, Traffic.NOTICE),
        storage=services.storage,
        default_locale=settings.default_locale,
    )
    if result.outcome is Outcome.RETRY:  # certainly not delivered (429s after retries, shutting down)
        raise Retry(defer=result.retry_after_s or CONNECTION_BACKOFF_S)
    return result.outcome.value


FUNCTIONS: list[Function] = [
    func(run_broadcast, name=RUN, max_tries=20),
    func(tick, name="broadcasts.tick"),
    func(preview, name="broadcasts.preview", max_tries=3),
]
CRON_JOBS = [cron(tick, name="cron:broadcasts.tick", second={5}, unique=True)]
