"""Areas (grid cells / districts) from a GeoJSON FeatureCollection: which area contains a point."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

#: Demo districts shipped with the product so `make run` has queues to show; deployments set AREAS_GEOJSON.
DEFAULT_AREAS_FILE = Path(__file__).resolve().parents[1] / "data" / "areas.geojson"


@dataclass(frozen=True)
class Area:
    key: str  #: stable id stored on reports (properties.key)
    name: str  #: English name (properties.name)
    name_zh: str  #: Chinese name (properties.name_zh, else the English one)
    geometry: PreparedGeometry

    def label(self, locale: str) -> str:
        return self.name_zh if locale == "zh_CN" else self.name


class Areas:
    """All configured areas; the first one containing a point wins (files should not overlap)."""

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self.by_key = {area.key: area for area in areas}

    @classmethod
    def from_file(cls, path: Path | None) -> Areas:
        if path is None or not path.exists():
            return cls([])
        data = json.loads(path.read_text(encoding="utf-8"))
        areas = []
        for index, feature in enumerate(data.get("features", [])):
            props = feature.get("properties") or {}
            key = str(props.get("key") or props.get("id") or f"area-{index}")
            name = str(props.get("name") or key)
            areas.append(Area(key, name, str(props.get("name_zh") or name), prep(shape(feature["geometry"]))))
        return cls(areas)

    def area_for(self, lat: float, lon: float) -> str | None:
        point = Point(lon, lat)
        return next((area.key for area in self.areas if area.geometry.covers(point)), None)

    def label(self, key: str | None, locale: str) -> str:
        area = self.by_key.get(key or "")
        return area.label(locale) if area else (key or "-")
