"""`python -m bot run` as a subprocess, started the way `make run` starts it, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.config import SQLITE_FILE
from tests.conftest import free_port
from tests.pg import prefill_sqlite

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0
#: Settings that would take the product away from its zero-config defaults.
FOREIGN_ENV = (
    "TELEGRAM_BOT_TOKEN",
    "REDIS_URL",
    "DATABASE_URL",
    "PUBLIC_URL",
    "TELEGRAM_API_URL",
    "TELEGRAM_FILE_URL",
    "HOST",
)


def product_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """This environment without the developer's own servers and token, pointed at `var_dir`."""
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENV}
    env.update(VAR_DIR=str(var_dir), PYTHONPATH=str(REPO_ROOT), **extra)
    return env


class RunningProduct:
    """`python -m bot run` in a subprocess, with its var dir and log."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.var_dir = tmp_path / "var"
        self.log_path = tmp_path / "bot.log"
        prefill_sqlite(f"sqlite://{(self.var_dir / SQLITE_FILE).resolve()}")  # when the test handed a template over
        env = product_env(self.var_dir, PORT=str(self.port))
        with self.log_path.open("ab") as log:  # cwd is tmp_path so no developer's .env is read
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, like a terminal's foreground job
            )
        self.base_url = f"http://127.0.0.1:{self.port}"

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the product exited:\n{self.log_path.read_text()}"
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"not up after {STARTUP_TIMEOUT_S} s:\n{self.log_path.read_text()}")

    def stop(self, sig: signal.Signals = signal.SIGINT) -> tuple[int, list[int]]:
        """Signal the whole process group, as Ctrl-C in a terminal does (or SIGTERM, as a process manager
        does); returns the exit code and the pids of children left running."""
        children = descendants(self.process.pid)
        os.killpg(self.process.pid, sig)
        code = self.process.wait(timeout=20)
        deadline = time.monotonic() + 5
        while (alive := [pid for pid in children if running(pid)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        return code, alive

    def kill(self) -> None:
        if self.process.poll() is None:
            for pid in descendants(self.process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


def _parent_and_state(pid_dir: Path) -> tuple[int, str] | None:
    try:
        after_name = (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(after_name[1]), after_name[0]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc (the embedded redis-server among them)."""
    children: dict[int, list[int]] = {}
    for pid_dir in Path("/proc").iterdir():
        facts = _parent_and_state(pid_dir) if pid_dir.name.isdigit() else None
        if facts is not None:
            children.setdefault(facts[0], []).append(int(pid_dir.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


def running(pid: int) -> bool:
    facts = _parent_and_state(Path(f"/proc/{pid}"))
    return facts is not None and facts[1] != "Z"
