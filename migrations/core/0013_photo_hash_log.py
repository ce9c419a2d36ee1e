"""A log of every filed photo's pHash as written: what each process's in-memory pHash index reads to stay complete.

Triggers append (photo id, pHash) for every photo filed (inserted with a report, or given one: a draft's
photos at submit) and every filed photo's pHash or id changed, whoever writes (the ORM, a bulk import, a
moderator's SQL); the filed photos already stored are copied in. A draft's photos stay out: intake asks
about them and would always find them. A filed photo moved to another report (a merge) is logged again
with its report, so a transaction reading the rows it wrote knows which report they are on now. `seq` orders the rows on
SQLite (AUTOINCREMENT: never reused, and taken inside the single writer's transaction); on PostgreSQL,
where sequence values commit out of order, `xid` (the writing transaction) lets a reader ask again for
every row of the transactions that were still running when it last read. See bot/reports/photo_hashes.py.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS photo_hash_log ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, photo_id INTEGER NOT NULL, phash TEXT NOT NULL, report_id INTEGER)",
    "INSERT INTO photo_hash_log (photo_id, phash, report_id) SELECT id, phash, report_id FROM photo"
    " WHERE report_id IS NOT NULL ORDER BY id",
    "CREATE TRIGGER IF NOT EXISTS photo_hash_log_insert AFTER INSERT ON photo WHEN NEW.report_id IS NOT NULL"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash, report_id) VALUES (NEW.id, NEW.phash, NEW.report_id); END",
    "CREATE TRIGGER IF NOT EXISTS photo_hash_log_update AFTER UPDATE OF id, phash, report_id ON photo"
    " WHEN NEW.report_id IS NOT NULL"
    " AND (NEW.report_id IS NOT OLD.report_id OR NEW.phash IS NOT OLD.phash OR NEW.id IS NOT OLD.id)"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash, report_id) VALUES (NEW.id, NEW.phash, NEW.report_id); END",
]
POSTGRES_FORWARD = [
    "CREATE TABLE IF NOT EXISTS photo_hash_log (seq BIGSERIAL PRIMARY KEY, photo_id BIGINT NOT NULL,"
    " phash TEXT NOT NULL, report_id BIGINT, xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint))",
    "CREATE INDEX IF NOT EXISTS photo_hash_log_xid_idx ON photo_hash_log (xid, seq)",
    "INSERT INTO photo_hash_log (photo_id, phash, report_id) SELECT id, phash, report_id FROM photo"
    " WHERE report_id IS NOT NULL ORDER BY id",
    "CREATE OR REPLACE FUNCTION photo_hash_log_append() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO photo_hash_log (photo_id, phash, report_id) VALUES (NEW.id, NEW.phash, NEW.report_id); RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER photo_hash_log_insert AFTER INSERT ON photo FOR EACH ROW"
    " WHEN (NEW.report_id IS NOT NULL) EXECUTE FUNCTION photo_hash_log_append()",
    "CREATE OR REPLACE TRIGGER photo_hash_log_update AFTER UPDATE OF id, phash, report_id ON photo FOR EACH ROW"
    " WHEN (NEW.report_id IS NOT NULL AND (NEW.report_id IS DISTINCT FROM OLD.report_id"
    " OR NEW.phash IS DISTINCT FROM OLD.phash"
    " OR NEW.id IS DISTINCT FROM OLD.id)) EXECUTE FUNCTION photo_hash_log_append()",
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
