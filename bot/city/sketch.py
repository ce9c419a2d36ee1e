"""A small map of the grid around a point, drawn as SVG paths: where a report is, in which cell, what is near.

Staff decide from the report page without opening another map: no tiles (nothing fetched from elsewhere, nothing
the Content-Security-Policy would block), only the city's own grid cells and the points given, on a local flat
projection (a few hundred metres across, the earth's curve does not show).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from bot.city.grid import Grid

METRES_PER_DEGREE = 111_320.0
#: The most cells drawn: a sketch of a few hundred metres holds a handful.
MAX_CELLS = 60


@dataclass(frozen=True)
class SketchPoint:
    x: float
    y: float
    label: str  #: e.g. the report number
    kind: str  #: "here" (the report itself) or "near" (another report), for its CSS class


@dataclass(frozen=True)
class SketchCell:
    key: str
    path: str  #: the SVG path data of its outline
    here: bool  #: the cell the point lies in


@dataclass(frozen=True)
class Sketch:
    size_px: int
    half_side_m: float
    cells: list[SketchCell]
    points: list[SketchPoint]


class _Frame:
    """Lon/lat to pixels on a square of `size_px` centred on (lat, lon), `half_side_m` from centre to edge."""

    def __init__(self, lat: float, lon: float, half_side_m: float, size_px: int) -> None:
        self.lat, self.lon, self.size_px = lat, lon, size_px
        self.px_per_m = size_px / (2 * half_side_m)
        self.lon_m = METRES_PER_DEGREE * math.cos(math.radians(lat))

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.size_px / 2 + (lon - self.lon) * self.lon_m * self.px_per_m
        y = self.size_px / 2 - (lat - self.lat) * METRES_PER_DEGREE * self.px_per_m
        return round(x, 1), round(y, 1)

    def bbox(self, half_side_m: float) -> tuple[float, float, float, float]:
        """(south, west, north, east) of the square."""
        dlat, dlon = half_side_m / METRES_PER_DEGREE, half_side_m / self.lon_m
        return self.lat - dlat, self.lon - dlon, self.lat + dlat, self.lon + dlon

    def path(self, geometry: BaseGeometry) -> str:
        polygons = [geometry] if isinstance(geometry, Polygon) else list(getattr(geometry, "geoms", []))
        parts = []
        for polygon in polygons:
            if isinstance(polygon, Polygon):
                points = [self.xy(lat, lon) for lon, lat in polygon.exterior.coords]
                parts.append("M" + " L".join(f"{x} {y}" for x, y in points) + " Z")
        return " ".join(parts)


def sketch(
    grid: Grid,
    lat: float,
    lon: float,
    *,
    label: str,
    near: list[tuple[float, float, str]] | None = None,
    half_side_m: float = 300.0,
    size_px: int = 240,
) -> Sketch:
    """The cells meeting a square around (lat, lon), the point itself and the `near` points (lat, lon, label)
    that fall inside the square."""
    frame = _Frame(lat, lon, half_side_m, size_px)
    here = grid.locate(lat, lon).cell
    cells = []
    for key in grid.cells_in_bbox(*frame.bbox(half_side_m), limit=MAX_CELLS):
        geometry = grid.geometry(key)
        if geometry is not None:
            cells.append(SketchCell(key, frame.path(geometry), key == here))
    points = [SketchPoint(*frame.xy(lat, lon), label, "here")]
    for other_lat, other_lon, other_label in near or []:
        x, y = frame.xy(other_lat, other_lon)
        if 0 <= x <= size_px and 0 <= y <= size_px:
            points.append(SketchPoint(x, y, other_label, "near"))
    return Sketch(size_px, half_side_m, cells, points)
