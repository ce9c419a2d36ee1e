"""A log of every photo's pHash as written: what each process's in-memory pHash index reads to stay complete.

Triggers append (photo id, pHash) for every photo inserted and every pHash or id changed, whoever writes
(the ORM, a bulk import, a moderator's SQL); the existing photos are copied in. `seq` orders the rows on
SQLite (AUTOINCREMENT: never reused, and taken inside the single writer's transaction); on PostgreSQL,
where sequence values commit out of order, `xid` (the writing transaction) lets a reader ask again for
every row of the transactions that were still running when it last read. See bot/reports/photo_hashes.py.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS photo_hash_log ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, photo_id INTEGER NOT NULL, phash TEXT NOT NULL)",
    "INSERT INTO photo_hash_log (photo_id, phash) SELECT id, phash FROM photo ORDER BY id",
    "CREATE TRIGGER IF NOT EXISTS photo_hash_log_insert AFTER INSERT ON photo"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash) VALUES (NEW.id, NEW.phash); END",
    "CREATE TRIGGER IF NOT EXISTS photo_hash_log_update AFTER UPDATE OF id, phash ON photo"
    " WHEN NEW.phash IS NOT OLD.phash OR NEW.id IS NOT OLD.id"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash) VALUES (NEW.id, NEW.phash); END",
]
POSTGRES_FORWARD = [
    "CREATE TABLE IF NOT EXISTS photo_hash_log (seq BIGSERIAL PRIMARY KEY, photo_id BIGINT NOT NULL,"
    " phash TEXT NOT NULL, xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint))",
    "CREATE INDEX IF NOT EXISTS photo_hash_log_xid_idx ON photo_hash_log (xid, seq)",
    "INSERT INTO photo_hash_log (photo_id, phash) SELECT id, phash FROM photo ORDER BY id",
    "CREATE OR REPLACE FUNCTION photo_hash_log_append() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash) VALUES (NEW.id, NEW.phash); RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER photo_hash_log_insert AFTER INSERT ON photo"
    " FOR EACH ROW EXECUTE FUNCTION photo_hash_log_append()",
    "CREATE OR REPLACE TRIGGER photo_hash_log_update AFTER UPDATE OF id, phash ON photo FOR EACH ROW"
    " WHEN (NEW.phash IS DISTINCT FROM OLD.phash OR NEW.id IS DISTINCT FROM OLD.id)"
    " EXECUTE FUNCTION photo_hash_log_append()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS photo_hash_log_insert",
    "DROP TRIGGER IF EXISTS photo_hash_log_update",
    "DROP TABLE IF EXISTS photo_hash_log",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS photo_hash_log_insert ON photo",
    "DROP TRIGGER IF EXISTS photo_hash_log_update ON photo",
    "DROP FUNCTION IF EXISTS photo_hash_log_append()",
    "DROP TABLE IF EXISTS photo_hash_log",
]


async def create_log(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in SQLITE_FORWARD if client.capabilities.dialect == "sqlite" else POSTGRES_FORWARD:
        await client.execute_script(statement)


async def drop_log(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in BACKWARD if client.capabilities.dialect == "sqlite" else POSTGRES_BACKWARD:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_update_pipeline")]

    initial = False

    operations = [
        ops.RunPython(create_log, drop_log),
    ]
