"""Native tortoise-orm migrations, one package per tortoise app (see bot/db.py APPS)."""
