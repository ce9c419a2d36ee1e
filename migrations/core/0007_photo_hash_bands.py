"""Indexes for near-duplicate photo search (bot/reports/photo_index.py): one per pHash band.

Expression indexes on `substr(phash, start, digits)`, the same SQL on SQLite and PostgreSQL: the
database fills them for the photos already stored when they are created (the back-fill) and keeps
them for every later writer. The bands are frozen here as migrations must be; a test compares them
with bot.reports.photo_index.BANDS (other bands need a migration that rebuilds these indexes).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

BANDS = ((0, 5), (5, 5), (10, 6))  # (first hex digit, hex digits)
FORWARD = [
    f"CREATE INDEX IF NOT EXISTS photo_phash_band{number}_idx ON photo (substr(phash, {start + 1}, {digits}))"
    for number, (start, digits) in enumerate(BANDS)
]
BACKWARD = [f"DROP INDEX IF EXISTS photo_phash_band{number}_idx" for number in range(len(BANDS))]


async def create_indexes(apps, schema_editor) -> None:
    for statement in FORWARD:
        await schema_editor.client.execute_query(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in BACKWARD:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_state_history")]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
