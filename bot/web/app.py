"""create_app: the aiohttp application, assembled from each feature's `setup_routes`."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from arq.connections import ArqRedis

from bot.clock import Clock
from bot.handlers.context import BotApplication, BotServices
from bot.web.keys import arq_key, clock_key, ptb_key, services_key, settings_key
from bot.web.webhook import telegram_webhook

RouteSetup = Callable[[web.Application], None]


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def create_app(
    services: BotServices, ptb: BotApplication, arq: ArqRedis, clock: Clock, route_setups: list[RouteSetup]
) -> web.Application:
    """Build the web app; `route_setups` add the sandbox, admin and API pages."""
    app = web.Application(client_max_size=25 * 1024 * 1024)  # room for a 20 MB photo in the sandbox
    app[settings_key] = services.settings
    app[services_key] = services
    app[ptb_key] = ptb
    app[arq_key] = arq
    app[clock_key] = clock
    app.router.add_post(services.settings.webhook_path, telegram_webhook)
    app.router.add_get("/healthz", healthz)
    for setup in route_setups:
        setup(app)
    return app
