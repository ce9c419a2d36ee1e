"""The bulletin's city map as a PNG, drawn on the server with Pillow: no tiles, nothing fetched.

Districts are outlined, every drawn cell is filled by its level (blue where it has none), H3 cells with a
level are added, and the period's confirmed hazards are dots. The projection is plate carrée scaled by the
cosine of the middle latitude: at a city's size that is indistinguishable from Web Mercator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bot.city.grid import Grid, Level
from risk.levels import LEVEL_COLOURS, LEVELS_HIGH_FIRST, RiskLevel

WIDTH_PX = 1000
MARGIN_PX = 40
LEGEND_PX = 150
#: A CJK font for the title and legend where the machine has one (Debian's fonts-noto-cjk); else Pillow's own.
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)
POINT_COLOUR = (20, 20, 20)
OUTLINE_COLOUR = (40, 40, 40)
CELL_OUTLINE = (150, 150, 150)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


class Projection:
    """lon/lat to pixels for one extent."""

    def __init__(self, bounds: Sequence[float], width_px: int) -> None:
        west, south, east, north = bounds
        self.west, self.north = west, north
        self.x_scale = math.cos(math.radians((south + north) / 2))
        span = max((east - west) * self.x_scale, north - south, 1e-6)
        self.px_per_deg = (width_px - 2 * MARGIN_PX) / span
        self.height_px = int((north - south) * self.px_per_deg) + 2 * MARGIN_PX

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN_PX + (lon - self.west) * self.x_scale * self.px_per_deg
        return x, MARGIN_PX + (self.north - lat) * self.px_per_deg


def _rings(geometry: BaseGeometry) -> Iterable[list[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if hasattr(polygon, "exterior"):
            yield [(float(x), float(y)) for x, y in polygon.exterior.coords]


def _draw_unit(draw: ImageDraw.ImageDraw, project: Projection, geometry: BaseGeometry, **style: Any) -> None:
    for ring in _rings(geometry):
        draw.polygon([project(lon, lat) for lon, lat in ring], **style)


def render_map(
    grid: Grid, data: dict[str, Any], title: str, legend: dict[str, str], districts: set[str] | None
) -> bytes:
    """The PNG: `districts` (None: all) limits what is drawn to a scoped reader's part of the city."""
    levels = {cell["key"]: cell["level"] for cell in data["cells"]}
    shown_districts = [u for u in grid.units_of(Level.DISTRICT) if districts is None or u.key in districts]
    cell_keys = [u.key for u in grid.units_of(Level.CELL) if districts is None or grid.district_of(u.key) in districts]
    cell_keys += [key for key in levels if key not in grid.units and grid.geometry(key) is not None]
    shapes = [u.geometry for u in shown_districts] or [g for k in cell_keys if (g := grid.geometry(k)) is not None]
    points = [(p["lon"], p["lat"]) for p in data["points"]]
    if not shapes and not points:
        bounds: Sequence[float] = (0.0, 0.0, 1.0, 1.0)
    elif shapes:
        bounds = unary_union(shapes).bounds
    else:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        bounds = (min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01)
    project = Projection(bounds, WIDTH_PX)
    image = Image.new("RGB", (WIDTH_PX + LEGEND_PX, max(project.height_px, 260)), "white")
    draw = ImageDraw.Draw(image)
    for key in cell_keys:
        geometry = grid.geometry(key)
        if geometry is not None:
            fill = _rgb(LEVEL_COLOURS[RiskLevel(levels.get(key, RiskLevel.BLUE))])
            _draw_unit(draw, project, geometry, fill=fill, outline=CELL_OUTLINE)
    for unit in shown_districts:
        _draw_unit(draw, project, unit.geometry, outline=OUTLINE_COLOUR, width=3)
    for lon, lat in points:
        x, y = project(lon, lat)
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=POINT_COLOUR, outline="white")
    _legend(draw, title, legend)
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _legend(draw: ImageDraw.ImageDraw, title: str, legend: dict[str, str]) -> None:
    draw.text((MARGIN_PX, 8), title, fill="black", font=_font(20))
    x, y, font = WIDTH_PX, MARGIN_PX, _font(14)
    for level in LEVELS_HIGH_FIRST:
        draw.rectangle((x, y, x + 18, y + 18), fill=_rgb(LEVEL_COLOURS[level]), outline=CELL_OUTLINE)
        draw.text((x + 26, y), legend.get(level.value, level.value), fill="black", font=font)
        y += 28
    draw.ellipse((x + 5, y + 5, x + 13, y + 13), fill=POINT_COLOUR)
    draw.text((x + 26, y), legend.get("points", ""), fill="black", font=font)
