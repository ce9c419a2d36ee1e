"""`python -m bot migrate` and `python -m bot staff add` as an operator runs them on a fresh machine."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SQLITE_FILE
from tests.e2e.running import product_env
from tests.pg import prefill_sqlite


def bot_command(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = product_env(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True
    )


def test_staff_add_creates_a_linked_moderator(tmp_path: Path) -> None:
    """The password comes from stdin (never the command line); areas, role and Telegram id are stored."""
    assert bot_command(tmp_path, "migrate").returncode == 0
    added = bot_command(
        tmp_path,
        *("staff", "add", "mei", "--role", "moderator", "--areas", "huangpu,jingan", "--telegram-id", "777001"),
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    with sqlite3.connect(tmp_path / "var" / "safecity.sqlite3") as db:
        row = db.execute("SELECT role, areas, telegram_user_id, password_hash FROM staff_user").fetchone()
    assert row[:3] == ("moderator", '["huangpu","jingan"]', 777001)
    assert row[3].startswith("$argon2") and "a long enough password" not in row[3]


@pytest.mark.usefixtures("handed_over_template")
def test_refusals_are_one_clear_line_and_leave_nothing_behind(tmp_path: Path) -> None:
    """A short password, a taken name, a Telegram id already linked: exit 2, a one-line reason, no account."""
    # Migrated already (the test above migrates a fresh machine).
    assert prefill_sqlite(f"sqlite://{(tmp_path / 'var' / SQLITE_FILE).resolve()}")
    first = bot_command(
        tmp_path, "staff", "add", "li", "--role", "admin", "--telegram-id", "5", stdin="long enough pw\n"
    )
    assert first.returncode == 0, first.stderr
    for args, reason in (
        (("zhao", "--role", "admin"), "at least 10 characters"),
        (("li", "--role", "admin"), "already exists"),
        (("wang", "--role", "official", "--telegram-id", "5"), "linked to another staff member"),
    ):
        password = "short\n" if reason.startswith("at least") else "long enough pw\n"
        refused = bot_command(tmp_path, "staff", "add", *args, stdin=password)
        assert refused.returncode == 2 and "error: " in refused.stderr and reason in refused.stderr
        assert "Traceback" not in refused.stderr
    with sqlite3.connect(tmp_path / "var" / "safecity.sqlite3") as db:
        assert db.execute("SELECT username FROM staff_user").fetchall() == [("li",)]


def test_a_webhook_with_a_guessable_secret_does_not_start(tmp_path: Path) -> None:
    """Token, PUBLIC_URL and an empty WEBHOOK_SECRET: exit 2 with one line naming the setting, no traceback."""
    env = product_env(
        tmp_path / "var", TELEGRAM_BOT_TOKEN="123:abc", PUBLIC_URL="https://bot.example.org", WEBHOOK_SECRET=""
    )
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "web"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "WEBHOOK_SECRET must be 32 to 256 characters" in refused.stderr
    assert not (tmp_path / "var").exists()  # refused before touching anything


def test_the_sandbox_on_a_public_host_does_not_start(tmp_path: Path) -> None:
    """No token and HOST=0.0.0.0 without SANDBOX_PUBLIC_DEMO: exit 2 with one line."""
    env = product_env(tmp_path / "var", HOST="0.0.0.0")
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "HOST=0.0.0.0 is not a loopback address" in refused.stderr
