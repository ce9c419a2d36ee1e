"""Tortoise's asyncpg backend without a second round trip after every statement.

asyncpg's pool "resets" a connection each time it is released: `SELECT pg_advisory_unlock_all(); CLOSE ALL;
UNLISTEN *; RESET ALL;`, one more round trip to PostgreSQL. Tortoise takes a pooled connection for each
statement outside a transaction, so every statement paid twice. Nothing here uses session state that
could leak to the next user of a connection (no session advisory locks, cursors, LISTEN or SET; open
transactions are still rolled back by asyncpg on release), so the reset query is empty.
"""

from __future__ import annotations

from asyncpg.connection import Connection
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class NoResetConnection(Connection):  # type: ignore[misc]  # asyncpg has no type hints
    def get_reset_query(self) -> str:
        return ""


class PostgresClient(AsyncpgDBClient):
    connection_class = NoResetConnection


#: What tortoise looks for in an `engine` module.
client_class = PostgresClient
