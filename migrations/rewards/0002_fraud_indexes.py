"""Indexes for a reward decision's queries (rewards/grants.py, rewards/fraud.py) at a city's size.

Without them each decision read every report ever filed, several times (bench/reward_evaluation.py:
tens of milliseconds at a city's year), and every grant of its state. The same SQL on SQLite and
PostgreSQL.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

FORWARD = [
    # The burst check: one reporter's reports in the hour before the evidence.
    "CREATE INDEX IF NOT EXISTS report_reporter_created_idx ON report (reporter_id, created_at)",
    # The queue-share check: a category and area's reports in the filing month.
    "CREATE INDEX IF NOT EXISTS report_category_area_created_idx ON report (category, area, created_at)",
    # A hazard's merged duplicates. The full index of moderation/0002 holds every report under NULL, so
    # once statistics exist (ANALYZE) SQLite judges it useless and scans; this one holds merged reports only.
    "CREATE INDEX IF NOT EXISTS report_merged_into_idx ON report (duplicate_of_id) WHERE duplicate_of_id IS NOT NULL",
    # A reporter's grants of the day and the month (the caps).
    "CREATE INDEX IF NOT EXISTS reward_grant_resident_idx ON reward_grant (resident_id, created_at)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS report_reporter_created_idx",
    "DROP INDEX IF EXISTS report_category_area_created_idx",
    "DROP INDEX IF EXISTS report_merged_into_idx",
    "DROP INDEX IF EXISTS reward_grant_resident_idx",
]


async def create_indexes(apps, schema_editor) -> None:
    for statement in FORWARD:
        await schema_editor.client.execute_query(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in BACKWARD:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
