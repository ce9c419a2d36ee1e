"""A report (and its photos) may have no resident behind it: a partner system filed it through the open API.

Only NOT NULL is dropped from `report.reporter_id` and `photo.owner_id`. Tortoise's AlterField would rebuild
each table on SQLite and lose the indexes and the R*Tree triggers of 0002, so the SQL is written here: on
PostgreSQL an ALTER COLUMN, on SQLite the procedure SQLite documents for removing a NOT NULL constraint
(edit the table's stored CREATE statement under writable_schema and bump schema_version; the rows on disk
are the same either way).
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

COLUMNS = (("report", "reporter_id"), ("photo", "owner_id"))


async def _sqlite_nullability(client: Any, *, nullable: bool) -> None:
    version = (await client.execute_query_dict("PRAGMA schema_version"))[0]["schema_version"]
    await client.execute_query("PRAGMA writable_schema=ON")
    for table, column in COLUMNS:
        strict, loose = f'"{column}" BIGINT NOT NULL REFERENCES', f'"{column}" BIGINT REFERENCES'
        old, new = (strict, loose) if nullable else (loose, strict)
        await client.execute_query(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?", [old, new, table]
        )
    await client.execute_query(f"PRAGMA schema_version={int(version) + 1}")
    await client.execute_query("PRAGMA writable_schema=OFF")


async def _set_nullability(schema_editor: Any, *, nullable: bool) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await _sqlite_nullability(client, nullable=nullable)
        return
    for table, column in COLUMNS:
        await client.execute_query(f"ALTER TABLE {table} ALTER COLUMN {column} {'DROP' if nullable else 'SET'} NOT NULL")


async def forward(apps: Any, schema_editor: Any) -> None:
    await _set_nullability(schema_editor, nullable=True)


async def backward(apps: Any, schema_editor: Any) -> None:
    await _set_nullability(schema_editor, nullable=False)


class StateOnlyAlterField(ops.AlterField):
    """The field's new state; its SQL is the RunPython above."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('core', '0009_field_kernel')]

    initial = False

    operations = [
        StateOnlyAlterField(
            model_name='Report',
            name='reporter',
            field=fields.ForeignKeyField('core.Resident', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='Photo',
            name='owner',
            field=fields.ForeignKeyField('core.Resident', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE),
        ),
        ops.RunPython(forward, backward),
    ]
