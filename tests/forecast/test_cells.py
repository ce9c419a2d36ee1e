"""Cells: known points fall in known cells, neighbours, areas, the dense index."""

from __future__ import annotations

import math

import h3
import numpy as np
import pytest

from forecast.cells import NO_NEIGHBOUR, CellIndex, H3Grid, SquareGrid

CHICAGO = (41.88, -87.63)
#: Metres per degree of latitude (and of longitude at the equator) on the sphere the grid uses.
M_PER_DEGREE = 2 * math.pi * 6_371_008.8 / 360


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """A point so many metres north and east of the grid's centre (flat approximation: fine within 2 km)."""
    lat = CHICAGO[0] + north_m / M_PER_DEGREE
    return lat, CHICAGO[1] + east_m / (M_PER_DEGREE * math.cos(math.radians(CHICAGO[0])))


@pytest.mark.parametrize(
    ("north_m", "east_m", "column", "row"),
    [
        (250, 250, 0, 0),  # the centre's own cell is the one to its north-east
        (250, -250, -1, 0),
        (-250, 250, 0, -1),
        (1_300, 750, 1, 2),
        (-1_700, -1_200, -3, -4),
    ],
)
def test_square_points_fall_in_known_cells(north_m: float, east_m: float, column: int, row: int) -> None:
    grid = SquareGrid(500, *CHICAGO)
    lat, lon = offset(north_m, east_m)
    (key,) = grid.cell_keys(np.array([lat]), np.array([lon])).tolist()
    assert grid.column_row(key) == (column, row)
    assert grid.label(key) == f"sq500:{column}:{row}"


def test_square_cells_are_500_m_squares_of_a_quarter_km2() -> None:
    grid = SquareGrid(500, *CHICAGO)
    key = grid.key_of(3, -2)
    south_west, south_east, north_east, north_west = grid.boundary(key)
    assert haversine_m(south_west, south_east) == pytest.approx(500, rel=0.005)
    assert haversine_m(south_west, north_west) == pytest.approx(500, rel=0.005)
    assert haversine_m(south_west, north_east) == pytest.approx(500 * math.sqrt(2), rel=0.005)
    assert grid.area_km2(key) == 0.25
    centre_lat, centre_lon = grid.centre(key)
    assert grid.cell_keys(np.array([centre_lat]), np.array([centre_lon])).tolist() == [key]


def test_square_neighbours_are_the_eight_around() -> None:
    grid = SquareGrid(500, *CHICAGO)
    neighbours = {grid.column_row(key) for key in grid.neighbour_keys(grid.key_of(-1, 4))}
    assert neighbours == {(-2, 3), (-2, 4), (-2, 5), (-1, 3), (-1, 5), (0, 3), (0, 4), (0, 5)}


def test_h3_points_fall_in_their_hexagon_and_have_six_neighbours() -> None:
    grid = H3Grid(8)
    lat, lon = CHICAGO
    (key,) = grid.cell_keys(np.array([lat]), np.array([lon])).tolist()
    assert grid.label(key) == h3.latlng_to_cell(lat, lon, 8)
    neighbours = grid.neighbour_keys(key)
    assert len(neighbours) == 6
    assert all(h3.grid_distance(grid.label(key), grid.label(other)) == 1 for other in neighbours)
    assert grid.area_km2(key) == pytest.approx(0.74, rel=0.1)
    # A point 100 m from the hexagon's centre is in the same hexagon (res 8 hexagons are about 460 m across).
    centre_lat, centre_lon = grid.centre(key)
    near = grid.cell_keys(np.array([centre_lat + 100 / M_PER_DEGREE]), np.array([centre_lon]))
    assert near.tolist() == [key]
    assert len(grid.boundary(key)) == 6


def test_cell_index_covers_the_cells_and_their_ring() -> None:
    grid = SquareGrid(500, *CHICAGO)
    a, b = grid.key_of(0, 0), grid.key_of(10, 10)
    index = CellIndex.covering(grid, np.array([b, a, a], dtype=np.int64))
    assert len(index) == 18
    assert index.keys.tolist() == sorted(index.keys.tolist())
    position_a = int(index.positions(np.array([a]))[0])
    around_a = {int(index.keys[n]) for n in index.neighbours[position_a] if n != NO_NEIGHBOUR}
    assert around_a == set(grid.neighbour_keys(a))
    # A ring cell knows only the neighbours that are in the index: its centre cell and two ring cells.
    corner = int(index.positions(np.array([grid.key_of(1, 1)]))[0])
    known = {grid.column_row(int(index.keys[n])) for n in index.neighbours[corner] if n != NO_NEIGHBOUR}
    assert known == {(0, 0), (0, 1), (1, 0)}
    assert index.positions(np.array([grid.key_of(5, 5)])).tolist() == [NO_NEIGHBOUR]
    assert index.area_km2.tolist() == [0.25] * 18
