"""Indexes on the kernel's `report` table for the moderation queue (moderation owns the queue query).

The queue sorts open reports by COALESCE(moderation_due_at, resolution_due_at) within a status, an
area or a category (queues are category x area); the same expression works on SQLite and PostgreSQL.
`duplicate_of_id` is looked up for the "has duplicates" filter and the merged-report counts.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

DUE = "COALESCE(moderation_due_at, resolution_due_at)"
FORWARD = [
    f"CREATE INDEX IF NOT EXISTS report_queue_idx ON report (status, {DUE})",
    f"CREATE INDEX IF NOT EXISTS report_queue_area_idx ON report (status, area, {DUE})",
    f"CREATE INDEX IF NOT EXISTS report_queue_category_idx ON report (status, category, {DUE})",
    "CREATE INDEX IF NOT EXISTS report_duplicate_of_idx ON report (duplicate_of_id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS report_queue_idx",
    "DROP INDEX IF EXISTS report_queue_area_idx",
    "DROP INDEX IF EXISTS report_queue_category_idx",
    "DROP INDEX IF EXISTS report_duplicate_of_idx",
]


async def create_indexes(apps, schema_editor) -> None:
    for statement in FORWARD:
        await schema_editor.client.execute_query(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in BACKWARD:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
