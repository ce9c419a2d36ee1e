"""GCJ-02 against coordinate pairs published by two independent implementations (not computed by ours)."""

from __future__ import annotations

import pytest

from risk.datum import gcj02_to_wgs84, wgs84_to_gcj02

# (WGS-84 lat, lon) -> (GCJ-02 lat, lon): the first three from eviltransform's test suite (Python, by
# googollee and others), the fourth from coordtransform's README example (JavaScript, by wandergis).
PUBLISHED = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),  # Beijing, Tiananmen
]
ONE_CM_DEG = 1e-7


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED)
def test_wgs84_to_gcj02_matches_published_pairs(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert abs(lat - gcj[0]) < ONE_CM_DEG and abs(lon - gcj[1]) < ONE_CM_DEG


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED)
def test_gcj02_back_to_wgs84(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lat, lon = gcj02_to_wgs84(*gcj)
    assert abs(lat - wgs[0]) < ONE_CM_DEG and abs(lon - wgs[1]) < ONE_CM_DEG


def test_points_outside_china_are_not_moved() -> None:
    assert wgs84_to_gcj02(51.5007, -0.1246) == (51.5007, -0.1246)
