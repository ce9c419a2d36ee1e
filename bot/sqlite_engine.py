"""A tortoise SQLite engine whose transactions take the write lock when they begin (BEGIN IMMEDIATE).

With tortoise's plain BEGIN (deferred), a transaction that reads and then writes (every state machine
move, every claim) must upgrade its read lock; when another process wrote in between, SQLite answers
"database is locked" at once, without waiting, because the transaction's snapshot is stale. Taking the
lock at BEGIN makes a second process wait its turn (up to `busy_timeout`) instead. Only several processes
on one SQLite file (the Procfile layout on a small install, the benches' quick runs) ever meet this;
one process already serialises its transactions on its single connection.

Tortoise runs every statement of a process through one connection behind one asyncio lock, held from the
moment a task takes it until that task runs again after the result: under load one or two turns of a busy
event loop per statement, so a web process spent ~1.4 ms of lock per 0.1 ms statement and that lock, not
its CPU, capped it at ~110 updates a second. So here:
- reads outside a transaction go to a few read-only connections of their own (READ_CONNECTIONS); each
  read is one call into its connection's thread, they queue there back to back, and WAL lets them read
  beside the writer. They see what is committed, as every read outside a transaction does on
  PostgreSQL's pool; a read inside a transaction stays on the transaction's connection;
- plain writes share the write connection and a transaction has it alone (bot/sqlite_sharing.py).
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from tortoise.backends.base.client import ConnectionWrapper, NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import TransactionManagementError

from bot.sqlite_sharing import SharedConnection, SharedOrAlone

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
            # Tortoise sends a COMMIT first (a call into the connection's thread, and a turn of the event
            # loop with the connection held alone) in case a transaction was left open; the flag says so
            # without a call, and such a leftover (a failed COMMIT) is rolled back, never kept.
            if self._connection.in_transaction:
                await self._connection.rollback()
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
        # Plain statements share the write connection, a transaction has it alone (bot/sqlite_sharing.py);
        # tortoise's transaction context takes `_lock` as the alone side.
        self._sharing = SharedOrAlone()
        self._lock = cast(asyncio.Lock, self._sharing)
        self._connecting = asyncio.Lock()  # shared first statements must not open two connections

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    def acquire_connection(self) -> Any:
        return SharedConnection(self._sharing, self)

    async def create_connection(self, with_db: bool) -> None:
        async with self._connecting:
            await super().create_connection(with_db)  # a no-op once connected
            if not self._readers and _shared_file(self.filename):
                await self._open_readers()

    async def _open_readers(self) -> None:
        """The read-only connections (an in-memory database is private to its connection: none then)."""
        for _ in range(READ_CONNECTIONS):
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader.row_factory = sqlite3.Row
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
        query = _nul_spelled_out(query)
        if self._readers and _reads_only(query):
            rows = await self._read(query, values)
            return len(rows), rows
        async with self.acquire_connection() as connection:
            self.log.debug("%s: %s", query, values)
            # One call into the connection's thread (aiosqlite's own primitive; tortoise reaches into
            # aiosqlite's internals the same way), not three for execute, fetch and close.
            counted: tuple[int, list[Any]] = await connection._execute(_counted, connection._conn, query, values)
            return counted

    @translate_exceptions
    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        alone: ConnectionWrapper[aiosqlite.Connection] = ConnectionWrapper(self._lock, self)
        async with alone as connection:  # BEGIN ... COMMIT: nothing else between them
            self.log.debug("%s: %s", query, values)
            await connection.execute("BEGIN")
            try:
                await connection.executemany(query, values)
            except Exception:
                await connection.rollback()
                raise
            await connection.commit()

    @translate_exceptions
    async def execute_script(self, query: str) -> None:
        alone: ConnectionWrapper[aiosqlite.Connection] = ConnectionWrapper(self._lock, self)
        async with alone as connection:  # several statements: nothing else between them
            self.log.debug(query)
            await connection.executescript(query)

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        if not self._readers or not _reads_only(query):
            answered: list[dict[str, Any]] = await super().execute_query_dict(query, values)
            return answered
        return list(map(dict, await self._read(_nul_spelled_out(query), values)))

    async def _read(self, query: str, values: list[Any] | None) -> Sequence[Any]:
        self.log.debug("%s: %s", query, values)
        return list(await self._readers[next(self._turns)].execute_fetchall(query, values))


def _counted(connection: sqlite3.Connection, query: str, values: list[Any] | None) -> tuple[int, list[Any]]:
    """Run one statement; its rows and its own count of changed rows. Tortoise reads the connection's
    total_changes before and after instead, which on a shared connection would count the rows of
    other statements run in between."""
    cursor = connection.execute(query, values or ())
    try:
        rows = cursor.fetchall()
        return max(cursor.rowcount, len(rows)), rows
    finally:
        cursor.close()


def _nul_spelled_out(query: str) -> str:
    """As tortoise does before it runs SQL text: a NUL character would end the text early."""
    return query.replace("\x00", "'||CHAR(0)||'")


def _reads_only(query: str) -> bool:
    """A plain SELECT: it changes nothing, so any connection may run it (no SQL of ours reads
    connection-local state such as last_insert_rowid() or a temporary table)."""
    return query.lstrip()[:6].upper() == "SELECT"


def _shared_file(filename: str) -> bool:
    return (
        filename not in ("", ":memory:") and not filename.startswith("file::memory:") and "mode=memory" not in filename
    )


client_class = ImmediateSqliteClient
