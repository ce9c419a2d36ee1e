"""The arq worker: one services object, the outbox relay, the kernel's jobs and every feature's.

Two things arq does not do for us:
* Redis may go away and come back (a restart, a failover): `ResilientWorker` logs it, backs off and
  polls again instead of dying, and never leaks a job slot to a failed Redis call.
* A deploy stops workers with SIGTERM: `serve` stops taking jobs, tells the running ones to finish or
  hand their work back (`Services.stopping`: a broadcast slice sends what is in flight, returns the
  rest and queues its continuation for another worker), waits up to `worker_shutdown_grace_s`, and
  only then cancels what is left (arq puts a cancelled job back in the queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AsyncExitStack
from typing import Any

from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker
from redis.exceptions import RedisError

from bot import jobs as kernel_jobs
from bot.clock import Clock, system_clock
from bot.composition import all_features
from bot.config import Settings
from bot.db import close_db, init_db
from bot.features import Feature
from bot.ratelimit import wait_or_stop
from bot.reports.warm_up import warm_up
from bot.services import Services, running_services

log = logging.getLogger(__name__)
#: Redis unreachable: poll again after 0.5 s, 1 s, 2 s ... at most this long.
MAX_REDIS_BACKOFF_S = 10.0
#: A worker that stopped on its own (not asked to) is started again after this long.
RESTART_DELAY_S = 2.0
#: Saying goodbye to Redis at shutdown must not hold the process up when Redis is the thing that is gone.
GOODBYE_TIMEOUT_S = 2.0
REDIS_ERRORS = (RedisError, OSError)


def collect_jobs(features: tuple[Feature, ...]) -> tuple[list[Function], list[CronJob]]:
    functions, cron_jobs = list(kernel_jobs.FUNCTIONS), list(kernel_jobs.CRON_JOBS)
    for feature in features:
        functions.extend(feature.jobs)
        cron_jobs.extend(feature.cron_jobs)
    return functions, cron_jobs


class ResilientWorker(Worker):
    """arq's Worker, riding out Redis outages and shutting down without losing a job slot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_failures = 0

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_ERRORS as error:
            self.redis_failures += 1
            backoff_s = min(MAX_REDIS_BACKOFF_S, 0.5 * 2 ** (self.redis_failures - 1))
            if self.redis_failures == 1:
                log.warning("Redis is unreachable (%s); jobs wait, polling again with backoff", error)
            await asyncio.sleep(backoff_s)
            return
        if self.redis_failures:
            log.info("Redis is back after %d failed polls; running jobs again", self.redis_failures)
            self.redis_failures = 0

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq counts a job as started before its Redis calls: a failing call would leak the slot for
        good (after `max_jobs` such failures the worker never takes a job again)."""
        for job_id in job_ids:
            try:
                await super().start_jobs([job_id])
            except REDIS_ERRORS:
                self.job_counter -= 1
                self.sem.release()
                raise

    async def close(self) -> None:
        """Cancel what still runs, run our shutdown, close the pool; Redis being away holds nothing up."""
        for task in self.tasks.values():
            task.cancel()
        if self.main_task is not None:
            self.main_task.cancel()
        if self._pool is None:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        with contextlib.suppress(*REDIS_ERRORS, TimeoutError):
            await asyncio.wait_for(self.pool.delete(self.health_check_key), GOODBYE_TIMEOUT_S)
        try:
            if self.on_shutdown:
                await self.on_shutdown(self.ctx)
        finally:
            with contextlib.suppress(*REDIS_ERRORS, TimeoutError):
                await asyncio.wait_for(self.pool.aclose(close_connection_pool=True), GOODBYE_TIMEOUT_S)
            self._pool = None


def build_worker(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    burst: bool = False,
    own_database: bool = True,
    **overrides: Any,
) -> ResilientWorker:
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
            if own_database:  # else the web process it shares warmed them before it opened its port
                await warm_up()  # before the first job: a photo check or a spatial query then finds it done

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
        "handle_signals": False,  # `serve` handles them: arq's own handler cancels jobs mid-request
        "poll_delay": 0.05 if burst else 0.5,
        "keep_result": 3600,
    }
    options.update(overrides)
    return ResilientWorker(**options)


async def drain(worker: Worker, grace_s: float) -> None:
    """Stop taking jobs, tell the running ones to wrap up, wait for them up to `grace_s`."""
    worker.allow_pick_jobs = False
    services = worker.ctx.get("services")
    if isinstance(services, Services):
        services.stopping.set()
    running = [task for task in worker.tasks.values() if not task.done()]
    log.info("worker stopping: %d job(s) running get up to %.0f s to finish or hand back", len(running), grace_s)
    if running:
        _, late = await asyncio.wait(running, timeout=grace_s)
        if late:
            log.warning("%d job(s) did not finish in time; they are cancelled and run again elsewhere", len(late))


async def serve(worker: Worker, stop: asyncio.Event, grace_s: float) -> None:
    """Run `worker` until `stop` is set (or it ends by itself), then shut it down in order."""
    main = asyncio.create_task(worker.async_run())
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({main, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not main.done():
            await drain(worker, grace_s)
    finally:
        stopped.cancel()
        await worker.close()
    with contextlib.suppress(asyncio.CancelledError):
        await main  # re-raises what made it end by itself


async def keep_working(
    settings: Settings, stop: asyncio.Event, *, own_database: bool = True, clock: Clock = system_clock
) -> None:
    """A worker for as long as the process runs: one that ends by itself (Redis unreachable at start,
    a crash) is logged and started again, so background work never stops silently."""
    while not stop.is_set():
        try:
            await serve(build_worker(settings, clock=clock, own_database=own_database), stop, grace_s(settings))
        except Exception:
            log.exception("the worker stopped; starting it again in %.0f s", RESTART_DELAY_S)
        else:
            if not stop.is_set():
                log.warning("the worker ended by itself; starting it again in %.0f s", RESTART_DELAY_S)
        await wait_or_stop(RESTART_DELAY_S, stop)


def grace_s(settings: Settings) -> float:
    return settings.worker_shutdown_grace_s


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
