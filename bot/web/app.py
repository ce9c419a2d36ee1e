"""create_app: the aiohttp application shell; the admin, the sandbox and each feature add their pages."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.services import Services
from bot.telegram.context import BotApplication
from bot.web.keys import ptb_key, services_key
from bot.web.webhook import telegram_webhook

RouteSetup = Callable[[web.Application], None]


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def create_app(services: Services, ptb: BotApplication, route_setups: list[RouteSetup]) -> web.Application:
    """Build the web app; `route_setups` add the admin shell, the features' pages and the sandbox."""
    app = web.Application(client_max_size=25 * 1024 * 1024)  # room for a 20 MB photo in the sandbox
    app[services_key] = services
    app[ptb_key] = ptb
    if services.settings.webhook_enabled:  # polling and the sandbox take no updates over HTTP: nothing to forge
        app.router.add_post(services.settings.webhook_path, telegram_webhook)
    app.router.add_get("/healthz", healthz)
    for setup in route_setups:
        setup(app)
    return app
