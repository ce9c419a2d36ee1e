"""The composition root: builds services from Settings and runs the web process (webhook, admin, sandbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.db import close_db, init_db
from bot.handlers import build_application, publish_commands
from bot.handlers.context import BotApplication, BotServices
from bot.reports.areas import DEFAULT_AREAS_FILE, Areas
from bot.reports.categories import load_categories
from bot.reports.dedup import DedupRules
from bot.reports.geo import ServiceArea
from bot.reports.intake import Intake, IntakeRules
from bot.reports.photos import PhotoLimits
from bot.storage import DirectoryStorage
from bot.web.app import RouteSetup, create_app
from bot.web.webhook import keep_feeding_stranded
from moderation.wiring import install as install_moderation
from rewards.triggers import install as install_rewards

log = logging.getLogger(__name__)


def intake_rules(settings: Settings) -> IntakeRules:
    return IntakeRules(
        categories=load_categories(settings.categories_file),
        area=ServiceArea.from_file(settings.service_area_geojson),
        areas=Areas.from_file(settings.areas_geojson or DEFAULT_AREAS_FILE),
        photo_limits=PhotoLimits(
            max_bytes=settings.max_photo_bytes,
            max_pixels=settings.max_image_pixels,
            max_side_px=settings.stored_photo_max_side_px,
            thumbnail_side_px=settings.thumbnail_max_side_px,
            jpeg_quality=settings.stored_jpeg_quality,
        ),
        max_photos=settings.max_photos_per_report,
        draft_ttl=timedelta(minutes=settings.draft_ttl_min),
        dedup=DedupRules(
            photo_radius_m=settings.duplicate_photo_radius_m,
            photo_max_hamming=settings.duplicate_photo_max_hamming,
            max_candidates=settings.duplicate_candidates_max,
        ),
    )


def build_services(settings: Settings, clock: Clock) -> BotServices:
    return BotServices(settings, Intake(intake_rules(settings), DirectoryStorage(settings.photo_dir)), clock)


def route_setups(settings: Settings) -> list[RouteSetup]:
    """Every feature's pages; imported here because this is the one module allowed to know them all."""
    from bot.admin.views import setup_admin
    from broadcasts.views import setup_routes as broadcasts_routes
    from moderation.views import setup_routes as moderation_routes
    from rewards.views import setup_routes as rewards_routes

    setups: list[RouteSetup] = [setup_admin, moderation_routes, rewards_routes, broadcasts_routes]
    if settings.sandbox_enabled:
        from bot.sandbox.views import setup_routes as sandbox_routes

        setups.append(sandbox_routes)
    return setups


@dataclass
class WebRuntime:
    settings: Settings
    services: BotServices
    ptb: BotApplication
    app: web.Application
    arq: ArqRedis


@asynccontextmanager
async def running_web(settings: Settings, *, clock: Clock = system_clock) -> AsyncIterator[WebRuntime]:
    """Serve HTTP, then start the bot (the sandbox's Bot API is served by this very server)."""
    await init_db(settings)
    services = build_services(settings, clock)
    polling = bool(settings.telegram_bot_token) and not settings.public_url
    ptb = build_application(services, polling=polling)
    arq = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    stop_moderation = install_moderation(settings, arq)  # SLA clocks and status DMs on every change
    stop_rewards = install_rewards(arq)  # grant evaluation when a report is accepted
    app = create_app(services, ptb, arq, clock, route_setups(settings))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    try:
        async with ptb:
            await ptb.start()
            stranded: asyncio.Task[None] | None = None
            try:
                await _connect_telegram(settings, ptb, polling)
                # Updates a crashed web process stored but never started (bot/reports/inbox.py).
                stranded = asyncio.create_task(keep_feeding_stranded(ptb, clock, settings.stranded_update_after_s))
                yield WebRuntime(settings, services, ptb, app, arq)
            finally:  # also on errors: else PTB's exit raises "still running" and hides the real one
                if stranded is not None:
                    stranded.cancel()
                if ptb.updater is not None and ptb.updater.running:
                    await ptb.updater.stop()
                await ptb.stop()
    finally:
        await runner.cleanup()
        stop_moderation()
        stop_rewards()
        await arq.aclose()
        await close_db()


async def _connect_telegram(settings: Settings, ptb: BotApplication, polling: bool) -> None:
    if polling:
        assert ptb.updater is not None
        await ptb.bot.delete_webhook()
        await ptb.updater.start_polling(allowed_updates=["message", "callback_query"])
    elif settings.public_url:
        await ptb.bot.set_webhook(
            settings.public_url.rstrip("/") + settings.webhook_path,
            secret_token=settings.webhook_secret,
            allowed_updates=["message", "callback_query"],
        )
    await publish_commands(ptb)
