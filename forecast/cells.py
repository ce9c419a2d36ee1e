"""Cells for forecasts: square metric cells or H3 hexagons, their neighbours and their areas.

Every grid maps points to integer cell keys (int64) that depend only on the point and the grid's fixed
parameters, never on other data: a key means the same place in every run, and sorting by key is a
deterministic, data-independent tie-break.

`SquareGrid` projects with the Lambert cylindrical equal-area projection whose standard parallel and central
meridian pass through a fixed centre (the city's): on the sphere every cell covers exactly `cell_m`² (areas and
PAI are exact), and within about 50 km of the centre the cells are squares to better than 1% (the projection
stretches east-west by 1/cos(lat)·cos(lat0) away from the standard parallel, north-south by the inverse).
It is meant for one city, not for a continent.

`H3Grid` uses Uber's H3 (v4 API) at a fixed resolution; its keys are the H3 indices as integers.

`CellIndex` numbers a set of cells densely (0..C-1, in key order) and holds their neighbour table, the shape
the model works on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import h3
import numpy as np
from numpy.typing import NDArray

#: Mean radius of the WGS-84 ellipsoid (IUGG), metres: the sphere the square grid is drawn on.
EARTH_RADIUS_M = 6_371_008.8
#: Square cell coordinates are packed as two biased 32-bit halves; |ix|, |iy| must stay below this.
_SQUARE_BIAS = 1 << 30
NO_NEIGHBOUR = -1


class Grid(Protocol):
    """What the backtest and the production forecast need from a grid."""

    @property
    def name(self) -> str: ...

    @property
    def max_neighbours(self) -> int: ...

    def cell_keys(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]: ...

    def neighbour_keys(self, key: int) -> list[int]: ...

    def area_km2(self, key: int) -> float: ...

    def label(self, key: int) -> str: ...

    def boundary(self, key: int) -> list[tuple[float, float]]: ...

    def centre(self, key: int) -> tuple[float, float]: ...


@dataclass(frozen=True)
class SquareGrid:
    """Square cells of side `cell_m` metres on an equal-area projection centred on (`centre_lat`, `centre_lon`).

    Keep the centre fixed in configuration (e.g. the city hall): moving it moves every cell boundary.
    """

    cell_m: float
    centre_lat: float
    centre_lon: float

    def __post_init__(self) -> None:
        if not self.cell_m > 0:
            raise ValueError("cell_m must be positive")
        if not -80.0 <= self.centre_lat <= 80.0:
            raise ValueError("the square grid's centre must lie between 80°S and 80°N")

    @property
    def name(self) -> str:
        return f"square {self.cell_m:g} m"

    @property
    def max_neighbours(self) -> int:
        return 8

    def _project(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        phi0 = math.radians(self.centre_lat)
        # Wrap longitudes into -180..180 around the centre so that a city on the antimeridian stays contiguous.
        dlon = (np.asarray(lon, dtype=np.float64) - self.centre_lon + 180.0) % 360.0 - 180.0
        x_m = EARTH_RADIUS_M * math.cos(phi0) * np.radians(dlon)
        y_m = EARTH_RADIUS_M * (np.sin(np.radians(np.asarray(lat, dtype=np.float64))) - math.sin(phi0)) / math.cos(phi0)
        return x_m, y_m

    def cell_keys(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
        x_m, y_m = self._project(lat, lon)
        ix = np.floor(x_m / self.cell_m).astype(np.int64)
        iy = np.floor(y_m / self.cell_m).astype(np.int64)
        if ix.size and max(int(np.abs(ix).max()), int(np.abs(iy).max())) >= _SQUARE_BIAS:
            raise ValueError("a point lies too far from the grid's centre for this cell size")
        return ((ix + _SQUARE_BIAS) << 32) | (iy + _SQUARE_BIAS)

    @staticmethod
    def column_row(key: int) -> tuple[int, int]:
        """The cell's column (east, + going east) and row (+ going north) counted from the centre's cell."""
        return (key >> 32) - _SQUARE_BIAS, (key & 0xFFFFFFFF) - _SQUARE_BIAS

    @staticmethod
    def key_of(column: int, row: int) -> int:
        return ((column + _SQUARE_BIAS) << 32) | (row + _SQUARE_BIAS)

    def neighbour_keys(self, key: int) -> list[int]:
        """The 8 cells sharing a side or a corner."""
        column, row = self.column_row(key)
        return [self.key_of(column + dx, row + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]

    def area_km2(self, key: int) -> float:
        return self.cell_m * self.cell_m / 1e6

    def label(self, key: int) -> str:
        column, row = self.column_row(key)
        return f"sq{self.cell_m:g}:{column}:{row}"

    def _unproject(self, x_m: float, y_m: float) -> tuple[float, float]:
        phi0 = math.radians(self.centre_lat)
        lat = math.degrees(math.asin(y_m * math.cos(phi0) / EARTH_RADIUS_M + math.sin(phi0)))
        lon = self.centre_lon + math.degrees(x_m / (EARTH_RADIUS_M * math.cos(phi0)))
        return lat, (lon + 180.0) % 360.0 - 180.0

    def boundary(self, key: int) -> list[tuple[float, float]]:
        """The cell's corners as (lat, lon), counter-clockwise from the south-west one."""
        column, row = self.column_row(key)
        corners = [(column, row), (column + 1, row), (column + 1, row + 1), (column, row + 1)]
        return [self._unproject(cx * self.cell_m, cy * self.cell_m) for cx, cy in corners]

    def centre(self, key: int) -> tuple[float, float]:
        column, row = self.column_row(key)
        return self._unproject((column + 0.5) * self.cell_m, (row + 0.5) * self.cell_m)


@dataclass(frozen=True)
class H3Grid:
    """H3 hexagons at `resolution` (8: about 0.74 km², 9: about 0.1 km²); neighbours are `grid_disk` ring 1."""

    resolution: int

    def __post_init__(self) -> None:
        if not 0 <= self.resolution <= 15:
            raise ValueError("an H3 resolution is 0..15")

    @property
    def name(self) -> str:
        return f"H3 res {self.resolution}"

    @property
    def max_neighbours(self) -> int:
        return 6

    def cell_keys(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
        cells = [h3.latlng_to_cell(la, lo, self.resolution) for la, lo in zip(lat.tolist(), lon.tolist(), strict=True)]
        # H3 indices keep their top bit clear, so they fit in int64 unchanged.
        return np.array([h3.str_to_int(cell) for cell in cells], dtype=np.int64)

    def neighbour_keys(self, key: int) -> list[int]:
        """The 6 hexagons around (5 around one of H3's twelve pentagons)."""
        cell = h3.int_to_str(key)
        return sorted(h3.str_to_int(other) for other in h3.grid_disk(cell, 1) if other != cell)

    def area_km2(self, key: int) -> float:
        return float(h3.cell_area(h3.int_to_str(key), "km^2"))

    def label(self, key: int) -> str:
        return str(h3.int_to_str(key))

    def boundary(self, key: int) -> list[tuple[float, float]]:
        return [(float(lat), float(lon)) for lat, lon in h3.cell_to_boundary(h3.int_to_str(key))]

    def centre(self, key: int) -> tuple[float, float]:
        lat, lon = h3.cell_to_latlng(h3.int_to_str(key))
        return float(lat), float(lon)


@dataclass(frozen=True)
class CellIndex:
    """A set of cells numbered 0..C-1 in key order, with a neighbour table of dense numbers.

    `neighbours[c]` lists the numbers of cell c's neighbours that are in the set, padded with `NO_NEIGHBOUR`.
    """

    grid: Grid
    keys: NDArray[np.int64]
    neighbours: NDArray[np.int64]
    area_km2: NDArray[np.float64]

    @classmethod
    def covering(cls, grid: Grid, keys: NDArray[np.int64], *, with_ring: bool = True) -> CellIndex:
        """The cells of `keys` and (with `with_ring`) every neighbour of theirs, so that a cell with no event
        of its own but events next door can still be ranked."""
        own = np.unique(np.asarray(keys, dtype=np.int64))
        if with_ring:
            ring = [other for key in own.tolist() for other in grid.neighbour_keys(key)]
            own = np.unique(np.concatenate([own, np.array(ring, dtype=np.int64)]))
        return cls.of_keys(grid, own)

    @classmethod
    def of_keys(cls, grid: Grid, keys: NDArray[np.int64]) -> CellIndex:
        """Exactly these cells (deduplicated and sorted)."""
        sorted_keys = np.unique(np.asarray(keys, dtype=np.int64))
        neighbours = np.full((sorted_keys.size, grid.max_neighbours), NO_NEIGHBOUR, dtype=np.int64)
        for number, key in enumerate(sorted_keys.tolist()):
            found = _positions_or_missing(sorted_keys, np.array(grid.neighbour_keys(key), dtype=np.int64))
            found = found[found != NO_NEIGHBOUR]
            neighbours[number, : found.size] = found
        area = np.array([grid.area_km2(key) for key in sorted_keys.tolist()], dtype=np.float64)
        return cls(grid=grid, keys=sorted_keys, neighbours=neighbours, area_km2=area)

    def __len__(self) -> int:
        return int(self.keys.size)

    def positions(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """The dense numbers of `keys`; `NO_NEIGHBOUR` (-1) for a key not in the set."""
        return _positions_or_missing(self.keys, np.asarray(keys, dtype=np.int64))


def _positions_or_missing(sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]) -> NDArray[np.int64]:
    if sorted_keys.size == 0:
        return np.full(keys.shape, NO_NEIGHBOUR, dtype=np.int64)
    at = np.searchsorted(sorted_keys, keys).clip(0, sorted_keys.size - 1)
    return np.where(sorted_keys[at] == keys, at, NO_NEIGHBOUR).astype(np.int64)
