"""A tortoise SQLite engine whose transactions take the write lock when they begin (BEGIN IMMEDIATE).

With tortoise's plain BEGIN (deferred), a transaction that reads and then writes (every state machine
move, every claim) must upgrade its read lock; when another process wrote in between, SQLite answers
"database is locked" at once, without waiting, because the transaction's snapshot is stale. Taking the
lock at BEGIN makes a second process wait its turn (up to `busy_timeout`) instead. Only several processes
on one SQLite file (the Procfile layout on a small install, the benches' quick runs) ever meet this;
one process already serialises its transactions on its single connection.

Reads outside a transaction go to a few read-only connections of their own (READ_CONNECTIONS). Tortoise
runs every statement of a process through one connection behind one asyncio lock, held from the moment
a task takes it until that task runs again after the result: under load that is one or two turns of a
busy event loop per statement, so a web process spent ~1.4 ms of lock per 0.1 ms query and its lock, not
its CPU, capped it at ~110 updates a second. A read-only connection needs no lock (each read is one call
into its thread, and they queue there back to back), and WAL lets it read beside the writer. It sees
what is committed, as every read outside a transaction does on PostgreSQL's pool; a read inside a
transaction stays on the transaction's connection.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import TransactionManagementError

#: How long a process waits for another one's transaction on the same file before "database is locked".
BUSY_TIMEOUT_MS = 30_000
#: Read the file through a memory map this large. SQLite's own page cache is 2 MB per connection, while a
#: city's indexes (the pHash bands, the R*Trees) run to hundreds of MB: random probes into them then cost a
#: read() and a copy each (about half of a photo-match query at a million photos). Mapped pages live in the
#: OS page cache, shared by every process on the file instead of one private cache each.
MMAP_SIZE_BYTES = 1 << 30
#: Read-only connections per process for reads outside transactions (see above); each is one thread.
READ_CONNECTIONS = 2


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(ImmediateTransactionWrapper(self))  # a savepoint: no BEGIN

    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        kwargs.setdefault("mmap_size", MMAP_SIZE_BYTES)
        super().__init__(file_path, **kwargs)
        self._readers: list[aiosqlite.Connection] = []
        self._turns = itertools.cycle(range(READ_CONNECTIONS))

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._readers or not _shared_file(self.filename):
            return  # an in-memory database is private to its connection: everything stays on the one
        for _ in range(READ_CONNECTIONS):
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader._conn.row_factory = sqlite3.Row
            for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", f"mmap_size={MMAP_SIZE_BYTES}", "query_only=ON"):
                await reader.execute(f"PRAGMA {pragma}")
            self._readers.append(reader)

    async def close(self) -> None:
        readers, self._readers = self._readers, []
        for reader in readers:
            await reader.close()
        await super().close()

    @translate_exceptions
    async def execute_query(self, query: str, values: list[Any] | None = None) -> tuple[int, Sequence[dict[str, Any]]]:
        if not self._readers or not _reads_only(query):
            written: tuple[int, Sequence[dict[str, Any]]] = await super().execute_query(query, values)
            return written
        rows = await self._read(query, values)
        return len(rows), rows

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        if not self._readers or not _reads_only(query):
            answered: list[dict[str, Any]] = await super().execute_query_dict(query, values)
            return answered
        return list(map(dict, await self._read(query, values)))

    async def _read(self, query: str, values: list[Any] | None) -> Sequence[Any]:
        query = query.replace("\x00", "'||CHAR(0)||'")  # as tortoise does: a NUL in SQL text
        self.log.debug("%s: %s", query, values)
        return list(await self._readers[next(self._turns)].execute_fetchall(query, values))


def _reads_only(query: str) -> bool:
    """A plain SELECT: it changes nothing, so any connection may run it (no SQL of ours reads
    connection-local state such as last_insert_rowid() or a temporary table)."""
    return query.lstrip()[:6].upper() == "SELECT"


def _shared_file(filename: str) -> bool:
    return (
        filename not in ("", ":memory:") and not filename.startswith("file::memory:") and "mode=memory" not in filename
    )


client_class = ImmediateSqliteClient
