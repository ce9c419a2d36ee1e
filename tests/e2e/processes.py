"""The Procfile's processes (`python -m bot web`, `python -m bot worker`) as asyncio subprocesses, for tests
that run in the same event loop as the fake Bot API they talk to."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Settings
from tests.e2e.running import product_env


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a subprocess the test's database, Redis and (fake) Telegram."""
    return product_env(
        settings.var_dir,
        DATABASE_URL=settings.effective_database_url,
        REDIS_URL=settings.redis_url,
        TELEGRAM_BOT_TOKEN=settings.telegram_bot_token,
        TELEGRAM_API_URL=settings.telegram_api_url,
        TELEGRAM_FILE_URL=settings.telegram_file_url,
        **extra,
    )


class BotProcess:
    """One `python -m bot <command>` with its own log file."""

    def __init__(self, command: str, env: dict[str, str], log_path: Path) -> None:
        self.command, self.env, self.log_path = command, env, log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                self.command,
                cwd=self.log_path.parent,  # no developer's .env is read
                env=self.env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_for_log(self, text: str, timeout_s: float = 60.0) -> None:
        await eventually(lambda: text in self.log(), timeout_s, f"{text!r} not in the log of {self.command}")

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    async def wait(self, timeout_s: float) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout_s)

    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            await self.wait(10)


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], timeout_s: float, failure: str
) -> float:
    """Poll `condition` until it holds; returns when (monotonic seconds). Processes give no other signal."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        await asyncio.sleep(0.05)
