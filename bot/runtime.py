"""The web process: services from Settings, the PTB application, the aiohttp app (webhook, admin, sandbox)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.admin.views import setup_admin
from bot.clock import Clock, system_clock
from bot.composition import all_features
from bot.config import Settings
from bot.db import close_db, init_db
from bot.reports.warm_up import warm_up
from bot.services import Services, running_services
from bot.telegram.application import build_application, publish_commands
from bot.telegram.context import BotApplication
from bot.telegram.pipeline import UpdatePipeline
from bot.telegram.polling import poll_updates
from bot.telegram.stranded import keep_feeding_stranded
from bot.web.app import RouteSetup, create_app
from bot.web.outage import redis_outage


def route_setups(services: Services) -> list[RouteSetup]:
    """The admin shell first (sessions, CSRF, templates), then each feature's pages, then the sandbox."""
    setups: list[RouteSetup] = [setup_admin]
    setups.extend(feature.routes for feature in services.features if feature.routes is not None)
    if services.settings.sandbox_enabled:
        from bot.sandbox.views import setup_routes as sandbox_routes

        setups.append(sandbox_routes)
    return setups


@dataclass
class WebRuntime:
    settings: Settings
    services: Services
    ptb: BotApplication
    app: web.Application
    pipeline: UpdatePipeline


@asynccontextmanager
async def running_web(settings: Settings, *, clock: Clock = system_clock) -> AsyncIterator[WebRuntime]:
    """Serve HTTP, then start the bot (the sandbox's Bot API is served by this very server)."""
    await init_db(settings)
    try:
        async with running_services(settings, all_features(), clock=clock) as services:
            for feature in services.features:
                if feature.on_startup is not None:
                    await feature.on_startup(services)
            await warm_up()  # before the port opens: a balancer sends residents only to a process that is ready
            async with _serving(services) as runtime:
                yield runtime
    finally:
        await close_db()


@asynccontextmanager
async def _serving(services: Services) -> AsyncIterator[WebRuntime]:
    settings = services.settings
    ptb = build_application(services)
    pipeline = UpdatePipeline(ptb, services)
    app = create_app(services, ptb, route_setups(services))
    app.middlewares.insert(0, redis_outage)  # outermost: whatever layer finds Redis away, the answer is a 503
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    try:
        await services.bot.initialize()
        async with ptb:
            await ptb.start()
            pipeline.start()
            try:
                await _connect_telegram(services, ptb, pipeline)
                # Updates a crashed web process stored but never finished (bot/reports/inbox.py).
                pipeline.add_background(asyncio.create_task(keep_feeding_stranded(pipeline)))
                yield WebRuntime(settings, services, ptb, app, pipeline)
            finally:  # also on errors: else PTB's exit raises "still running" and hides the real one
                await pipeline.stop()
                await ptb.stop()
    finally:
        await runner.cleanup()


def polling(settings: Settings) -> bool:
    """A real token without a public address: long polling instead of the webhook."""
    return bool(settings.telegram_bot_token) and not settings.public_url


async def _connect_telegram(services: Services, ptb: BotApplication, pipeline: UpdatePipeline) -> None:
    settings = services.settings
    if polling(settings):
        await ptb.bot.delete_webhook()
        task = asyncio.create_task(poll_updates(pipeline, settings.telegram_api_url, settings.bot_token))
        pipeline.add_background(task)
    elif settings.public_url:
        await ptb.bot.set_webhook(
            settings.public_url.rstrip("/") + settings.webhook_path,
            secret_token=settings.webhook_secret,
            allowed_updates=["message", "callback_query"],
        )
    await publish_commands(ptb, services)
