"""Writing many incidents at once: one multi-row INSERT per chunk that skips ids already stored and says which
rows it added (ON CONFLICT DO NOTHING RETURNING, the same SQL on SQLite >= 3.35 and PostgreSQL).

Tortoise's bulk_create builds a model object per row and cannot say which rows a conflict skipped; a million
rows need neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
IncidentRow = tuple[
    str, str, datetime, float, float, str, str, float | None, str | None, str, Any, Any, Any, str, datetime
]


def _statement(rows: int, dialect: str) -> str:
    width = len(COLUMNS)
    if dialect == "postgres":
        groups = (
            "(" + ",".join(f"${row * width + column + 1}" for column in range(width)) + ")" for row in range(rows)
        )
    else:
        one = "(" + ",".join("?" * width) + ")"
        groups = (one for _ in range(rows))
    return (
        f"INSERT INTO incident ({','.join(COLUMNS)}) VALUES {','.join(groups)} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id"
    )


async def insert_new(connection: BaseDBAsyncClient, rows: Sequence[IncidentRow]) -> dict[str, int]:
    """Insert the rows whose event_id is not stored yet; returns {event_id: id} of those added."""
    added: dict[str, int] = {}
    dialect = connection.capabilities.dialect
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        values = [value for row in chunk for value in row]
        # execute_query_dict: asyncpg fetches the RETURNING rows only there (execute_query runs INSERTs unfetched).
        returned = await connection.execute_query_dict(_statement(len(chunk), dialect), values)
        added.update({str(row["event_id"]): int(row["id"]) for row in returned})
    return added
