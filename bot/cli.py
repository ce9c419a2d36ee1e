"""The process entry points behind `python -m bot` (and the Procfile)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import secrets
import signal
import sys
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.admin.accounts import FIRST_ADMIN_USERNAME, Role, create_first_admin, create_staff, link_telegram
from bot.city.models import Incident
from bot.city.placement import place_all
from bot.composition import all_features
from bot.config import Settings
from bot.db import close_db, init_db, migrate
from bot.embedded_redis import EmbeddedRedis
from bot.features import CommandRefusedError
from bot.reports.models import Report
from bot.runtime import running_web
from bot.services import city_grid
from bot.worker import keep_working

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="everything in one process: migrate, embedded Redis, web, worker, sandbox")
    sub.add_parser("web", help="the web process: webhook, admin, API (the only Telegram update consumer)")
    sub.add_parser("worker", help="the arq worker: notifications, broadcasts, periodic jobs")
    sub.add_parser("migrate", help="apply database migrations, then put reports not on the grid yet on it")
    grid = sub.add_parser("grid", help="the city's grid").add_subparsers(dest="grid_command", required=True)
    place = grid.add_parser("place", help="put every report and incident on the grid (after changing the grid)")
    place.add_argument("--all", action="store_true", help="place every row again, not only those with no cell")
    staff = sub.add_parser("staff", help="manage staff accounts").add_subparsers(dest="staff_command", required=True)
    add = staff.add_parser("add", help="create a staff account (the password is read from stdin or prompted)")
    add.add_argument("username")
    add.add_argument("--role", choices=[role.value for role in Role], required=True)
    add.add_argument("--areas", default="", help="comma-separated area keys (moderators); empty = all")
    add.add_argument("--categories", default="", help="comma-separated category keys; empty = all")
    add.add_argument("--language", default="zh_CN", choices=["zh_CN", "en"])
    add.add_argument("--telegram-id", type=int, default=None, help="their Telegram user id (to act from the group)")
    for command in (command for feature in all_features() for command in feature.cli_commands):
        command.arguments(sub.add_parser(command.name, help=command.help))


Runner = Callable[[Settings, argparse.Namespace], Coroutine[None, None, None]]


def runner_of(options: argparse.Namespace) -> Runner:
    """The kernel's runner for the parsed command, or the feature's that added it (with the ORM open around it)."""
    if options.command in COMMANDS:
        return COMMANDS[options.command]
    command = next(c for f in all_features() for c in f.cli_commands if c.name == options.command)

    async def run(settings: Settings, args: argparse.Namespace) -> None:
        await init_db(settings)
        try:
            await command.run(settings, args)
        except CommandRefusedError as refused:
            raise CommandError(str(refused)) from None
        finally:
            await close_db()

    return run


def _stop_signal() -> asyncio.Event:
    """Set on SIGINT/SIGTERM. Installed before anything starts: a Ctrl-C during startup must still
    shut down in order (otherwise Python dies at once and the embedded redis-server is left behind)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _with_redis(settings: Settings, stack: AsyncExitStack) -> Settings:
    """Start the embedded Redis when REDIS_URL is unset, and restart it whenever it dies; the returned
    settings point at it."""
    if settings.redis_url:
        return settings
    redis = EmbeddedRedis(settings.var_dir / "redis").start()
    stack.callback(redis.stop)
    keeper = asyncio.create_task(redis.keep_alive())
    stack.callback(keeper.cancel)  # before stop(): the keeper must not start it again
    log.info("embedded Redis on %s", redis.url)
    return settings.model_copy(update={"redis_url": redis.url})


SANDBOX_ADMIN_FILE = "sandbox-admin.txt"


async def _announce(settings: Settings) -> None:
    base = settings.local_base_url()
    log.info("Web admin at %s/admin", base)
    if not settings.sandbox_enabled:
        return
    log.info("No TELEGRAM_BOT_TOKEN: chat with the bot in the sandbox at %s/sandbox", base)
    # Only without a token (a local trial): a real deployment creates its staff with `python -m bot staff add`.
    password = secrets.token_urlsafe(12)
    admin = await create_first_admin(password)
    if admin is not None:
        (settings.var_dir / SANDBOX_ADMIN_FILE).write_text(f"{FIRST_ADMIN_USERNAME}\n{password}\n", encoding="utf-8")
        log.info(
            "Sandbox admin created: user %r, password %r (kept in %s)",
            FIRST_ADMIN_USERNAME,
            password,
            settings.var_dir / SANDBOX_ADMIN_FILE,
        )


async def _migrate(settings: Settings) -> None:
    # The SQLite file's directory must exist first: tortoise waits forever on a file it cannot open.
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.effective_database_url)
    await _place(settings, every_row=False)  # rows filed before the grid existed (a no-op once done)


async def _place(settings: Settings, *, every_row: bool) -> None:
    grid = city_grid(settings)
    await init_db(settings)
    try:
        for model in (Report, Incident):
            moved = await place_all(model, grid, only_unplaced=not every_row)
            if moved:
                log.info("placed %d %s rows on the grid", moved, model.__name__)
    finally:
        await close_db()


async def run_grid(settings: Settings, args: argparse.Namespace) -> None:
    await _place(settings, every_row=args.all)


async def run_all(settings: Settings, _: argparse.Namespace) -> None:
    stop = _stop_signal()
    await _migrate(settings)
    async with AsyncExitStack() as stack:
        settings = _with_redis(settings, stack)
        await stack.enter_async_context(running_web(settings))
        await _announce(settings)
        # Returns once `stop` is set and the worker has drained (the web app is still up meanwhile).
        await keep_working(settings, stop, own_database=False)


async def run_web(settings: Settings, _: argparse.Namespace) -> None:
    stop = _stop_signal()
    async with AsyncExitStack() as stack:
        settings = _with_redis(settings, stack)
        await stack.enter_async_context(running_web(settings))
        await _announce(settings)
        await stop.wait()


async def run_worker(settings: Settings, _: argparse.Namespace) -> None:
    """SIGTERM (a deploy) drains: running jobs finish or hand their work to another worker."""
    await keep_working(settings, _stop_signal())


async def run_migrate(settings: Settings, _: argparse.Namespace) -> None:
    await _migrate(settings)
    log.info("migrations applied")


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class CommandError(Exception):
    """A refusal meant for the operator: printed as one line, exit status 2."""


async def run_staff(settings: Settings, args: argparse.Namespace) -> None:
    password = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("Password: ")
    await init_db(settings)
    try:
        async with in_transaction():  # a refused Telegram link leaves no half-made account behind
            staff = await create_staff(
                args.username,
                password,
                Role(args.role),
                areas=_split(args.areas),
                categories=_split(args.categories),
                language=args.language,
            )
            if args.telegram_id is not None:
                await link_telegram(staff, args.telegram_id)
    except ValueError as error:
        raise CommandError(str(error)) from None
    except IntegrityError:
        raise CommandError(f"a staff account named {args.username!r} already exists") from None
    finally:
        await close_db()
    log.info("created %s %s", staff.role, staff.username)


COMMANDS: dict[str, Runner] = {
    "run": run_all,
    "web": run_web,
    "worker": run_worker,
    "migrate": run_migrate,
    "staff": run_staff,
    "grid": run_grid,
}
