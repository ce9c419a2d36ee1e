"""The kernel grid's cells for the forecast: neighbours of drawn cells and of H3 hexagons, the dense table."""

from __future__ import annotations

import h3

from forecast.cells import NO_NEIGHBOUR
from hotspots.cells import cell_table, neighbours_of
from tests.factories import DEMO_GRID


def test_a_drawn_cell_has_the_eight_cells_around_it() -> None:
    # huangpu-0402 is row 4, column 2 of Huangpu's 0.01° cells.
    assert neighbours_of(DEMO_GRID, "huangpu-0402") == [
        "huangpu-0301",
        "huangpu-0302",
        "huangpu-0303",
        "huangpu-0401",
        "huangpu-0403",
        "huangpu-0501",
        "huangpu-0502",
        "huangpu-0503",
    ]


def test_cells_on_a_district_border_touch_the_next_districts_cells() -> None:
    around = neighbours_of(DEMO_GRID, "huangpu-0101")
    assert {"huangpu-0102", "huangpu-0201", "huangpu-0202"} <= set(around)
    assert any(key.startswith("xuhui-") for key in around)


def test_an_h3_cell_outside_the_drawn_city_has_its_six_hexagons() -> None:
    index = h3.latlng_to_cell(31.30, 121.60, 8)
    expected = sorted("h3:" + other for other in h3.grid_disk(index, 1) if other != index)
    assert neighbours_of(DEMO_GRID, "h3:" + index) == expected


def test_the_table_numbers_the_cells_and_their_ring_in_key_order() -> None:
    table = cell_table(DEMO_GRID, ["huangpu-0402"])
    assert len(table) == 9 and list(table.keys) == sorted(table.keys)
    centre = table.keys.index("huangpu-0402")
    assert sorted(int(n) for n in table.neighbours[centre]) == [n for n in range(9) if n != centre]
    corner = table.keys.index("huangpu-0301")
    # The ring's own neighbours outside the table are left out (padded).
    assert NO_NEIGHBOUR in table.neighbours[corner].tolist()
