"""The stranded-update feeder: updates a process stored but never finished (it crashed, Redis lost its
queues) are handed to a live web process, at most once per lease and a bounded number per round."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from bot.reports.inbox import feed_again, mark_done, stranded_candidates
from bot.telegram.chat_queue import chat_key
from bot.telegram.pipeline import UpdatePipeline

log = logging.getLogger(__name__)


async def feed_stranded(pipeline: UpdatePipeline) -> int:
    """One round; returns how many updates were fed again."""
    settings, now = pipeline.services.settings, pipeline.services.clock()
    rows = await stranded_candidates(
        now, after_s=settings.stranded_update_after_s, limit=settings.stranded_updates_per_round
    )
    # A chat whose lease is held is being worked on (a slow download, a long queue): not stranded, and no
    # attempt counted against its updates; a process that died holds its lease no longer than one lease.
    held = await pipeline.queues.held({chat_key(row.chat_id, row.update_id) for row in rows})
    free = [row for row in rows if chat_key(row.chat_id, row.update_id) not in held]
    stranded = await feed_again(free, now, lease_s=settings.update_lease_s, max_attempts=settings.update_max_attempts)
    for update_id, _ in stranded.given_up:
        log.error("giving up update %s: fed %d times without finishing", update_id, settings.update_max_attempts)
    by_chat: dict[str, list[int]] = defaultdict(list)
    for update_id, chat_id in stranded.fed:
        by_chat[chat_key(chat_id, update_id)].append(update_id)
    fed = 0
    for chat, update_ids in by_chat.items():
        handled = await pipeline.queues.already_done(chat, update_ids)
        if handled:  # handled just before its process died, never recorded: record it now
            await mark_done(handled, now)
        to_feed = [i for i in update_ids if i not in handled]
        if to_feed:
            await pipeline.queues.push(chat, to_feed)
            pipeline.dispatch(chat)
            fed += len(to_feed)
    if fed:
        log.warning("fed %d stranded update(s) again", fed)
    return fed


async def keep_feeding_stranded(pipeline: UpdatePipeline) -> None:
    """At start, then every half `stranded_update_after_s`, for as long as the web process runs."""
    interval_s = max(pipeline.services.settings.stranded_update_after_s / 2, 0.5)
    while True:
        try:
            await feed_stranded(pipeline)
        except Exception:  # a database or Redis hiccup must not end the loop for good
            log.exception("could not look for stranded updates")
        await asyncio.sleep(interval_s)
