"""Photo indexes for intake at scale: near-duplicate search by pHash band, and a draft's photos.

- One expression index per pHash band (bot/reports/photo_index.py), on `substr(phash, start, digits)`
  followed by `phash` and `report_id`, so candidates are checked without reading the table. The same
  SQL on SQLite and PostgreSQL; the database fills them for the photos already stored when they are
  created (the back-fill) and keeps them for every later writer. The bands are frozen here as
  migrations must be; a test compares them with bot.reports.photo_index.BANDS.
- A draft's photos are counted, listed and moved at every intake step; without an index on
  `draft_id` each of those reads every photo ever filed. Partial: filed photos have no draft.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

BANDS = ((0, 6), (6, 5), (11, 5))  # (first hex digit, hex digits)
FORWARD = [
    *(
        f"CREATE INDEX IF NOT EXISTS photo_phash_band{number}_idx"
        f" ON photo (substr(phash, {start + 1}, {digits}), phash, report_id)"
        for number, (start, digits) in enumerate(BANDS)
    ),
    "CREATE INDEX IF NOT EXISTS photo_draft_idx ON photo (draft_id) WHERE draft_id IS NOT NULL",
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS photo_phash_band{number}_idx" for number in range(len(BANDS))),
    "DROP INDEX IF EXISTS photo_draft_idx",
]


async def create_indexes(apps, schema_editor) -> None:
    for statement in FORWARD:
        await schema_editor.client.execute_query(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in BACKWARD:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_city")]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
