"""The Procfile layout as real processes: `python -m bot web` and `python -m bot worker`, several of each,
sharing one database, one Redis and one photo directory, talking to the fake Bot API (tests/fake_botapi.py).

Used by the end-to-end tests that kill or split processes and by bench/webhook.py. Each web process
listens on its own port and registers its own address as the webhook; a test (or the bench) sends each
update to the process it chooses, as a load balancer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp.test_utils import TestServer
from cryptography.fernet import Fernet

from tests.conftest import free_port
from tests.e2e.running import product_env
from tests.fake_botapi import FakeBotAPI
from tests.pg import prefill_sqlite

T = TypeVar("T")

STARTUP_TIMEOUT_S = 60.0
WEBHOOK_SECRET = "cluster-webhook-secret-0123456789abcdef"
#: What `python -m bot web` logs once it serves and has registered its webhook (bot/cli.py).
READY_LINE = "Web admin at"


@dataclass
class BotProcess:
    """One `python -m bot web|worker` child with its own log file."""

    kind: str
    env: dict[str, str]
    log_path: Path
    cwd: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", self.kind],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    def wait_until_up(self) -> None:
        """A web process: until /healthz answers and it has registered its webhook (it logs its addresses)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200 and READY_LINE in self.log():
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.kind} not up after {STARTUP_TIMEOUT_S} s:\n{self.log()}")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def cpu_s(self) -> float:
        """User plus system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL: no cleanup at all (what a crash or an OOM kill does)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout_s: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Cluster:
    """web and worker processes on one database and one Redis."""

    root: Path
    database_url: str
    redis_url: str
    fake_api_url: str
    token: str
    env: dict[str, str] = field(default_factory=dict)
    processes: list[BotProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.var_dir = self.root / "var"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        # Keys made once here: processes starting together must not each create their own.
        self.keys = {name: Fernet.generate_key().decode() for name in ("ADMIN_SECRET_KEY", "REWARDS_ENCRYPTION_KEY")}

    def _env(self, port: int | None) -> dict[str, str]:
        env = product_env(
            self.var_dir,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            TELEGRAM_BOT_TOKEN=self.token,
            TELEGRAM_API_URL=f"{self.fake_api_url}/bot",
            TELEGRAM_FILE_URL=f"{self.fake_api_url}/file/bot",
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            HOST="127.0.0.1",
            **self.keys,
            **self.env,
        )
        if port is not None:
            env.update(PORT=str(port), PUBLIC_URL=f"http://127.0.0.1:{port}")
        return env

    def migrate(self) -> None:
        if prefill_sqlite(self.database_url):
            return
        subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            cwd=self.root,
            env=self._env(None),
            check=True,
            capture_output=True,
        )

    def add(self, kind: str) -> BotProcess:
        """Start one more process; a web one is up (answering) when this returns."""
        port = free_port() if kind == "web" else None
        name = f"{kind}{sum(p.kind == kind for p in self.processes) + 1}"
        process = BotProcess(kind, self._env(port), self.root / f"{name}.log", self.root, port).start()
        self.processes.append(process)
        if kind == "web":
            process.wait_until_up()
        return process

    def start(self, *, webs: int = 1, workers: int = 0) -> Cluster:
        for _ in range(webs):
            self.add("web")
        for _ in range(workers):
            self.add("worker")
        return self

    @property
    def webs(self) -> list[BotProcess]:
        return [p for p in self.processes if p.kind == "web" and p.process is not None and p.process.poll() is None]

    @property
    def webhook_urls(self) -> list[str]:
        return [p.webhook_url for p in self.webs]

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):
                process.stop()
        for process in self.processes:
            process.kill()

    def logs(self) -> str:
        return "\n".join(f"==== {p.log_path.name}\n{p.log()[-4000:]}" for p in self.processes)


class ThreadedFakeAPI:
    """The fake Bot API served from a thread of its own (for synchronous tests, e.g. hypothesis's)."""

    def __init__(self) -> None:
        self.api = FakeBotAPI()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fake-bot-api", daemon=True)
        self._server: TestServer | None = None

    def __enter__(self) -> ThreadedFakeAPI:
        self._thread.start()
        self.call(self._start())
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self.call(self._server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    async def _start(self) -> None:
        self._server = TestServer(self.api.app, host="127.0.0.1")
        await self._server.start_server()
        self.api.url = str(self._server.make_url("")).rstrip("/")

    def call(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 30.0) -> T:
        """Run a coroutine on the fake's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)
