"""WGS-84 to GCJ-02 ("Mars coordinates"), for drawing our WGS-84 points on Chinese map tiles (AMap, Tencent).

Points stay in WGS-84 everywhere we store them; the map converts what it sends when `MAP_TILE_DATUM` is
"gcj02", and converts the viewport it is asked about back. Written here rather than taken from a package:
the published transform is this one formula (Krasovsky ellipsoid plus the obfuscating polynomial), the
Python packages offering it are unmaintained one-file copies of it, and the tests pin it to coordinate
pairs published by two independent implementations. Outside China the datum is WGS-84 itself.
"""

from __future__ import annotations

import math

SEMI_MAJOR_M = 6378245.0  # Krasovsky 1940, which GCJ-02 is defined on
ECCENTRICITY_SQ = 0.00669342162296594323
#: GCJ-02 shifts points inside this box only (the published rough outline of China).
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)
INVERSE_STEPS = 3  # each step cuts the error ~1000x: after 3 it is far below a millimetre


def out_of_china(lat: float, lon: float) -> bool:
    return not (CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1])


def _shift_lat(x: float, y: float) -> float:
    shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return shift


def _shift_lon(x: float, y: float) -> float:
    shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return shift


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) on GCJ-02 tiles of a WGS-84 point."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _shift_lat(lon - 105.0, lat - 35.0), _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - ECCENTRICITY_SQ * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((SEMI_MAJOR_M * (1 - ECCENTRICITY_SQ)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (SEMI_MAJOR_M / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point that GCJ-02 draws at (lat, lon), by fixed-point iteration on the forward transform."""
    wgs_lat, wgs_lon = lat, lon
    for _ in range(INVERSE_STEPS):
        shifted_lat, shifted_lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
        wgs_lat, wgs_lon = wgs_lat - (shifted_lat - lat), wgs_lon - (shifted_lon - lon)
    return wgs_lat, wgs_lon
