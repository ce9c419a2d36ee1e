"""Per-test databases, already migrated: a SQLite file by default, a PostgreSQL database when
TEST_DATABASE_URL is set. Migrations run once per session into a template that each test copies."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.db import migrate

#: One template per pytest-xdist worker: CREATE DATABASE ... TEMPLATE refuses a template another session is
#: connected to, and each worker migrates its own at the start.
TEMPLATE_DB = f"safecity_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
#: The test suite hands the processes it starts (benches' quick runs) its migrated SQLite template in this
#: variable: migrating a database from nothing costs about ten CPU-seconds, which no figure includes.
MIGRATED_SQLITE_ENV = "SAFECITY_MIGRATED_SQLITE"


async def build_template(template_dir: Path) -> str:
    """Migrate a template database once; returns its SQLite path or PostgreSQL name."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        path = template_dir / "template.sqlite3"
        await migrate(f"sqlite://{path}")
        return str(path)
    async with _admin_connection(server_url) as admin:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    await migrate(urlunsplit(urlsplit(server_url)._replace(path=f"/{TEMPLATE_DB}")))
    return TEMPLATE_DB


def prefill_sqlite(database_url: str) -> bool:
    """Make a new SQLite database a copy of the migrated template the test suite handed over, if it did;
    True when done (then nothing is left to migrate: the suite migrated it from this checkout)."""
    template = os.environ.get(MIGRATED_SQLITE_ENV, "")
    path = Path(database_url.removeprefix("sqlite://"))
    if not template or not database_url.startswith("sqlite://") or path.exists():
        return False
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # as private as the product makes its own
    shutil.copyfile(template, path)
    path.chmod(0o600)
    return True


async def migrate_new(database_url: str) -> None:
    """Migrate a database made for a run (a bench's, a cluster's), from the handed-over template when there is one."""
    if not prefill_sqlite(database_url):
        await migrate(database_url)


@asynccontextmanager
async def _admin_connection(server_url: str) -> AsyncIterator[Any]:
    import asyncpg

    parts = urlsplit(server_url.replace("postgres://", "postgresql://", 1))
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def database_url_for_test(tmp_path: Path, template: str) -> AsyncIterator[str]:
    """A migrated database of this test's own: a copy of the template."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite://{path}"
        return
    async with empty_database(server_url, "t", template=template) as url:
        yield url


@asynccontextmanager
async def empty_database(
    server_url: str, prefix: str = "scratch", *, template: str | None = None
) -> AsyncIterator[str]:
    """A new database on the server of `server_url` (a copy of `template`, else empty), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    async with _admin_connection(server_url) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        async with _admin_connection(server_url) as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
