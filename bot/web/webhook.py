"""The Telegram webhook: check the secret header, queue the update, answer at once."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update

from bot.handlers.context import BotApplication
from bot.web.keys import ptb_key, settings_key

log = logging.getLogger(__name__)


async def feed_update(ptb: BotApplication, body: dict[str, Any]) -> None:
    """Hand an update to PTB's single sequential consumer (never process inside the request)."""
    await ptb.update_queue.put(Update.de_json(body, ptb.bot))


async def telegram_webhook(request: web.Request) -> web.Response:
    secret = request.app[settings_key].webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return web.Response(status=403, text="forbidden")
    try:
        body = await request.json()
        await feed_update(request.app[ptb_key], body)
    except Exception:  # a malformed body must not make Telegram retry it forever
        log.exception("unreadable webhook update")
    return web.Response(status=200)
