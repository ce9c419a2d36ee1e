"""The Telegram webhook: check the secret header and the size, then store and queue the update, answer at once.

Processing happens off the request (bot/telegram/pipeline.py): Telegram waits for our answer before
sending that connection's next update, and the update is safe in the inbox once we answer.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.telegram.context import BotApplication
from bot.telegram.pipeline import pipeline_of
from bot.web.keys import ptb_key, services_key

log = logging.getLogger(__name__)


async def accept_update(ptb: BotApplication, body: dict[str, Any], clock: Clock) -> None:
    """The sandbox's door to the same pipeline (`clock`: the pipeline's own is the services' clock)."""
    await pipeline_of(ptb).accept(body)


async def read_limited(request: web.Request, max_bytes: int) -> bytes | None:
    """The body, or None when it is larger than `max_bytes` (read no further than that)."""
    if request.content_length is not None and request.content_length > max_bytes:
        return None
    body = bytearray()
    while chunk := await request.content.read(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)


async def telegram_webhook(request: web.Request) -> web.Response:
    services = request.app[services_key]
    secret = services.settings.webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return web.Response(status=403, text="forbidden")
    raw = await read_limited(request, services.settings.webhook_max_body_bytes)
    if raw is None:
        log.warning("refusing a webhook body over %d bytes", services.settings.webhook_max_body_bytes)
        return web.Response(status=413, text="too large")
    try:
        body = json.loads(raw)
    except ValueError:  # answered 200 all the same: Telegram would otherwise retry it forever
        log.warning("dropping a webhook body that is not JSON")
        return web.Response(status=200)
    await pipeline_of(request.app[ptb_key]).accept(body)  # an invalid one is answered 200 too (never resent)
    return web.Response(status=200)
