"""The Telegram webhook: check the secret header, store the update, queue it, answer at once."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update

from bot.clock import Clock
from bot.reports.inbox import record_update, stranded_updates
from bot.telegram.context import BotApplication
from bot.web.keys import ptb_key, services_key

log = logging.getLogger(__name__)


async def accept_update(ptb: BotApplication, body: dict[str, Any], clock: Clock) -> None:
    """Store the update, then hand it to PTB's single sequential consumer (never process inside the request).

    Stored first: once we answer 200 Telegram forgets it, and PTB's queue dies with this process."""
    update = Update.de_json(body, ptb.bot)  # unreadable bodies raise here, before anything is stored
    if await record_update(body, clock()):
        await ptb.update_queue.put(update)
    else:
        log.info("dropping redelivered update %s", update.update_id)


async def telegram_webhook(request: web.Request) -> web.Response:
    secret = request.app[services_key].settings.webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return web.Response(status=403, text="forbidden")
    try:
        body = await request.json()
        await accept_update(request.app[ptb_key], body, request.app[services_key].clock)
    except Exception:  # a malformed body must not make Telegram retry it forever
        log.exception("unreadable webhook update")
    return web.Response(status=200)


async def feed_stranded(ptb: BotApplication, clock: Clock, after_s: int) -> int:
    """Queue again the updates a crashed process stored but never started; returns how many."""
    bodies = await stranded_updates(clock(), after_s)
    for body in bodies:
        await ptb.update_queue.put(Update.de_json(body, ptb.bot))  # the handler's claim drops a second copy
    if bodies:
        log.warning("fed %d stranded update(s) again", len(bodies))
    return len(bodies)


async def keep_feeding_stranded(ptb: BotApplication, clock: Clock, after_s: int) -> None:
    """At start and then every `after_s` seconds, for as long as the web process runs."""
    while True:
        try:
            await feed_stranded(ptb, clock, after_s)
        except Exception:  # a database hiccup must not end the loop for good
            log.exception("could not look for stranded updates")
        await asyncio.sleep(after_s)
