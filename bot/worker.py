"""The arq worker: one services object, the outbox relay, the kernel's jobs and every feature's."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack
from typing import Any

from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker

from bot import jobs as kernel_jobs
from bot.clock import Clock, system_clock
from bot.composition import all_features
from bot.config import Settings
from bot.db import close_db, init_db
from bot.features import Feature
from bot.services import running_services


def collect_jobs(features: tuple[Feature, ...]) -> tuple[list[Function], list[CronJob]]:
    functions, cron_jobs = list(kernel_jobs.FUNCTIONS), list(kernel_jobs.CRON_JOBS)
    for feature in features:
        functions.extend(feature.jobs)
        cron_jobs.extend(feature.cron_jobs)
    return functions, cron_jobs


def build_worker(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    burst: bool = False,
    own_database: bool = True,
    **overrides: Any,
) -> Worker:
    """A Worker wired to our startup/shutdown; tests use burst=True and a frozen clock.

    `own_database=False` when the worker shares a process with the web app, which already opened
    the ORM (tortoise's connections are process-global: closing them here would close the web's).
    Burst mode (tests) runs no cron jobs and no relay: the test relays changes itself.
    """
    features = all_features()
    stack = AsyncExitStack()

    async def on_startup(ctx: dict[str, Any]) -> None:
        if own_database:
            await init_db(settings)
        services = await stack.enter_async_context(running_services(settings, features, clock=clock))
        ctx["services"] = services
        await services.bot.initialize()
        if not burst:
            relay = asyncio.create_task(kernel_jobs.keep_relaying(services))
            stack.push_async_callback(_cancel, relay)

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        await stack.aclose()
        if own_database:
            await close_db()

    functions, cron_jobs = collect_jobs(features)
    options: dict[str, Any] = {
        "functions": functions,
        "cron_jobs": [] if burst else cron_jobs,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "burst": burst,
        "handle_signals": False,
        "poll_delay": 0.05 if burst else 0.5,
        "keep_result": 3600,
    }
    options.update(overrides)
    return Worker(**options)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
