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
    if dialect == "sqlite":
        # CROSS JOIN makes SQLite walk the R*Tree first, never the category or status index.
        rtree = "report_open_rtree" if open_only else "report_rtree"
        source = f"{rtree} AS box CROSS JOIN report AS r ON r.id = box.id"
        where = "box.min_lat <= ? AND box.max_lat >= ? AND box.min_lon <= ? AND box.max_lon >= ?"
        params: list[object] = [box.max_lat, box.min_lat, box.max_lon, box.min_lon]
    elif await _has_geography_index(client):
        source = "report AS r"
        where = (
            "ST_DWithin(geography(ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)), "
            "geography(ST_SetSRID(ST_MakePoint(?, ?), 4326)), ?)"
        )
        params = [lon, lat, radius_m * BOX_MARGIN]
    else:
        source = "report AS r"
        where = "r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?"
        params = [box.min_lat, box.max_lat, box.min_lon, box.max_lon]
    for condition, values in filters:
        where += f" AND {condition}"
        params.extend(values)
    sql = f"SELECT {columns} FROM {source} WHERE {where}"  # only our own fragments, values are bound
    return placeholders_for(dialect, sql), params


#: Whether each database (keyed by its root connection object) has the PostGIS index. Migration 0002
#: decides that once for good, so a process asks once rather than paying a round trip per query; an
#: index built later by hand is picked up at the next start.
_geography_index_known: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


async def _has_geography_index(client: Any) -> bool:
    """Whether migration 0002 found PostGIS and built the GiST index (asked once per process and database)."""
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
