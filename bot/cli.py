"""The process entry points behind `python -m bot` (and the Procfile)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from bot.config import Settings
from bot.db import migrate
from bot.embedded_redis import EmbeddedRedis
from bot.runtime import running_web
from bot.worker import build_worker

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="everything in one process: migrate, embedded Redis, web, worker, sandbox")
    sub.add_parser("web", help="the web process: webhook, admin, API (the only Telegram update consumer)")
    sub.add_parser("worker", help="the arq worker: notifications, broadcasts, periodic jobs")
    sub.add_parser("migrate", help="apply database migrations")


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def _with_redis(settings: Settings, stack: AsyncExitStack) -> Settings:
    """Start the embedded Redis when REDIS_URL is unset; the returned settings point at it."""
    if settings.redis_url:
        return settings
    redis = EmbeddedRedis(settings.var_dir / "redis").start()
    stack.callback(redis.stop)
    log.info("embedded Redis on %s", redis.url)
    return settings.model_copy(update={"redis_url": redis.url})


def _announce(settings: Settings) -> None:
    base = settings.local_base_url()
    if settings.sandbox_enabled:
        log.info("No TELEGRAM_BOT_TOKEN: chat with the bot in the sandbox at %s/sandbox", base)
    log.info("Web admin at %s/admin", base)


async def run_all(settings: Settings, _: argparse.Namespace) -> None:
    await migrate(settings.effective_database_url)
    async with AsyncExitStack() as stack:
        settings = _with_redis(settings, stack)
        await stack.enter_async_context(running_web(settings))
        worker = build_worker(settings)
        worker_task = asyncio.create_task(worker.async_run())
        _announce(settings)
        await _wait_for_signal()
        worker_task.cancel()
        await worker.close()


async def run_web(settings: Settings, _: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        settings = _with_redis(settings, stack)
        await stack.enter_async_context(running_web(settings))
        _announce(settings)
        await _wait_for_signal()


async def run_worker(settings: Settings, _: argparse.Namespace) -> None:
    worker = build_worker(settings)
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def run_migrate(settings: Settings, _: argparse.Namespace) -> None:
    await migrate(settings.effective_database_url)
    log.info("migrations applied")


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Awaitable[None]]] = {
    "run": run_all, "web": run_web, "worker": run_worker, "migrate": run_migrate,
}
