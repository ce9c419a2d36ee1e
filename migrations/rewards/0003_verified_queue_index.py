"""A covering index for the queue-share check (rewards/fraud.py `_counts`): a category and area's verified
reports of the filing month, with their reporters, read from the index alone.

With migration 0002's (category, area, created_at) each decision read every report of the queue's month
from the table (some hundred random rows at a city's year) to look at `verified`, `duplicate_of_id` and
`reporter_id`: a tenth of a decision's time (issue 11). Partial, so it holds the verified reports only; the
query spells the index's condition literally so that both databases can tell it applies. The same SQL on
SQLite and PostgreSQL.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

FORWARD = [
    # `verified` and `duplicate_of_id` are constant within the index, but SQLite counts a partial index as
    # covering only when its columns include every column the query names, its condition's too.
    "CREATE INDEX IF NOT EXISTS report_verified_queue_idx"
    " ON report (category, area, created_at, reporter_id, verified, duplicate_of_id)"
    " WHERE verified AND duplicate_of_id IS NULL",
]
BACKWARD = ["DROP INDEX IF EXISTS report_verified_queue_idx"]


async def create_indexes(apps, schema_editor) -> None:
    for statement in FORWARD:
        await schema_editor.client.execute_query(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in BACKWARD:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0002_fraud_indexes")]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
