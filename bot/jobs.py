"""Kernel background jobs: thin wrappers that load state and call one domain function."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arq import Retry, cron
from arq.worker import Function, func
from telegram.error import RetryAfter

from bot.handlers.texts import DRAFT_EXPIRED
from bot.i18n import Translator
from bot.outbound import retry_after_s, send_text
from bot.reports.inbox import forget_old_updates
from bot.reports.intake import expire_drafts


async def expire_stale_drafts(ctx: dict[str, Any]) -> int:
    """Cron: end drafts idle past the TTL and tell each resident (safe to run twice: rows are gone)."""
    settings, now = ctx["settings"], ctx["clock"]()
    expired = await expire_drafts(now, timedelta(minutes=settings.draft_ttl_min))
    for chat_id, language in expired:
        await ctx["arq"].enqueue_job(
            "bot.send_text",
            chat_id,
            Translator(language)(DRAFT_EXPIRED, minutes=settings.draft_ttl_min),
            _job_id=f"draft-expired:{chat_id}:{int(now.timestamp()) // 60}",
        )
    return len(expired)


async def send_text_job(ctx: dict[str, Any], chat_id: int, text: str) -> str:
    """Deliver one text; a 429 defers the job by what Telegram asked for."""
    try:
        return await send_text(ctx["bot"], chat_id, text)
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error


async def forget_updates(ctx: dict[str, Any]) -> int:
    return await forget_old_updates(ctx["clock"]())


FUNCTIONS: list[Function] = [
    func(send_text_job, name="bot.send_text", max_tries=5),
    func(expire_stale_drafts, name="bot.expire_stale_drafts"),
    func(forget_updates, name="bot.forget_updates"),
]
CRON_JOBS = [
    cron(expire_stale_drafts, name="cron:bot.expire_stale_drafts", second={0}, unique=True),
    cron(forget_updates, name="cron:bot.forget_updates", minute={17}, second={0}, unique=True),
]
