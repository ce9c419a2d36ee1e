"""Kernel background jobs: the status-change outbox, unsolicited texts, draft expiry, housekeeping.

Thin wrappers: load state, call one domain function. Each job is safe to run twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from arq import Retry, cron
from arq.worker import Function, func
from redis.exceptions import RedisError
from telegram.error import RetryAfter

from bot.admin.sessions import SessionRules, forget_ended_sessions
from bot.admin.throttle import forget_stale_streaks
from bot.events import DomainEvent
from bot.i18n import Translator
from bot.outbound import forget_sent, retry_after_s, send_once
from bot.reports.drafts import expire_drafts
from bot.reports.inbox import forget_old_updates
from bot.reports.models import Report, StatusChange
from bot.reports.outbox import (
    Entry,
    claim_entries,
    event_reactions_done,
    mark_entry_reacted,
    mark_reacted,
    reactions_done,
    record_done,
    record_event_done,
    release_entry,
)
from bot.services import Services, services_of
from bot.telegram.texts import DRAFT_EXPIRED

log = logging.getLogger(__name__)
SEND_TEXT_JOB = "bot.send_text"
REACT_JOB = "bot.react"
REACT_EVENT_JOB = "bot.react_to_event"
#: How often each worker looks for committed changes nobody has reacted to yet.
RELAY_PERIOD_S = 0.5
MAX_RELAY_BACKOFF_S = 10.0
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


ReactionRun = tuple[str, Callable[[], Awaitable[None]]]


async def _run_pending(
    runs: Iterable[ReactionRun], done: set[str], record: Callable[[str], Awaitable[None]], what: str
) -> int:
    """Run each reaction not done yet and record it; a failing one does not stop the others, but fails the job
    (the entry is claimed again after its lease, and only the failed reactions run again)."""
    failed, ran = [], 0
    for name, run in runs:
        if name in done:
            continue
        try:
            await run()
        except Exception:
            log.exception("reaction %s to %s failed", name, what)
            failed.append(name)
            continue
        await record(name)
        ran += 1
    if failed:
        raise RuntimeError(f"reactions {failed} to {what} failed; they run again later")
    return ran


async def react(ctx: dict[str, Any], change_id: int) -> int:
    """Run every feature's reaction to one status change that has not run yet; returns how many ran."""
    services = services_of(ctx)
    change = await StatusChange.get_or_none(id=change_id)
    if change is None or change.reacted_at is not None:
        return 0
    report = await Report.get(id=change.report_id)
    runs: list[ReactionRun] = [
        (reaction.name, partial(reaction.run, services, change, report))
        for feature in services.features
        for reaction in feature.reactions
    ]

    async def record(name: str) -> None:
        await record_done(change_id, name, services.clock())

    ran = await _run_pending(runs, await reactions_done(change_id), record, f"status change {change_id}")
    await mark_reacted(change_id, services.clock())
    return ran


async def react_to_event(ctx: dict[str, Any], event_id: int) -> int:
    """Run every feature's reaction to one domain event that has not run yet; returns how many ran."""
    services = services_of(ctx)
    event = await DomainEvent.get_or_none(id=event_id)
    if event is None or event.reacted_at is not None:
        return 0
    runs: list[ReactionRun] = [
        (reaction.name, partial(reaction.run, services, event))
        for feature in services.features
        for reaction in feature.event_reactions
        if reaction.kind == event.kind
    ]

    async def record(name: str) -> None:
        await record_event_done(event_id, name, services.clock())

    ran = await _run_pending(runs, await event_reactions_done(event_id), record, f"event {event.key}")
    await mark_entry_reacted(DomainEvent, event_id, services.clock())
    return ran


async def _relay(services: Services, model: Entry, job: str, prefix: str) -> int:
    claimed = await claim_entries(model, services.clock(), REACT_LEASE, RELAY_BATCH)
    for index, entry_id in enumerate(claimed):
        try:
            # A new job id per claim: a failed job's kept result must not block the next attempt.
            stamp = int(services.clock().timestamp())
            await services.redis.enqueue_job(job, entry_id, _job_id=f"{prefix}:{entry_id}:{stamp}")
        except (RedisError, OSError):
            for unqueued in claimed[index:]:
                await release_entry(model, unqueued)
            raise
    return len(claimed)


async def relay_changes(services: Services) -> int:
    """Claim committed, unreacted status changes and domain events and queue a reaction job for each;
    returns how many were queued."""
    changes = await _relay(services, StatusChange, REACT_JOB, "react")
    return changes + await _relay(services, DomainEvent, REACT_EVENT_JOB, "react-event")


async def keep_relaying(services: Services) -> None:
    """Relay changes for as long as the worker runs; Redis or the database being away only delays it
    (the first failure is logged with its cause, then the relay backs off quietly until it works again)."""
    failures = 0
    while True:
        try:
            await relay_changes(services)
        except Exception:
            failures += 1
            if failures == 1:
                log.warning("could not relay status changes; trying again with backoff", exc_info=True)
        else:
            if failures:
                log.info("relaying status changes again after %d failed rounds", failures)
            failures = 0
        await asyncio.sleep(min(MAX_RELAY_BACKOFF_S, RELAY_PERIOD_S * 2 ** min(failures, 5)))


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
    """Cron: updates older than Telegram's redelivery window, message claims nobody can need, ended staff
    sessions and forgotten login streaks."""
    services = services_of(ctx)
    now, settings = services.clock(), services.settings
    staff_rows = await forget_ended_sessions(now, SessionRules.from_settings(settings))
    staff_rows += await forget_stale_streaks(now, settings.login_failure_window_s)
    return await forget_old_updates(now) + await forget_sent(now - SENT_KEYS_KEPT) + staff_rows


FUNCTIONS: list[Function] = [
    func(send_text_job, name=SEND_TEXT_JOB, max_tries=5),
    func(react, name=REACT_JOB, max_tries=3),
    func(react_to_event, name=REACT_EVENT_JOB, max_tries=3),
    func(expire_stale_drafts, name="bot.expire_stale_drafts"),
    func(forget_old, name="bot.forget_old"),
]
CRON_JOBS = [
    cron(expire_stale_drafts, name="cron:bot.expire_stale_drafts", second={0}, unique=True),
    cron(forget_old, name="cron:bot.forget_old", minute={17}, second={0}, unique=True),
]
