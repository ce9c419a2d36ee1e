"""Duplicate detection: the DuplicateFlag table and the spatial indexes behind the nearby queries.

The spatial indexes are kept by the database itself, so every writer of `report` (the ORM, a bulk
import, a moderator's SQL) keeps them in sync:
- SQLite: R*Tree virtual tables filled by triggers on insert, on a change of position or status
  and on delete (and back-filled here): `report_rtree(id, min_lat, max_lat, min_lon, max_lon)`
  holds every report (photo matches look at all of them), `report_open_rtree` the same columns for
  open reports only. The "same hazard nearby?" query asks the second one: in a dense district
  three reports in four are closed, and skipping them is what keeps it fast at a million reports.
- PostgreSQL: btrees on (lat, lon) for a bounding-box prefilter, one of them partial on the open
  statuses; plus, when PostGIS is installed (or this role may install it), GiST indexes on the
  reports' geography for ST_DWithin.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

# bot.reports.lifecycle.OPEN_STATUSES as of this migration, frozen here as migrations must be (a
# test compares them: a change to the open statuses needs a migration that rewrites the triggers).
OPEN_STATUSES = ("accepted", "dispatched", "in_progress", "needs_info", "reopened", "submitted")
_OPEN = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
_OPEN_ROW = f"SELECT new.id, new.lat, new.lat, new.lon, new.lon WHERE new.status IN {_OPEN}"

# Trigger bodies contain ";", so each statement is run on its own (the SQLite schema editor splits
# RunSQL text on ";").
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS report_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS report_open_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "INSERT INTO report_rtree (id, min_lat, max_lat, min_lon, max_lon) SELECT id, lat, lat, lon, lon FROM report",
    "INSERT INTO report_open_rtree (id, min_lat, max_lat, min_lon, max_lon)"
    f" SELECT id, lat, lat, lon, lon FROM report WHERE status IN {_OPEN}",
    f"""CREATE TRIGGER report_rtree_insert AFTER INSERT ON report BEGIN
        INSERT INTO report_rtree (id, min_lat, max_lat, min_lon, max_lon)
        VALUES (new.id, new.lat, new.lat, new.lon, new.lon);
        INSERT INTO report_open_rtree (id, min_lat, max_lat, min_lon, max_lon) {_OPEN_ROW};
    END""",
    """CREATE TRIGGER report_rtree_move AFTER UPDATE OF lat, lon ON report BEGIN
        UPDATE report_rtree SET min_lat = new.lat, max_lat = new.lat, min_lon = new.lon, max_lon = new.lon
        WHERE id = new.id;
    END""",
    f"""CREATE TRIGGER report_open_rtree_update AFTER UPDATE OF status, lat, lon ON report BEGIN
        DELETE FROM report_open_rtree WHERE id = old.id;
        INSERT INTO report_open_rtree (id, min_lat, max_lat, min_lon, max_lon) {_OPEN_ROW};
    END""",
    """CREATE TRIGGER report_rtree_delete AFTER DELETE ON report BEGIN
        DELETE FROM report_rtree WHERE id = old.id;
        DELETE FROM report_open_rtree WHERE id = old.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS report_rtree_insert",
    "DROP TRIGGER IF EXISTS report_rtree_move",
    "DROP TRIGGER IF EXISTS report_open_rtree_update",
    "DROP TRIGGER IF EXISTS report_rtree_delete",
    "DROP TABLE IF EXISTS report_open_rtree",
    "DROP TABLE IF EXISTS report_rtree",
]
# Photos are looked up by report (photo matching, thumbnails) and flags by the report they point
# at; SQLite does not index foreign keys by itself. Same SQL on both dialects.
SHARED_FORWARD = [
    "CREATE INDEX IF NOT EXISTS photo_report_idx ON photo (report_id)",
    "CREATE INDEX IF NOT EXISTS duplicate_flag_similar_idx ON duplicate_flag (similar_to_id)",
]
SHARED_BACKWARD = ["DROP INDEX IF EXISTS photo_report_idx", "DROP INDEX IF EXISTS duplicate_flag_similar_idx"]
# The query's own `status IN (...)`, in the same order, lets the planner use the partial indexes.
_GEOGRAPHY = "(geography(ST_SetSRID(ST_MakePoint(lon, lat), 4326)))"
PG_BBOX_INDEXES = [
    "CREATE INDEX IF NOT EXISTS report_lat_lon_idx ON report (lat, lon)",
    f"CREATE INDEX IF NOT EXISTS report_open_lat_lon_idx ON report (lat, lon) WHERE status IN {_OPEN}",
]
PG_GEOGRAPHY_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS report_geog_idx ON report USING gist ({_GEOGRAPHY})",
    f"CREATE INDEX IF NOT EXISTS report_open_geog_idx ON report USING gist ({_GEOGRAPHY}) WHERE status IN {_OPEN}",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS report_open_geog_idx",
    "DROP INDEX IF EXISTS report_geog_idx",
    "DROP INDEX IF EXISTS report_open_lat_lon_idx",
    "DROP INDEX IF EXISTS report_lat_lon_idx",
]


async def _postgis_usable(client) -> bool:
    """PostGIS is installed already, or is available and this role may install it (no failed DDL)."""
    installed = await client.execute_query_dict("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if installed:
        return True
    available = await client.execute_query_dict("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    superuser = await client.execute_query_dict("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not (available and superuser and superuser[0]["rolsuper"]):
        return False
    await client.execute_query("CREATE EXTENSION IF NOT EXISTS postgis")
    return True


async def create_spatial_index(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    for statement in SHARED_FORWARD:
        await client.execute_query(statement)
    if dialect == "sqlite":
        for statement in SQLITE_FORWARD:
            await client.execute_query(statement)
    elif dialect == "postgres":
        for statement in PG_BBOX_INDEXES:
            await client.execute_query(statement)
        if await _postgis_usable(client):
            for statement in PG_GEOGRAPHY_INDEXES:
                await client.execute_query(statement)
    else:
        raise NotImplementedError(f"no spatial index for the {dialect} dialect")


async def drop_spatial_index(apps, schema_editor) -> None:
    client = schema_editor.client
    statements = SQLITE_BACKWARD if client.capabilities.dialect == "sqlite" else PG_BACKWARD
    for statement in [*statements, *SHARED_BACKWARD]:
        await client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DuplicateFlag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='duplicate_flags', on_delete=OnDelete.CASCADE)),
                ('similar_to', fields.ForeignKeyField('core.Report', source_field='similar_to_id', db_constraint=True, to_field='id', related_name='similar_flags', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=24)),
                ('phash_distance', fields.SmallIntField()),
                ('distance_m', fields.FloatField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'duplicate_flag', 'app': 'core', 'unique_together': (('report', 'similar_to'),), 'pk_attr': 'id', 'table_description': 'A likely duplicate found at intake (a near-identical photo nearby), for a moderator to judge.'},
            bases=['Model'],
        ),
        ops.RunPython(create_spatial_index, drop_spatial_index),
    ]
