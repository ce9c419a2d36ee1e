"""The one services object: built from Settings at startup, shared by the web process and the worker.

Views reach it as `request.app[services_key]`, bot handlers as `context.services`, arq jobs as
`services_of(ctx)`, reactions as their first argument. Domain functions never take it: they are
passed the pieces they need (rules, storage, a time), so they stay testable without a process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import Redis
from telegram.ext import ExtBot

from bot.city.grid import DEMO_CITY_FILE, Grid
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.features import Feature
from bot.outbound import Traffic, build_outbound_bot
from bot.ratelimit import ChatLimiter, OutboundLimits, SharedRateLimiter
from bot.redis_pool import checkout_promptly
from bot.reports.areas import Areas
from bot.reports.categories import Category, load_categories
from bot.reports.dedup import DedupRules
from bot.reports.geo import ServiceArea
from bot.reports.intake import Intake, IntakeRules
from bot.reports.photos import PhotoLimits
from bot.reports.sla import SlaRules
from bot.storage import DirectoryStorage, PhotoStorage


@dataclass
class Services:
    settings: Settings
    clock: Clock
    intake: Intake
    features: tuple[Feature, ...]
    #: arq's pool: the job queue, and the Redis every shared limit (send budget, login throttle) lives in.
    redis: ArqRedis
    #: For messages nobody asked for (status DMs, reminders, group posts, broadcasts); replies use the
    #: update's bot. Both go through `outbound`'s limits (bot/outbound.py).
    bot: ExtBot[Traffic]
    #: Telegram's send limits (the bulk budget, per chat, per group), shared by every process through Redis.
    outbound: OutboundLimits
    #: Set when the process begins to shut down: long jobs hand their work back, waiting sends give up.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def sla(self) -> SlaRules:
        return self.intake.rules.sla

    @property
    def storage(self) -> PhotoStorage:
        return self.intake.storage

    @property
    def categories(self) -> tuple[Category, ...]:
        return self.intake.rules.categories

    @property
    def grid(self) -> Grid:
        return self.intake.rules.grid

    @property
    def areas(self) -> Areas:
        """The grid's districts: what staff are scoped to and reports are counted by."""
        return self.intake.rules.grid.districts


def intake_rules(settings: Settings) -> IntakeRules:
    return IntakeRules(
        categories=load_categories(settings.categories_file),
        area=ServiceArea.from_file(settings.service_area_geojson),
        grid=city_grid(settings),
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
        sla=SlaRules.from_settings(settings),
    )


def outbound_limits(redis: Redis, settings: Settings) -> OutboundLimits:
    return OutboundLimits(
        bulk=SharedRateLimiter(redis, settings.broadcast_rate_per_s, settings.broadcast_burst),
        chats=ChatLimiter(
            redis,
            chat_rate_per_s=settings.chat_rate_per_s,
            chat_burst=settings.chat_burst,
            group_per_min=settings.group_messages_per_min,
            group_burst=settings.group_burst,
        ),
    )


def city_grid(settings: Settings) -> Grid:
    path = settings.grid_geojson or settings.areas_geojson or DEMO_CITY_FILE
    return Grid.from_file(path, settings.grid_h3_resolution)


@asynccontextmanager
async def running_services(
    settings: Settings, features: tuple[Feature, ...], *, clock: Clock = system_clock
) -> AsyncIterator[Services]:
    """Open the Redis pool for as long as the process runs; `bot` is initialized by its first user (the
    sandbox's Bot API is served by the web process, so it may not answer yet)."""
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    await checkout_promptly(redis)
    outbound, stopping = outbound_limits(redis, settings), asyncio.Event()
    bot = build_outbound_bot(settings, outbound, stopping)
    try:
        yield Services(
            settings=settings,
            clock=clock,
            intake=Intake(intake_rules(settings), DirectoryStorage(settings.photo_dir)),
            features=features,
            redis=redis,
            bot=bot,
            outbound=outbound,
            stopping=stopping,
        )
    finally:
        await bot.shutdown()
        await redis.aclose()


def services_of(ctx: dict[str, Any]) -> Services:
    """The worker's services (arq hands jobs a dict; this is its only key of ours)."""
    services = ctx["services"]
    assert isinstance(services, Services)
    return services
