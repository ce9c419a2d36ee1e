"""The city's grid: drawn districts, streets and cells from the demo city file, H3 where none is drawn."""

from __future__ import annotations

import json
import random
from pathlib import Path

import h3
import pytest

from bot.city.grid import DEMO_CITY_FILE, Grid, GridError, Level, Place

# The demo city draws 0.01° cells from each district's south-west corner, numbered row (south to north)
# then column (west to east), both from 01; Huangpu spans 121.46–121.51 E, 31.20–31.25 N, and its first two
# rows of cells belong to the street "waitan".
IN_HUANGPU_FIRST_CELL = (31.205, 121.465)
IN_HUANGPU_ROW_4_COL_3 = (31.235, 121.485)
OUTSIDE_THE_CITY = (31.30, 121.60)


@pytest.fixture(scope="module")
def demo() -> Grid:
    return Grid.from_file(DEMO_CITY_FILE, h3_resolution=8)


def write(tmp_path: Path, features: list[dict[str, object]]) -> Path:
    path = tmp_path / "grid.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def square(key: str, west: float, south: float, size: float, **props: object) -> dict[str, object]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "properties": {"key": key, **props}, "geometry": geometry}


class TestLocate:
    def test_a_point_in_a_drawn_cell_gets_the_cell_its_street_and_its_district(self, demo: Grid) -> None:
        assert demo.locate(*IN_HUANGPU_FIRST_CELL) == Place("huangpu", "huangpu-waitan", "huangpu-0101")
        assert demo.locate(*IN_HUANGPU_ROW_4_COL_3) == Place("huangpu", "huangpu-yuyuan", "huangpu-0403")

    def test_outside_every_drawn_unit_h3_gives_the_cell_and_the_street(self, demo: Grid) -> None:
        hexagon = h3.latlng_to_cell(*OUTSIDE_THE_CITY, 8)
        assert demo.locate(*OUTSIDE_THE_CITY) == Place(None, "h3:" + h3.cell_to_parent(hexagon, 6), "h3:" + hexagon)

    def test_a_flat_districts_file_gets_h3_cells_under_its_districts(self, tmp_path: Path) -> None:
        grid = Grid.from_file(write(tmp_path, [square("north", 121.0, 31.0, 0.5, name="North")]), h3_resolution=9)
        place = grid.locate(31.2, 121.2)
        assert place.district == "north" and place.cell == "h3:" + h3.latlng_to_cell(31.2, 121.2, 9)
        assert grid.districts.area_for(31.2, 121.2) == "north"

    def test_keys_run_from_the_cell_up(self, demo: Grid) -> None:
        assert demo.locate(*IN_HUANGPU_FIRST_CELL).keys() == ["huangpu-0101", "huangpu-waitan", "huangpu"]


class TestLocateMany:
    def test_known_points_in_one_call(self, demo: Grid) -> None:
        lats, lons = zip(IN_HUANGPU_FIRST_CELL, OUTSIDE_THE_CITY, strict=True)
        first, outside = demo.locate_many(list(lats), list(lons))
        assert first == Place("huangpu", "huangpu-waitan", "huangpu-0101")
        hexagon = h3.latlng_to_cell(*OUTSIDE_THE_CITY, 8)
        assert outside == Place(None, "h3:" + h3.cell_to_parent(hexagon, 6), "h3:" + hexagon)

    def test_it_answers_as_locate_does_point_by_point(self, demo: Grid, tmp_path: Path) -> None:
        """Drawn cells, H3 cells under a drawn street, and H3 everywhere else, with points on shared borders."""
        street_only = Grid.from_file(
            write(
                tmp_path,
                [
                    square("d", 121.0, 31.0, 0.1, level="district"),
                    square("s", 121.0, 31.0, 0.05, level="street", parent="d"),
                    square("c", 121.05, 31.05, 0.01, level="cell", parent="d"),
                ],
            )
        )
        rng = random.Random(7)
        points = [(31.19 + rng.random() * 0.1, 121.41 + rng.random() * 0.12) for _ in range(3000)]
        points += [(31.0 + rng.random() * 0.12, 121.0 + rng.random() * 0.12) for _ in range(3000)]
        points += [(31.21, 121.47), (31.05, 121.05), (31.0, 121.0)]  # on drawn borders and corners
        lats, lons = [lat for lat, _ in points], [lon for _, lon in points]
        for grid in (demo, street_only):
            assert grid.locate_many(lats, lons) == [grid.locate(lat, lon) for lat, lon in points]

    def test_no_points(self, demo: Grid) -> None:
        assert demo.locate_many([], []) == []


class TestUnits:
    def test_levels_parents_and_labels_of_drawn_units(self, demo: Grid) -> None:
        assert demo.level("huangpu-0403") is Level.CELL and demo.level("huangpu-yuyuan") is Level.STREET
        assert demo.parent("huangpu-0403") == "huangpu-yuyuan" and demo.parent("huangpu-yuyuan") == "huangpu"
        assert demo.parent("huangpu") is None
        assert demo.label("huangpu", "zh_CN") == "黄浦区" and demo.label("huangpu", "en") == "Huangpu"

    def test_an_h3_cell_has_a_level_a_parent_and_an_outline(self, demo: Grid) -> None:
        cell = demo.locate(*OUTSIDE_THE_CITY).cell
        assert demo.level(cell) is Level.CELL and demo.parent(cell) == demo.locate(*OUTSIDE_THE_CITY).street
        outline = demo.geojson_geometry(cell)
        assert outline is not None and outline["type"] == "Polygon" and len(outline["coordinates"][0]) == 7

    def test_the_district_of_a_cell_a_street_and_a_district(self, demo: Grid) -> None:
        assert demo.district_of("huangpu-0403") == "huangpu" and demo.district_of("huangpu-yuyuan") == "huangpu"
        assert demo.district_of("jingan") == "jingan" and demo.district_of("nowhere") is None

    def test_an_h3_cell_outside_every_district_has_none(self, demo: Grid) -> None:
        assert demo.district_of(demo.locate(*OUTSIDE_THE_CITY).cell) is None

    def test_unknown_keys_have_no_level(self, demo: Grid) -> None:
        assert demo.level("nowhere") is None and demo.level("h3:not-an-index") is None
        assert demo.geometry("nowhere") is None

    def test_children_of_a_street(self, demo: Grid) -> None:
        # Waitan: Huangpu's first two rows of five cells.
        assert demo.children("huangpu-waitan") == [f"huangpu-0{r}0{c}" for r in (1, 2) for c in range(1, 6)]


class TestCellsInABox:
    def test_the_drawn_cells_meeting_a_box(self, demo: Grid) -> None:
        # A box inside Huangpu's first cell row, across its first two columns.
        keys = demo.cells_in_bbox(31.201, 121.461, 31.209, 121.479, limit=100)
        assert keys == ["huangpu-0101", "huangpu-0102"]

    def test_h3_cells_fill_in_where_nothing_is_drawn(self, demo: Grid) -> None:
        keys = demo.cells_in_bbox(31.30, 121.60, 31.31, 121.61, limit=100)
        assert keys and all(key.startswith("h3:") for key in keys)
        assert demo.locate(31.305, 121.605).cell in keys

    def test_a_box_too_big_for_h3_gets_the_drawn_cells_only(self, demo: Grid) -> None:
        keys = demo.cells_in_bbox(30.0, 120.0, 32.0, 123.0, limit=500)
        assert len(keys) == 93 and not any(key.startswith("h3:") for key in keys)


class TestRefusedFiles:
    def test_a_cell_whose_parent_is_missing(self, tmp_path: Path) -> None:
        path = write(tmp_path, [square("c1", 121.0, 31.0, 0.01, level="cell", parent="s1")])
        with pytest.raises(GridError, match="c1"):
            Grid.from_file(path)

    def test_an_unknown_level(self, tmp_path: Path) -> None:
        with pytest.raises(GridError, match="level"):
            Grid.from_file(write(tmp_path, [square("x", 121.0, 31.0, 0.01, level="block")]))

    def test_a_key_that_looks_like_an_h3_cell(self, tmp_path: Path) -> None:
        with pytest.raises(GridError, match="reserved"):
            Grid.from_file(write(tmp_path, [square("h3:abc", 121.0, 31.0, 0.01)]))
