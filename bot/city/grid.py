"""The city's grid: every place belongs to a district, a street (or town) and a grid cell.

Cells come from the city's own grid, a GeoJSON FeatureCollection whose features carry `properties.key`,
`name`, `name_zh`, `level` ("district", "street" or "cell") and `parent` (the key of the unit one level up).
A flat file with no `level` is read as districts only (the older AREAS_GEOJSON shape). Wherever the city has
no cell (or no street) polygon covering a point, H3 hexagons fill in: the cell is the H3 cell at
`h3_resolution`, the street its H3 parent two resolutions up. H3 keys are `h3:<index>`, so a key names the same
place in every process and every run.

Everything here is pure and loaded once per process (prepared polygons in an STR-tree), so locating a point
is a few microseconds even for a city with tens of thousands of cells.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import h3
import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from bot.reports.areas import Area, Areas

#: The demo city shipped with the product (three districts, their streets and 500 m cells in central
#: Shanghai) so `make run` has a grid to show; deployments set GRID_GEOJSON.
DEMO_CITY_FILE = Path(__file__).resolve().parents[1] / "data" / "demo_city.geojson"
H3_PREFIX = "h3:"
#: An H3 street is this many resolutions coarser than the H3 cell (res 8 cells ≈ 0.74 km², streets ≈ 36 km²).
H3_STREET_STEP = 2


class Level(StrEnum):
    DISTRICT = "district"  #: 区: the unit staff are scoped to and bulletins count by
    STREET = "street"  #: 街道 / 镇: a district's subdivision
    CELL = "cell"  #: 网格: the smallest unit, graded red / orange / yellow / blue


@dataclass(frozen=True)
class GridUnit:
    key: str
    level: Level
    name: str
    name_zh: str
    parent: str | None
    geometry: BaseGeometry = field(repr=False)
    prepared: PreparedGeometry = field(repr=False, compare=False)

    def label(self, locale: str) -> str:
        return self.name_zh if locale == "zh_CN" else self.name


@dataclass(frozen=True)
class Place:
    """Where a point lies: its district (None outside every district), street and cell."""

    district: str | None
    street: str | None
    cell: str

    def keys(self) -> list[str]:
        """Its units from the cell up to the district."""
        return [key for key in (self.cell, self.street, self.district) if key]


class GridError(ValueError):
    """The grid file is not a usable grid; the message names the feature and what is wrong."""


def _unit(index: int, feature: dict[str, Any]) -> GridUnit:
    props = feature.get("properties") or {}
    key = str(props.get("key") or props.get("id") or f"area-{index}")
    if key.startswith(H3_PREFIX):
        raise GridError(f"feature {index}: key {key!r} is reserved for automatic H3 cells")
    try:
        level = Level(str(props.get("level") or Level.DISTRICT))
    except ValueError as error:
        raise GridError(f"feature {key}: level must be district, street or cell") from error
    geometry = shape(feature["geometry"])
    name = str(props.get("name") or key)
    parent = props.get("parent")
    return GridUnit(
        key, level, name, str(props.get("name_zh") or name), str(parent) if parent else None, geometry, prep(geometry)
    )


def _check_hierarchy(units: dict[str, GridUnit]) -> None:
    above = {Level.STREET: Level.DISTRICT, Level.CELL: Level.STREET}
    for unit in units.values():
        if unit.level is Level.DISTRICT:
            continue
        parent = units.get(unit.parent or "")
        if parent is None:
            raise GridError(f"{unit.level} {unit.key}: its parent {unit.parent!r} is not in the file")
        if parent.level not in (above[unit.level], Level.DISTRICT):
            raise GridError(f"{unit.level} {unit.key}: its parent {parent.key} is a {parent.level}")


class _Layer:
    """The polygons of one level, in an STR-tree: which one covers a point, which ones meet a box."""

    def __init__(self, units: Sequence[GridUnit]) -> None:
        self.units = list(units)
        self.tree = STRtree([unit.geometry for unit in self.units]) if self.units else None

    def covering(self, lat: float, lon: float) -> GridUnit | None:
        if self.tree is None:
            return None
        point = Point(lon, lat)
        hits = sorted(int(i) for i in self.tree.query(point))
        return next((self.units[i] for i in hits if self.units[i].prepared.covers(point)), None)

    def covering_many(self, points: Any) -> list[GridUnit | None]:
        """`covering` for an array of points at once (one vectorised tree query; same lowest-index rule)."""
        found: list[GridUnit | None] = [None] * len(points)
        if self.tree is None or not len(points):
            return found
        point_index, unit_index = self.tree.query(points, predicate="intersects")  # a point meets what covers it
        order = np.lexsort((unit_index, point_index))
        for point, unit in zip(point_index[order].tolist(), unit_index[order].tolist(), strict=True):
            if found[point] is None:
                found[point] = self.units[unit]
        return found

    def meeting(self, bbox: BaseGeometry) -> list[GridUnit]:
        if self.tree is None:
            return []
        return [self.units[int(i)] for i in sorted(self.tree.query(bbox, predicate="intersects"))]


class Grid:
    """The city's units by level, with H3 filling in where the city drew no cell or street."""

    def __init__(self, units: Iterable[GridUnit], h3_resolution: int = 8) -> None:
        if not 3 <= h3_resolution <= 12:
            raise GridError("the H3 resolution must be between 3 and 12")
        self.h3_resolution = h3_resolution
        self.units = {unit.key: unit for unit in units}
        _check_hierarchy(self.units)
        self.layers = {level: _Layer([u for u in self.units.values() if u.level is level]) for level in Level}
        self.districts = Areas(
            [Area(u.key, u.name, u.name_zh, u.prepared) for u in self.units.values() if u.level is Level.DISTRICT]
        )

    @classmethod
    def from_file(cls, path: Path | None, h3_resolution: int = 8) -> Grid:
        if path is None or not path.exists():
            return cls([], h3_resolution)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([_unit(i, feature) for i, feature in enumerate(data.get("features", []))], h3_resolution)

    def locate(self, lat: float, lon: float) -> Place:
        """The district, street and cell of a WGS-84 point (its innermost drawn unit decides the parents)."""
        cell = self.layers[Level.CELL].covering(lat, lon)
        if cell is not None:
            street = self.units.get(cell.parent or "")
            return self._place_from(street, cell.key) if street else Place(None, None, cell.key)
        hexagon = h3.latlng_to_cell(lat, lon, self.h3_resolution)
        street = self.layers[Level.STREET].covering(lat, lon)
        if street is not None:
            return self._place_from(street, H3_PREFIX + hexagon)
        district = self.layers[Level.DISTRICT].covering(lat, lon)
        h3_street = H3_PREFIX + h3.cell_to_parent(hexagon, max(self.h3_resolution - H3_STREET_STEP, 0))
        return Place(district.key if district else None, h3_street, H3_PREFIX + hexagon)

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[Place]:
        """`locate` for many points at once, with the same answers: one vectorised query per level instead of
        one per point (bulk imports place a million rows; `locate` alone would take a minute and a half)."""
        places: list[Place | None] = [None] * len(lats)
        cells = self.layers[Level.CELL].covering_many(shapely.points(lons, lats))
        rest = []
        for index, cell in enumerate(cells):
            if cell is None:
                rest.append(index)
                continue
            street = self.units.get(cell.parent or "")
            places[index] = self._place_from(street, cell.key) if street else Place(None, None, cell.key)
        points = shapely.points([lons[i] for i in rest], [lats[i] for i in rest])
        streets = self.layers[Level.STREET].covering_many(points)
        districts = self.layers[Level.DISTRICT].covering_many(points)
        to_cell, resolution = h3.latlng_to_cell, self.h3_resolution
        h3_streets: dict[str, str] = {}  # many points share a hexagon: its parent is looked up once
        for index, street, district in zip(rest, streets, districts, strict=True):
            hexagon = to_cell(lats[index], lons[index], resolution)
            if street is not None:
                places[index] = self._place_from(street, H3_PREFIX + hexagon)
                continue
            h3_street = h3_streets.get(hexagon)
            if h3_street is None:
                h3_street = h3_streets[hexagon] = H3_PREFIX + h3.cell_to_parent(
                    hexagon, max(resolution - H3_STREET_STEP, 0)
                )
            places[index] = Place(district.key if district else None, h3_street, H3_PREFIX + hexagon)
        return [place for place in places if place is not None]

    def _place_from(self, unit: GridUnit, cell: str) -> Place:
        if unit.level is Level.DISTRICT:  # a cell drawn straight under a district
            return Place(unit.key, None, cell)
        return Place(unit.parent, unit.key, cell)

    def level(self, key: str) -> Level | None:
        if key.startswith(H3_PREFIX):
            return self._h3_level(key)
        unit = self.units.get(key)
        return unit.level if unit else None

    def _h3_level(self, key: str) -> Level | None:
        index = key.removeprefix(H3_PREFIX)
        if not h3.is_valid_cell(index):
            return None
        resolution = h3.get_resolution(index)
        if resolution == self.h3_resolution:
            return Level.CELL
        return Level.STREET if resolution == self.h3_resolution - H3_STREET_STEP else None

    def parent(self, key: str) -> str | None:
        """The unit one level up (an H3 cell's parent is found from its centre, like a point's)."""
        if key in self.units:
            return self.units[key].parent
        level = self.level(key)
        if level is None:
            return None
        place = self.locate(*self.centre(key))
        return place.street if level is Level.CELL else place.district

    def district_of(self, key: str) -> str | None:
        """The district a unit lies in (itself for a district); None outside every district."""
        for _ in Level:  # at most two steps up: cell -> street -> district
            if self.level(key) is Level.DISTRICT:
                return key
            parent = self.parent(key)
            if parent is None:
                return None
            key = parent
        return key if self.level(key) is Level.DISTRICT else None

    def label(self, key: str | None, locale: str) -> str:
        if not key:
            return "-"
        unit = self.units.get(key)
        if unit is not None:
            return unit.label(locale)
        return key.removeprefix(H3_PREFIX) if key.startswith(H3_PREFIX) else key

    def geometry(self, key: str) -> BaseGeometry | None:
        """The unit's outline (lon/lat, as GeoJSON has it)."""
        if key in self.units:
            return self.units[key].geometry
        if self.level(key) is None:
            return None
        ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(key.removeprefix(H3_PREFIX))]
        return shape({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})

    def geojson_geometry(self, key: str) -> dict[str, Any] | None:
        geometry = self.geometry(key)
        return dict(mapping(geometry)) if geometry is not None else None

    def centre(self, key: str) -> tuple[float, float]:
        """(lat, lon) of a point inside the unit (its representative point, or the H3 cell's centre)."""
        if key in self.units:
            point = self.units[key].geometry.representative_point()
            return float(point.y), float(point.x)
        lat, lon = h3.cell_to_latlng(key.removeprefix(H3_PREFIX))
        return float(lat), float(lon)

    def children(self, key: str) -> list[str]:
        """The drawn units whose parent is `key` (H3 fill-ins are not enumerated)."""
        return sorted(unit.key for unit in self.units.values() if unit.parent == key)

    def cells_in_bbox(self, south: float, west: float, north: float, east: float, *, limit: int) -> list[str]:
        """The cells meeting a lon/lat box: drawn ones, plus H3 cells where none is drawn; at most `limit`.

        A box that would hold more than `limit` H3 cells gets the drawn ones only: a map that far out
        shows districts, not cells."""
        bbox = box(west, south, east, north)
        drawn = [unit.key for unit in self.layers[Level.CELL].meeting(bbox)]
        if len(drawn) >= limit or self._h3_cells_in(bbox) > limit:
            return drawn[:limit]
        hexagons = sorted(h3.h3shape_to_cells(h3.geo_to_h3shape(mapping(bbox)), self.h3_resolution))
        uncovered = [H3_PREFIX + index for index in hexagons if not self._drawn_cell_covers(H3_PREFIX + index)]
        return (drawn + uncovered)[:limit]

    def _h3_cells_in(self, bbox: BaseGeometry) -> float:
        """About how many H3 cells cover the box (its area over a cell's, on a locally flat earth)."""
        west, south, east, north = (float(value) for value in bbox.bounds)
        km_per_deg = 111.32
        width_km = (east - west) * km_per_deg * math.cos(math.radians((south + north) / 2))
        area_km2 = width_km * (north - south) * km_per_deg
        return area_km2 / float(h3.average_hexagon_area(self.h3_resolution, unit="km^2"))

    def _drawn_cell_covers(self, h3_key: str) -> bool:
        lat, lon = self.centre(h3_key)
        return self.layers[Level.CELL].covering(lat, lon) is not None

    def units_of(self, level: Level) -> list[GridUnit]:
        return list(self.layers[level].units)
