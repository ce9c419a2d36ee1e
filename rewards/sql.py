"""Hand-written statements for the reward decision's hot path, on SQLite and PostgreSQL alike.

Tortoise spends about half a millisecond of CPU building each statement (filters resolved, SQL rendered,
models instantiated), several times what the database needs for an indexed lookup; a decision that must
fit in 5 ms (issue 11) reads and writes what it needs here instead. Statements are written with "?"
placeholders and run on the connection of the current transaction, if any (the model's `_meta.db`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.models import Model

from bot.reports.spatial import placeholders_for


async def rows(model: type[Model], sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
    """The rows of `sql` (RETURNING rows too: asyncpg fetches them only this way)."""
    client = model._meta.db
    return list(await client.execute_query_dict(placeholders_for(client.capabilities.dialect, sql), list(params)))


def locking(model: type[Model], of: str = "") -> str:
    """The clause that locks the rows a SELECT reads until the transaction ends: PostgreSQL's FOR UPDATE
    (`of`: only that table's rows). SQLite takes the database's write lock when a transaction begins
    (bot/sqlite_engine.py), so transactions that write are serialised there already."""
    if model._meta.db.capabilities.dialect == "sqlite":
        return ""
    return f" FOR UPDATE OF {of}" if of else " FOR UPDATE"


def utc(at: datetime) -> datetime:
    """A bound for a comparison with a stored time. The ORM stores times in UTC, and SQLite compares their
    text: a bound in another zone (a local day's midnight) would be compared by its wall-clock digits."""
    return at.astimezone(UTC)


def python_value(model: type[Model], field: str, value: object) -> Any:
    """A column read by hand as the ORM would give it (SQLite returns times and JSON as text)."""
    return model._meta.fields_map[field].to_python_value(value)
