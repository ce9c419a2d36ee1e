"""A tortoise SQLite engine whose transactions take the write lock when they begin (BEGIN IMMEDIATE).

With tortoise's plain BEGIN (deferred), a transaction that reads and then writes (every state machine
move, every claim) must upgrade its read lock; when another process wrote in between, SQLite answers
"database is locked" at once, without waiting, because the transaction's snapshot is stale. Taking the
lock at BEGIN makes a second process wait its turn (up to `busy_timeout`) instead. Only several processes
on one SQLite file (the Procfile layout on a small install, the benches' quick runs) ever meet this;
one process already serialises its transactions on its single connection.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError

#: How long a process waits for another one's transaction on the same file before "database is locked".
BUSY_TIMEOUT_MS = 30_000
#: Read the file through a memory map this large. SQLite's own page cache is 2 MB per connection, while a
#: city's indexes (the pHash bands, the R*Trees) run to hundreds of MB: random probes into them then cost a
#: read() and a copy each (about half of a photo-match query at a million photos). Mapped pages live in the
#: OS page cache, shared by every process on the file instead of one private cache each.
MMAP_SIZE_BYTES = 1 << 30


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

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
