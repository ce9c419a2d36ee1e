"""The kernel grid's cells as the forecast model needs them: a dense numbering and a neighbour table.

Neighbours are the cells whose outlines touch (edges or corners), whatever the mix: drawn cells next to drawn
cells, H3 hexagons next to hexagons, and drawn cells next to the hexagons that fill in around the city.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import h3
import numpy as np
from shapely.geometry.base import BaseGeometry

from bot.city.grid import H3_PREFIX, Grid
from forecast.cells import NO_NEIGHBOUR
from forecast.model import IntArray

#: Outlines closer than this (degrees, about 1 cm) touch: drawn grids are rarely snapped exactly.
TOUCH_DEG = 1e-7
#: Cells looked at around one drawn cell (its bounding box holds a handful; this only guards odd shapes).
MAX_AROUND = 64


def _touching(grid: Grid, key: str, outline: BaseGeometry) -> list[str]:
    west, south, east, north = outline.bounds
    pad = TOUCH_DEG * 10
    around = grid.cells_in_bbox(south - pad, west - pad, north + pad, east + pad, limit=MAX_AROUND)
    grown = outline.buffer(TOUCH_DEG)
    found = []
    for other in around:
        geometry = grid.geometry(other)
        if other != key and geometry is not None and grown.intersects(geometry):
            found.append(other)
    return found


def neighbours_of(grid: Grid, key: str) -> list[str]:
    """The cells around `key` (sorted); an H3 hexagon's ring, with any drawn cell covering one in its place."""
    if key.startswith(H3_PREFIX):
        index = key.removeprefix(H3_PREFIX)
        ring = (other for other in h3.grid_disk(index, 1) if other != index)
        return sorted({grid.locate(*h3.cell_to_latlng(other)).cell for other in ring} - {key})
    outline = grid.geometry(key)
    return sorted(_touching(grid, key, outline)) if outline is not None else []


@dataclass(frozen=True)
class CellTable:
    """Cells numbered 0..C-1 in key order, with the model's neighbour table (dense numbers, padded)."""

    keys: tuple[str, ...]
    neighbours: IntArray

    def __len__(self) -> int:
        return len(self.keys)

    def number(self) -> dict[str, int]:
        return {key: number for number, key in enumerate(self.keys)}


def cell_table(grid: Grid, keys: Iterable[str]) -> CellTable:
    """The cells of `keys` and their neighbours (so a quiet cell next to a busy one can still rank)."""
    own = set(keys)
    around = {key: neighbours_of(grid, key) for key in sorted(own)}
    every = sorted(own | {other for others in around.values() for other in others})
    number = {key: n for n, key in enumerate(every)}
    lists = [[number[o] for o in around.get(key) or neighbours_of(grid, key) if o in number] for key in every]
    width = max((len(row) for row in lists), default=0)
    table = np.full((len(every), max(width, 1)), NO_NEIGHBOUR, dtype=np.int64)
    for row, found in enumerate(lists):
        table[row, : len(found)] = found
    return CellTable(tuple(every), table)
