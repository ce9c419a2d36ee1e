"""Location checks: what counts as a usable position, and the configured service area."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

#: Positions this close to 0,0 are a "no fix" written as zeros, not a place anyone reports from.
NULL_ISLAND_TOLERANCE_DEG = 1e-6
EARTH_RADIUS_M = 6_371_008.8


class LocationProblem(StrEnum):
    NULL_ISLAND = "null_island"
    OUT_OF_RANGE = "out_of_range"
    OUTSIDE_SERVICE_AREA = "outside_service_area"


class ServiceArea:
    """A (Multi)Polygon from a GeoJSON file; `None` file means every valid point is inside."""

    def __init__(self, geometry: BaseGeometry | None) -> None:
        self._prepared: PreparedGeometry | None = prep(geometry) if geometry is not None else None

    @classmethod
    def from_file(cls, path: Path | None) -> ServiceArea:
        if path is None:
            return cls(None)
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("type") == "FeatureCollection":
            data = data["features"][0]["geometry"]
        elif data.get("type") == "Feature":
            data = data["geometry"]
        return cls(shape(data))

    def contains(self, lat: float, lon: float) -> bool:
        return self._prepared is None or self._prepared.covers(Point(lon, lat))


def check_position(lat: float, lon: float, area: ServiceArea) -> LocationProblem | None:
    """Return why a position is unusable, or None when it can be used."""
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return LocationProblem.OUT_OF_RANGE
    if abs(lat) < NULL_ISLAND_TOLERANCE_DEG and abs(lon) < NULL_ISLAND_TOLERANCE_DEG:
        return LocationProblem.NULL_ISLAND
    if not area.contains(lat, lon):
        return LocationProblem.OUTSIDE_SERVICE_AREA
    return None


def parse_typed_position(text: str) -> tuple[float, float] | None:
    """Read "lat, lon" typed by a person ("31.23, 121.47", "31.23 121.47"); None if it is not that."""
    cleaned = text.replace("，", ",").replace(";", ",").strip()
    parts = [part for part in cleaned.replace(",", " ").split() if part]
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to centimetres at city scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
