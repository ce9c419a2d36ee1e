"""Several processes on one SQLite file: a transaction that reads, then writes, waits its turn instead of
failing with "database is locked" (bot/sqlite_engine.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.db import connection_config

#: Each process adds 1 to a shared counter this many times, reading it and writing it back in one
#: transaction with a pause in between (as a state-machine move reads the row and then updates it).
ROUNDS = 30
WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    async def main(config):
        await Tortoise.init(config={"connections": {"default": config}, "apps": {"core": {"models": ["bot.events"]}}})
        for _ in range(int(sys.argv[2])):
            async with in_transaction() as connection:
                [row] = (await connection.execute_query("SELECT n FROM counter"))[1]
                await asyncio.sleep(0.01)  # the other process runs meanwhile
                await connection.execute_query("UPDATE counter SET n = ?", [row["n"] + 1])
        await Tortoise.close_connections()

    asyncio.run(main(json.loads(sys.argv[1])))
    """
)
COUNT = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT n FROM counter').fetchone()[0])"


def finish(worker: subprocess.Popen[str], timeout_s: float) -> str:
    try:
        return worker.communicate(timeout=timeout_s)[1]
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        return "stuck"


def race(tmp_path: Path, config: object, timeout_s: float = 60) -> tuple[int, list[str]]:
    """Two processes increment the counter ROUNDS times each; returns the counter and their errors (a process
    still running after `timeout_s` is stopped, which counts as an error: it was stuck)."""
    database = tmp_path / "shared.sqlite3"
    subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('PRAGMA journal_mode=WAL'); c.execute('CREATE TABLE counter (n INTEGER)'); "
         "c.execute('INSERT INTO counter VALUES (0)'); c.commit()", str(database)],
        check=True,
    )  # fmt: skip
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(config), str(ROUNDS)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    errors = [finish(worker, timeout_s) for worker in workers]
    count = subprocess.run(
        [sys.executable, "-c", COUNT, str(database)], check=True, capture_output=True, text=True
    ).stdout
    return int(count), [error for error in errors if error.strip()]


def test_two_processes_interleaving_read_then_write_transactions_both_count(tmp_path: Path) -> None:
    """With tortoise's own engine (a deferred BEGIN) the same run fails: "database is locked", or both
    processes stuck on each other's lock until the timeout."""
    count, errors = race(tmp_path, connection_config(f"sqlite://{tmp_path / 'shared.sqlite3'}"))
    assert errors == [] and count == 2 * ROUNDS
