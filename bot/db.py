"""Tortoise configuration, startup and migrations: one function each, no global state."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from bot.config import Settings

#: The kernel's tortoise apps; each feature adds its own (named after it), so features evolve apart.
KERNEL_APPS: dict[str, list[str]] = {
    "core": ["bot.reports.models", "bot.city.models", "bot.events"],
    "staff": ["bot.admin.models"],
}


def apps() -> dict[str, list[str]]:
    """Every tortoise app: the kernel's, then each feature's (its label is the feature's name)."""
    from bot.composition import all_features

    features = {feature.name: list(feature.models) for feature in all_features() if feature.models}
    return {**KERNEL_APPS, **features}


def connection_config(database_url: str) -> str | dict[str, Any]:
    """SQLite through our engine (transactions that wait their turn), PostgreSQL through ours (no asyncpg reset
    query after every statement)."""
    if database_url.startswith("sqlite://"):
        return {"engine": "bot.sqlite_engine", "credentials": expand_db_url(database_url)["credentials"]}
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return {**expand_db_url(database_url), "engine": "bot.db_postgres"}
    return database_url


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Return the tortoise config dict for `database_url` (SQLite or PostgreSQL)."""
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            label: {"models": modules, "default_connection": "default", "migrations": f"migrations.{label}"}
            for label, modules in apps().items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str) -> None:
    """Apply every pending migration, then close the connections the migrator opened."""
    await run_migrations(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def init_db(settings: Settings) -> None:
    """Open the ORM for this process (global fallback: PTB and arq run steps in other contexts)."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(config=tortoise_config(settings.effective_database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()
