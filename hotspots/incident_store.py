"""Writing many incidents at once, skipping ids already stored, saying how many rows were added and the ids of
the added rows the caller watches (those that may call for a warning).

Each dialect takes the path its driver makes cheap:

* SQLite: one prepared single-row INSERT ... ON CONFLICT (event_id) DO NOTHING run by `executemany` on the
  transaction's own connection (no SQL text of 32,000 parameters parsed per chunk, no RETURNING rows turned into
  dicts), datetimes bound as the UTC text tortoise reads back. The rows the caller watches are found afterwards
  among the ids above the largest id before the insert (AUTOINCREMENT: new ids only ever grow; the transaction
  holds the write lock, so every such id is this batch's).
* PostgreSQL: multi-row INSERTs with RETURNING (asyncpg's executemany says nothing about skipped rows).

Tortoise's bulk_create builds a model object per row and cannot say which rows a conflict skipped; a million
rows need neither.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient

COLUMNS = (
    "event_id",
    "source",
    "occurred_at",
    "lat",
    "lon",
    "category",
    "outcome",
    "severity",
    "kind",
    "description",
    "area",
    "street",
    "cell",
    "recorded_by",
    "created_at",
)
#: SQLite and PostgreSQL bind at most 32766 / 32767 parameters per statement.
CHUNK_ROWS = 32_000 // len(COLUMNS)
MAX_PARAMETERS = 32_000
IncidentRow = tuple[
    str, str, datetime, float, float, str, str, float | None, str | None, str, Any, Any, Any, str, datetime
]
#: A bulk load on SQLite: WAL without an fsync per commit (a crash loses no committed batch, a power cut at
#: most the last ones: the database stays whole and the run's progress is in the same transaction as its rows,
#: so resuming is exact either way), and a page cache that holds the incident table's indexes (KiB; SQLite
#: takes the memory only as it fills it).
SQLITE_BULK_PRAGMAS = {"synchronous": "NORMAL", "cache_size": str(-256 * 1024)}
Added = tuple[int, dict[str, int]]  #: how many rows were added; {event_id: id} of the watched ones among them


@asynccontextmanager
async def bulk_load(connection: BaseDBAsyncClient) -> Any:
    """The connection's settings for a bulk load while the block runs, then its own again (on SQLite: the
    worker's connection serves other jobs after the import). Nothing to change on PostgreSQL."""
    if connection.capabilities.dialect != "sqlite":
        yield
        return
    before = {}
    for pragma, value in SQLITE_BULK_PRAGMAS.items():
        before[pragma] = (await connection.execute_query(f"PRAGMA {pragma}"))[1][0][0]
        await connection.execute_script(f"PRAGMA {pragma}={value}")
    try:
        yield
    finally:
        for pragma, value in before.items():
            await connection.execute_script(f"PRAGMA {pragma}={value}")


async def insert_new(connection: BaseDBAsyncClient, rows: Sequence[IncidentRow], watched: Collection[str]) -> Added:
    """Insert the rows whose event_id is not stored yet (in one transaction: `connection` is its client)."""
    if connection.capabilities.dialect == "sqlite":
        return await _insert_sqlite(connection, rows, watched)
    return await _insert_returning(connection, rows, watched)


def _utc_text(moment: datetime) -> str:
    """What tortoise writes and reads back for an aware datetime on SQLite, in UTC so that text order is time
    order (a mix of offsets would compare wrongly in SQL)."""
    return moment.astimezone(UTC).isoformat(" ")


async def _insert_sqlite(connection: BaseDBAsyncClient, rows: Sequence[IncidentRow], watched: Collection[str]) -> Added:
    created_at = _utc_text(rows[0][14]) if rows else ""  # one batch shares its created_at
    values = [(*row[:2], _utc_text(row[2]), *row[3:14], created_at) for row in rows]  # occurred_at is column 2
    insert = (
        f"INSERT INTO incident ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))}) "
        "ON CONFLICT (event_id) DO NOTHING"
    )
    largest_before = (await connection.execute_query("SELECT max(id) FROM incident"))[1][0][0] or 0
    async with connection.acquire_connection() as sqlite:  # the transaction's aiosqlite connection
        cursor = await sqlite.executemany(insert, values)
        added_count = int(cursor.rowcount)
        await cursor.close()
    return added_count, await _watched_ids(connection, list(watched), largest_before)


async def _watched_ids(connection: BaseDBAsyncClient, watched: list[str], largest_before: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(watched), MAX_PARAMETERS):
        chunk = watched[start : start + MAX_PARAMETERS]
        _, rows = await connection.execute_query(
            f"SELECT id, event_id FROM incident WHERE id > ? AND event_id IN ({','.join('?' * len(chunk))})",
            [largest_before, *chunk],
        )
        found.update({str(row[1]): int(row[0]) for row in cast(Sequence[Sequence[Any]], rows)})
    return found


def _returning_statement(rows: int) -> str:
    width = len(COLUMNS)
    groups = ("(" + ",".join(f"${row * width + column + 1}" for column in range(width)) + ")" for row in range(rows))
    return (
        f"INSERT INTO incident ({','.join(COLUMNS)}) VALUES {','.join(groups)} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id"
    )


async def _insert_returning(
    connection: BaseDBAsyncClient, rows: Sequence[IncidentRow], watched: Collection[str]
) -> Added:
    added: dict[str, int] = {}
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        values = [value for row in chunk for value in row]
        # execute_query_dict: asyncpg fetches the RETURNING rows only there (execute_query runs INSERTs unfetched).
        returned = await connection.execute_query_dict(_returning_statement(len(chunk)), values)
        added.update({str(row["event_id"]): int(row["id"]) for row in returned})
    watched_set = set(watched)
    return len(added), {event_id: id_ for event_id, id_ in added.items() if event_id in watched_set}
