"""The map's data per viewport, as GeoJSON: grid cells filled by level, open reports (or counts per square
when a viewport holds too many to draw), and the forecast layer; always within the reader's scope.

Positions are stored in WGS-84; with `datum="gcj02"` everything sent is shifted for Chinese tiles, and the
viewport asked about is shifted back first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.city.grid import H3_PREFIX, Grid
from bot.city.models import CellForecast
from bot.reports.models import Report
from bot.reports.spatial import BoundingBox, Filter, counts_in_box, in_list, open_reports_in_box, rows_in_box
from bot.reports.statuses import OPEN_STATUSES, Status
from risk.datum import gcj02_to_wgs84, wgs84_to_gcj02
from risk.levels import RiskLevel
from risk.models import CellRisk
from risk.scope import Scope

#: Cells drawn per viewport at most (a city-wide view shows the drawn cells and the H3 cells holding a
#: level, not every H3 hexagon: at that zoom each would be a few pixels).
CELL_LIMIT = 600
#: Cell outlines kept per process (a few hundred bytes each).
SHAPES_KEPT = 50_000
#: A crowded viewport is cut into this many squares a side, each drawn as one count.
COUNT_GRID = 24
PERIODS_D = (7, 30, 90, 365)
#: The viewport is widened by this share on each side, so markers at the edge do not pop in and out.
MARGIN = 0.02


class BadViewportError(ValueError):
    """The `bbox` parameter is not four numbers west,south,east,north inside the world."""


@dataclass(frozen=True)
class Viewport:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, bbox: str, datum: str) -> Viewport:
        """Leaflet's `toBBoxString()` ("west,south,east,north") in the map's datum, as WGS-84."""
        try:
            west, south, east, north = (float(part) for part in bbox.split(","))
        except ValueError:
            raise BadViewportError(bbox) from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise BadViewportError(bbox)
        if datum == "gcj02":
            south, west = gcj02_to_wgs84(south, west)
            north, east = gcj02_to_wgs84(north, east)
        d_lat, d_lon = (north - south) * MARGIN, (east - west) * MARGIN
        return cls(max(-90, south - d_lat), max(-180, west - d_lon), min(90, north + d_lat), min(180, east + d_lon))

    @property
    def box(self) -> BoundingBox:
        return BoundingBox(self.south, self.north, self.west, self.east)

    def holds(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True)
class MapFilter:
    """The report layer's filters, from the query string; unknown values fall back to the defaults."""

    status: str = "open"  #: "open", "all", or one status
    category: str = ""
    agency: str = ""
    period_d: int | None = None  #: reports filed in the last so many days; None: any time

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> MapFilter:
        status = query.get("status", "open")
        period = query.get("period", "")
        return cls(
            status=status if status in {"open", "all", *Status} else "open",
            category=query.get("category", "").strip(),
            agency=query.get("agency", "").strip(),
            period_d=int(period) if period.isdigit() and int(period) in PERIODS_D else None,
        )

    @property
    def open_only(self) -> bool:
        return self.status == "open" or self.status in OPEN_STATUSES

    def filters(self, now: datetime, scope: Scope) -> list[Filter]:
        if self.status == "open":
            filters = [in_list("r.status", OPEN_STATUSES)]
        elif self.status == "all":
            filters = []
        else:
            filters = [("r.status = ?", [self.status])]
        if self.category:
            filters.append(("r.category = ?", [self.category]))
        if self.agency:
            filters.append(("r.agency = ?", [self.agency]))
        if self.period_d is not None:
            filters.append(("r.created_at >= ?", [_db_time(now - timedelta(days=self.period_d))]))
        return filters + scope.report_filters()


def _db_time(moment: datetime) -> object:
    """A time as the database compares it: SQLite keeps tortoise's ISO text, PostgreSQL a timestamptz."""
    if Report._meta.db.capabilities.dialect == "sqlite":
        return moment.astimezone(UTC).isoformat(sep=" ")
    return moment


Shift = Callable[[float, float], tuple[float, float]]


def shift_of(datum: str) -> Shift:
    return wgs84_to_gcj02 if datum == "gcj02" else (lambda lat, lon: (lat, lon))


def _shifted_geometry(geometry: dict[str, Any], shift: Shift) -> dict[str, Any]:
    def ring(points: list[Any]) -> list[list[float]]:
        return [list(reversed(shift(lat, lon))) for lon, lat in points]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in p] for p in geometry["coordinates"]]}
    return geometry


def _point(lat: float, lon: float, shift: Shift) -> dict[str, Any]:
    shifted_lat, shifted_lon = shift(lat, lon)
    return {"type": "Point", "coordinates": [round(shifted_lon, 6), round(shifted_lat, 6)]}


def collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **extra}


async def _levelled_cells_in(viewport: Viewport, grid: Grid) -> list[str]:
    """H3 cells holding a level inside the viewport (a zoomed-out view enumerates only drawn cells)."""
    levelled = CellRisk.filter(cell__startswith=H3_PREFIX).exclude(level=RiskLevel.BLUE)
    keys = await levelled.values_list("cell", flat=True)
    return [str(key) for key in keys if viewport.holds(*grid.centre(str(key)))]


_shapes: dict[tuple[int, str, str], tuple[dict[str, Any], str | None] | None] = {}


def _cell_shape(grid: Grid, key: str, datum: str) -> tuple[dict[str, Any], str | None] | None:
    """A cell's outline (in the map's datum) and district, kept per process: a grid never changes while it
    runs, and working them out (H3 boundaries, locating the district) is most of a viewport's time."""
    cache_key = (id(grid), key, datum)
    if cache_key not in _shapes:
        if len(_shapes) >= SHAPES_KEPT:
            _shapes.clear()
        geometry = grid.geojson_geometry(key)
        shape = None if geometry is None else (_shifted_geometry(geometry, shift_of(datum)), grid.district_of(key))
        _shapes[cache_key] = shape
    return _shapes[cache_key]


async def cells_geojson(grid: Grid, viewport: Viewport, scope: Scope, *, datum: str, locale: str) -> dict[str, Any]:
    """The grid cells meeting the viewport, each with its level (blue where none is stored) and score."""
    keys = grid.cells_in_bbox(viewport.south, viewport.west, viewport.north, viewport.east, limit=CELL_LIMIT)
    keys = list(dict.fromkeys([*keys, *await _levelled_cells_in(viewport, grid)]))
    shapes = {key: shape for key in keys if (shape := _cell_shape(grid, key, datum)) and scope.sees_district(shape[1])}
    stored = {row.cell: row for row in await CellRisk.filter(cell__in=list(shapes))} if shapes else {}
    features = []
    for key, (geometry, district) in shapes.items():
        row = stored.get(key)
        properties = {
            "key": key,
            "label": grid.label(key, locale),
            "district": district,
            "level": row.level if row is not None else RiskLevel.BLUE.value,
            "score": round(row.score, 2) if row is not None else 0.0,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return collection(features)


async def reports_geojson(
    viewport: Viewport, wanted: MapFilter, scope: Scope, *, datum: str, now: datetime, max_points: int
) -> dict[str, Any]:
    """Open reports as points (clustered by the browser), or counts per square past `max_points`."""
    filters, shift = wanted.filters(now, scope), shift_of(datum)
    only_open = wanted.status == "open" and len(filters) == 1  # nothing but the open statuses filters
    crowded = only_open and await open_reports_in_box(viewport.box, up_to=max_points + 1) > max_points
    columns = "r.id, r.lat, r.lon, r.status, r.category"
    rows = (
        []
        if crowded
        else await rows_in_box(viewport.box, columns, filters, open_only=wanted.open_only, limit=max_points + 1)
    )
    if not crowded and len(rows) <= max_points:
        features = [
            {
                "type": "Feature",
                "geometry": _point(row["lat"], row["lon"], shift),
                "properties": {"id": row["id"], "status": row["status"], "category": row["category"]},
            }
            for row in rows
        ]
        return collection(features, counted=False)
    if only_open:  # the open index alone answers
        filters = []
    squares = await counts_in_box(viewport.box, COUNT_GRID, COUNT_GRID, filters, open_only=wanted.open_only)
    features = [
        {"type": "Feature", "geometry": _point(row["lat"], row["lon"], shift), "properties": {"count": row["n"]}}
        for row in squares
    ]
    return collection(features, counted=True)


async def forecast_geojson(
    grid: Grid, viewport: Viewport, scope: Scope, *, datum: str, now: datetime, locale: str
) -> dict[str, Any]:
    """The week's forecast (kernel table CellForecast, written by the hotspot feature): each forecast cell
    in the viewport with its expected count and rank; the page shades them by rank."""
    week = CellForecast.filter(period="week", period_start__lte=now, period_start__gt=now - timedelta(days=7))
    rows = {row.cell: row for row in await week.order_by("period_start")}  # the newest week's row wins
    shift, features = shift_of(datum), []
    for key, row in sorted(rows.items(), key=lambda item: item[1].rank):
        geometry = grid.geojson_geometry(key)
        if geometry is None or not viewport.holds(*grid.centre(key)) or not scope.sees_district(grid.district_of(key)):
            continue
        properties = {"key": key, "label": grid.label(key, locale), "expected": row.expected, "rank": row.rank}
        features.append({"type": "Feature", "geometry": _shifted_geometry(geometry, shift), "properties": properties})
    return collection(features)
