"""Per-test databases: a SQLite file by default, a fresh PostgreSQL database when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@asynccontextmanager
async def database_url_for_test(tmp_path: Path) -> AsyncIterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        yield f"sqlite://{tmp_path / 'test.sqlite3'}"
        return
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(server_url.replace("postgres://", "postgresql://", 1))
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
