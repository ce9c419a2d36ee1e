"""While Redis is away, a request that needs it gets a clear 503 (and Telegram retries a webhook), never a 500.

redis-py reconnects by itself on the next command, so the same page works again as soon as Redis is back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.i18n import KNOWN_LOCALES, N_, Translator, normalize_locale

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REDIS_AWAY = N_(
    "This action needs the job queue, which is not answering right now. Nothing was lost; try again in a few seconds."
)
RETRY_AFTER_S = 5


def _locale(request: web.Request) -> str:
    chosen = request.cookies.get("admin_lang")
    if chosen in KNOWN_LOCALES:
        return str(chosen)
    return normalize_locale(request.headers.get("Accept-Language", "").split(",")[0])


@web.middleware
async def redis_outage(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (RedisConnectionError, RedisTimeoutError) as error:
        log.warning("Redis is unreachable during %s %s: %s", request.method, request.path, error)
        return web.Response(
            status=503,
            text=Translator(_locale(request))(REDIS_AWAY),
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
