"""The spatial index query: which reports lie within a circle, answered by the database's index.

Migration core/0002 keeps the indexes: R*Trees on SQLite (every report, and open reports only),
PostGIS or (lat, lon) btrees on PostgreSQL. The index answers a bounding box; callers measure
exact distances on the few rows it returns.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.reports.geo import EARTH_RADIUS_M
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES

M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian, and along the equator
#: Widen the box a hair so a point exactly on the radius survives float rounding on every backend.
BOX_MARGIN = 1.001


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_m: float) -> BoundingBox:
    """Every point within `radius_m` of (lat, lon) lies in this box (antimeridian not handled)."""
    d_lat = radius_m / M_PER_DEGREE * BOX_MARGIN
    # Longitude degrees shrink towards the poles: size the box on its pole-ward edge.
    cos_lat = math.cos(math.radians(min(abs(lat) + d_lat, 90.0)))
    d_lon = 180.0 if cos_lat < 1e-9 else min(180.0, d_lat / cos_lat)
    return BoundingBox(lat - d_lat, lat + d_lat, lon - d_lon, lon + d_lon)


Filter = tuple[str, Sequence[object]]  # an SQL condition with "?" placeholders, and its values


async def rows_within(
    lat: float,
    lon: float,
    radius_m: float,
    columns: str,
    filters: Sequence[Filter],
    *,
    open_only: bool = False,
) -> list[dict[str, Any]]:
    """Rows of `report AS r` in the index's answer for the circle; not yet exact."""
    client = Report._meta.db
    sql, params = await spatial_query(client, lat, lon, radius_m, columns, filters, open_only=open_only)
    return list(await client.execute_query_dict(sql, params))


async def spatial_query(
    client: Any,
    lat: float,
    lon: float,
    radius_m: float,
    columns: str,
    filters: Sequence[Filter],
    *,
    open_only: bool = False,
) -> tuple[str, list[object]]:
    """The SQL (in the client's placeholder style) that asks the spatial index for the circle's box.

    `open_only` picks SQLite's R*Tree of open reports; `filters` must then include the open-status
    condition, which also lets PostgreSQL use its partial indexes.
    """
    dialect = client.capabilities.dialect
    box = bounding_box(lat, lon, radius_m)
    if dialect != "sqlite" and await has_geography_index(client):
        source = "report AS r"
        where = (
            "ST_DWithin(geography(ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)), "
            "geography(ST_SetSRID(ST_MakePoint(?, ?), 4326)), ?)"
        )
        params: list[object] = [lon, lat, radius_m * BOX_MARGIN]
    else:
        source, where, params = _box_clause(dialect, box, open_only)
    for condition, values in filters:
        where += f" AND {condition}"
        params.extend(values)
    sql = f"SELECT {columns} FROM {source} WHERE {where}"  # only our own fragments, values are bound
    return placeholders_for(dialect, sql), params


def _box_clause(dialect: str, box: BoundingBox, open_only: bool) -> tuple[str, str, list[object]]:
    """FROM and WHERE (and its values) asking the index for the reports inside `box`."""
    if dialect == "sqlite":
        # CROSS JOIN makes SQLite walk the R*Tree first, never the category or status index.
        rtree = "report_open_rtree" if open_only else "report_rtree"
        source = f"{rtree} AS box CROSS JOIN report AS r ON r.id = box.id"
        where = "box.min_lat <= ? AND box.max_lat >= ? AND box.min_lon <= ? AND box.max_lon >= ?"
        return source, where, [box.max_lat, box.min_lat, box.max_lon, box.min_lon]
    where = "r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?"
    return "report AS r", where, [box.min_lat, box.max_lat, box.min_lon, box.max_lon]


async def rows_in_box(
    box: BoundingBox, columns: str, filters: Sequence[Filter], *, open_only: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of `report AS r` lying inside `box` (a map's viewport), at most `limit`; `open_only` as in
    `spatial_query` (the filters must then hold the open-status condition)."""
    client = Report._meta.db
    dialect = client.capabilities.dialect
    source, where, params = _box_clause(dialect, box, open_only)
    for condition, values in filters:
        where += f" AND {condition}"
        params.extend(values)
    sql = f"SELECT {columns} FROM {source} WHERE {where}" + (f" LIMIT {int(limit)}" if limit is not None else "")
    return list(await client.execute_query_dict(placeholders_for(dialect, sql), params))


async def open_reports_in_box(box: BoundingBox, *, up_to: int) -> int:
    """How many open reports lie in `box`, counting no further than `up_to`: on SQLite the open-reports R*Tree
    alone answers, so a map can decide between markers and counts without reading any report row."""
    client = Report._meta.db
    dialect = client.capabilities.dialect
    source, where, params = _box_clause(dialect, box, open_only=True)
    if dialect == "sqlite":
        source = "report_open_rtree AS box"
    else:
        condition, values = in_list("r.status", OPEN_STATUSES)
        where += f" AND {condition}"
        params.extend(values)
    sql = f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {source} WHERE {where} LIMIT {int(up_to)}) AS found"
    rows = await client.execute_query_dict(placeholders_for(dialect, sql), params)
    return int(rows[0]["n"])


async def counts_in_box(
    box: BoundingBox, rows: int, cols: int, filters: Sequence[Filter], *, open_only: bool = False
) -> list[dict[str, Any]]:
    """How many reports fall in each square of `box` cut into rows x cols, with their mean position:
    a zoomed-out map draws these instead of every marker. Keys: grid_row, grid_col, n, lat, lon.

    `open_only` with no other filter is answered by SQLite's R*Tree of open reports alone, never
    touching the report rows: a city-wide view counts a quarter of a million of them."""
    client = Report._meta.db
    dialect = client.capabilities.dialect
    index_only = dialect == "sqlite" and open_only and not filters
    source, where, params = _box_clause(dialect, box, open_only)
    if index_only:
        source, lat, lon = "report_open_rtree AS box", "box.min_lat", "box.min_lon"
    else:
        lat, lon = "r.lat", "r.lon"
        for condition, values in filters:
            where += f" AND {condition}"
            params.extend(values)
    # Our own floats, formatted by Python: no value from a request reaches the SQL text.
    lat_step, lon_step = (box.max_lat - box.min_lat) / rows, (box.max_lon - box.min_lon) / cols
    floor = "CAST(({} - {!r}) / {!r} AS INTEGER)" if dialect == "sqlite" else "FLOOR(({} - {!r}) / {!r})::int"
    sql = (
        f"SELECT {floor.format(lat, box.min_lat, lat_step)} AS grid_row,"
        f" {floor.format(lon, box.min_lon, lon_step)} AS grid_col, COUNT(*) AS n, AVG({lat}) AS lat, AVG({lon}) AS lon"
        f" FROM {source} WHERE {where} GROUP BY 1, 2"
    )
    return list(await client.execute_query_dict(placeholders_for(dialect, sql), params))


#: Whether each database (keyed by its root connection object) has the PostGIS index. Migration 0002
#: decides that once for good, so a process asks once rather than paying a round trip per query; an
#: index built later by hand is picked up at the next start.
_geography_index_known: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


async def has_geography_index(client: Any) -> bool:
    """Whether migration 0002 found PostGIS and built the GiST index (asked once per process and database;
    SQLite has its R*Tree instead)."""
    if client.capabilities.dialect == "sqlite":
        return False
    root = _root_client(client)
    known = _geography_index_known.get(root)
    if known is None:
        rows = await client.execute_query_dict("SELECT to_regclass('report_geog_idx') IS NOT NULL AS present")
        known = _geography_index_known[root] = bool(rows and rows[0]["present"])
    return known


def _root_client(client: Any) -> Any:
    """The pool-owning client behind a transaction's wrapper (tortoise keeps it as `_parent`), so a
    query inside a transaction shares the answer of the queries outside it."""
    while (parent := getattr(client, "_parent", None)) is not None:
        client = parent
    return client


def placeholders_for(dialect: str, sql: str) -> str:
    """SQL written with '?' placeholders, in `dialect`'s style: PostgreSQL takes $1, $2, ...
    (our fragments hold no '?' in literals)."""
    if dialect == "sqlite":
        return sql
    parts = sql.split("?")
    return "".join(part + (f"${index}" if index < len(parts) else "") for index, part in enumerate(parts, 1))


def in_list(column: str, values: Iterable[str]) -> Filter:
    listed = sorted(values)
    return f"{column} IN ({', '.join('?' * len(listed))})", listed
