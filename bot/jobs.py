"""Kernel background jobs: the status-change outbox, unsolicited texts, draft expiry, housekeeping.

Thin wrappers: load state, call one domain function. Each job is safe to run twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from arq import Retry, cron
from arq.worker import Function, func
from redis.exceptions import RedisError
from telegram.error import RetryAfter

from bot.i18n import Translator
from bot.outbound import forget_sent, retry_after_s, send_once
from bot.reports.drafts import expire_drafts
from bot.reports.inbox import forget_old_updates
from bot.reports.models import Report, StatusChange
from bot.reports.outbox import claim_changes, mark_reacted, reactions_done, record_done, release_claim
from bot.services import Services, services_of
from bot.telegram.texts import DRAFT_EXPIRED

log = logging.getLogger(__name__)
SEND_TEXT_JOB = "bot.send_text"
REACT_JOB = "bot.react"
#: How often each worker looks for committed changes nobody has reacted to yet.
RELAY_PERIOD_S = 0.5
#: A claimed change whose reaction job has not finished by then is claimed again (its worker died).
REACT_LEASE = timedelta(seconds=60)
RELAY_BATCH = 200
#: Unsolicited-message claims are kept this long: far longer than any job or reaction could be retried.
SENT_KEYS_KEPT = timedelta(days=30)


async def queue_text(services: Services, key: str, chat_id: int, text: str) -> None:
    """Queue a text nobody asked for; `key` names the event, so it is sent at most once whatever runs twice."""
    await services.redis.enqueue_job(SEND_TEXT_JOB, key, chat_id, text, _job_id=key)


async def send_text_job(ctx: dict[str, Any], key: str, chat_id: int, text: str) -> str:
    """Deliver one text once; a 429 defers the job by what Telegram asked for."""
    services = services_of(ctx)
    try:
        return await send_once(services.bot, key, chat_id, text, now=services.clock())
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error


async def react(ctx: dict[str, Any], change_id: int) -> int:
    """Run every feature's reaction to one status change that has not run yet; returns how many ran.

    A failing reaction does not stop the others; the job then fails and the change is claimed again
    after its lease, so only the failed reactions run again."""
    services = services_of(ctx)
    change = await StatusChange.get_or_none(id=change_id)
    if change is None or change.reacted_at is not None:
        return 0
    report = await Report.get(id=change.report_id)
    done, failed, ran = await reactions_done(change_id), [], 0
    for reaction in (reaction for feature in services.features for reaction in feature.reactions):
        if reaction.name in done:
            continue
        try:
            await reaction.run(services, change, report)
        except Exception:
            log.exception("reaction %s to status change %s failed", reaction.name, change_id)
            failed.append(reaction.name)
            continue
        await record_done(change_id, reaction.name, services.clock())
        ran += 1
    if failed:
        raise RuntimeError(f"reactions {failed} to status change {change_id} failed; they run again later")
    await mark_reacted(change_id, services.clock())
    return ran


async def relay_changes(services: Services) -> int:
    """Claim committed, unreacted changes and queue a reaction job for each; returns how many were queued."""
    claimed = await claim_changes(services.clock(), REACT_LEASE, RELAY_BATCH)
    for index, change_id in enumerate(claimed):
        try:
            # A new job id per claim: a failed job's kept result must not block the next attempt.
            stamp = int(services.clock().timestamp())
            await services.redis.enqueue_job(REACT_JOB, change_id, _job_id=f"react:{change_id}:{stamp}")
        except (RedisError, OSError):
            for unqueued in claimed[index:]:
                await release_claim(unqueued)
            raise
    return len(claimed)


async def keep_relaying(services: Services) -> None:
    """Relay changes for as long as the worker runs; Redis or the database being away only delays it."""
    while True:
        try:
            await relay_changes(services)
        except Exception:
            log.warning("could not relay status changes this round", exc_info=True)
        await asyncio.sleep(RELAY_PERIOD_S)


async def expire_stale_drafts(ctx: dict[str, Any]) -> int:
    """Cron: end drafts idle past the TTL and tell each resident (safe to run twice: rows are gone)."""
    services = services_of(ctx)
    now, ttl_min = services.clock(), services.settings.draft_ttl_min
    expired = await expire_drafts(now, timedelta(minutes=ttl_min))
    for chat_id, language in expired:
        text = Translator(language)(DRAFT_EXPIRED, minutes=ttl_min)
        await queue_text(services, f"draft-expired:{chat_id}:{int(now.timestamp()) // 60}", chat_id, text)
    return len(expired)


async def forget_old(ctx: dict[str, Any]) -> int:
    """Cron: updates older than Telegram's redelivery window and message claims nobody can need."""
    now = services_of(ctx).clock()
    return await forget_old_updates(now) + await forget_sent(now - SENT_KEYS_KEPT)


FUNCTIONS: list[Function] = [
    func(send_text_job, name=SEND_TEXT_JOB, max_tries=5),
    func(react, name=REACT_JOB, max_tries=3),
    func(expire_stale_drafts, name="bot.expire_stale_drafts"),
    func(forget_old, name="bot.forget_old"),
]
CRON_JOBS = [
    cron(expire_stale_drafts, name="cron:bot.expire_stale_drafts", second={0}, unique=True),
    cron(forget_old, name="cron:bot.forget_old", minute={17}, second={0}, unique=True),
]
