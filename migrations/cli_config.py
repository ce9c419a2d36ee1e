"""Config for the `tortoise` CLI only (`make migrations`); the app builds its config from Settings."""

import os

from bot.db import tortoise_config

TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://var/makemigrations.sqlite3"))
