"""The arq worker: one Settings object, one ORM, one outbound bot, every feature's jobs."""

from __future__ import annotations

import importlib
from typing import Any

from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.db import close_db, init_db
from bot.outbound import build_outbound_bot
from moderation.wiring import install as install_moderation
from rewards.triggers import install as install_rewards

#: Each module exposes FUNCTIONS (and optionally CRON_JOBS); a feature adds its module here.
JOB_MODULES = ["bot.jobs", "moderation.jobs", "moderation.group_jobs", "broadcasts.jobs", "rewards.jobs"]


def collect_jobs() -> tuple[list[Function], list[CronJob]]:
    functions: list[Function] = []
    cron_jobs: list[CronJob] = []
    for name in JOB_MODULES:
        module = importlib.import_module(name)
        functions.extend(module.FUNCTIONS)
        cron_jobs.extend(getattr(module, "CRON_JOBS", []))
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
    """

    async def on_startup(ctx: dict[str, Any]) -> None:
        if own_database:
            await init_db(settings)
        ctx["settings"], ctx["clock"], ctx["arq"] = settings, clock, ctx["redis"]
        ctx["bot"] = build_outbound_bot(settings)
        await ctx["bot"].initialize()
        ctx["stop_moderation"] = install_moderation(settings, ctx["redis"])  # for changes made by jobs
        ctx["stop_rewards"] = install_rewards(ctx["redis"])

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "stop_moderation" in ctx:
            ctx["stop_moderation"]()
        if "stop_rewards" in ctx:
            ctx["stop_rewards"]()
        if "bot" in ctx:
            await ctx["bot"].shutdown()
        if own_database:
            await close_db()

    functions, cron_jobs = collect_jobs()
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
