"""Facts read from a photo's EXIF block: where (GPS), when (DateTimeOriginal) and which way up (Orientation).

This module owns the judgement of which EXIF values are usable. Real files carry every kind of
damage (zero denominators, GPS written as text, NUL refs, "null island" 0,0, blank or impossible
dates, IFDs that point nowhere), so every reader here returns None for a fact it cannot trust and
nothing here raises, whatever the bytes.

exifread is asked first; Pillow is asked when exifread finds no EXIF or fails, because exifread
gives up silently on some real files (it only looks for APP1 in the first few KB, so a phone that
writes large APP6 segments first hides its EXIF from it). A file exifread can read but whose facts
are unusable gets no second opinion: Pillow reads the same bytes and would judge them the same way.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import exifread
from PIL import Image

# exifread logs a warning for every file without EXIF and for each damaged IFD; those are normal
# inputs here, and the caller decides what a missing fact means.
logging.getLogger("exifread").setLevel(logging.CRITICAL)

#: A photo dated further ahead than this comes from a camera whose clock is wrong; clocks in
#: other time zones (see `_parse_taken_at`) stay within it.
FUTURE_SLACK = timedelta(days=1)

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_PIL_ORIENTATION = 0x0112
_PIL_DATETIME_ORIGINAL = 0x9003
_PIL_OFFSET_TIME_ORIGINAL = 0x9011
_PIL_GPS = {"lat_ref": 1, "lat": 2, "lon_ref": 3, "lon": 4}
_EXIFREAD_GPS = {
    "lat_ref": "GPS GPSLatitudeRef",
    "lat": "GPS GPSLatitude",
    "lon_ref": "GPS GPSLongitudeRef",
    "lon": "GPS GPSLongitude",
}
_DATETIME_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class ExifFacts:
    gps: tuple[float, float] | None  #: (lat, lon) in degrees, south and west negative
    taken_at: datetime | None  #: timezone-aware
    orientation: int | None  #: EXIF Orientation 1..8


NO_FACTS = ExifFacts(gps=None, taken_at=None, orientation=None)


def read_exif_facts(data: bytes, *, now: datetime, image: Image.Image | None = None) -> ExifFacts:
    """Read the usable GPS position, capture time and orientation from image bytes; never raise.

    `image` may be the same bytes already opened (and loaded) by Pillow, so that the fallback
    reads its parsed EXIF instead of opening the file a second time.
    """
    facts = _facts_from_exifread(data, now=now)
    if facts is not None:
        return facts
    if image is not None:
        return _facts_from_pillow_image(image, now=now)
    try:
        with Image.open(BytesIO(data)) as opened:
            return _facts_from_pillow_image(opened, now=now)
    except Exception:  # not an image Pillow knows: no facts
        return NO_FACTS


def _facts_from_exifread(data: bytes, *, now: datetime) -> ExifFacts | None:
    """Facts as exifread sees them; None when it found no EXIF at all or failed."""
    try:
        tags = exifread.process_file(BytesIO(data), details=False, extract_thumbnail=False)
    except Exception:  # exifread raises anything from IndexError to struct.error
        return None
    if not tags:
        return None

    def values(key: str) -> Any:
        tag = tags.get(key)
        return None if tag is None else tag.values

    orientation = values("Image Orientation")
    first_orientation = orientation[0] if isinstance(orientation, list) and orientation else None
    return ExifFacts(
        gps=gps_position({name: values(key) for name, key in _EXIFREAD_GPS.items()}),
        taken_at=_parse_taken_at(values("EXIF DateTimeOriginal"), values("EXIF OffsetTimeOriginal"), now=now),
        orientation=_parse_orientation(first_orientation),
    )


def _facts_from_pillow_image(im: Image.Image, *, now: datetime) -> ExifFacts:
    try:
        exif = im.getexif()
    except Exception:  # an EXIF block Pillow cannot parse
        return NO_FACTS
    gps_ifd = _safe_ifd(exif, _GPS_IFD)
    exif_ifd = _safe_ifd(exif, _EXIF_IFD)
    return ExifFacts(
        gps=gps_position({name: gps_ifd.get(tag) for name, tag in _PIL_GPS.items()}),
        taken_at=_parse_taken_at(
            exif_ifd.get(_PIL_DATETIME_ORIGINAL), exif_ifd.get(_PIL_OFFSET_TIME_ORIGINAL), now=now
        ),
        orientation=_parse_orientation(exif.get(_PIL_ORIENTATION)),
    )


def _safe_ifd(exif: Image.Exif, tag: int) -> Mapping[int, Any]:
    try:
        return exif.get_ifd(tag)
    except Exception:  # a corrupt sub-IFD must not hide the other facts
        return {}


def gps_position(raw: Mapping[str, Any]) -> tuple[float, float] | None:
    """Turn raw lat/lon/ref values (exifread or Pillow) into a usable (lat, lon), or None."""
    lat = _degrees(raw.get("lat"))
    lon = _degrees(raw.get("lon"))
    lat_sign = _ref_sign(raw.get("lat_ref"), positive="N", negative="S")
    lon_sign = _ref_sign(raw.get("lon_ref"), positive="E", negative="W")
    if lat is None or lon is None or lat_sign is None or lon_sign is None:
        return None
    if lat > 90 or lon > 180:
        return None
    # 0,0 ("null island", also -0,-0 with S/W refs) is what receivers write when they had no fix.
    if lat == 0 and lon == 0:
        return None
    return lat_sign * lat, lon_sign * lon


def _degrees(value: Any) -> float | None:
    """Degrees from 1-3 rational components (d, m, s); None for text, NaN, negative or undefined parts."""
    # GPS written as an ASCII string ("52,00000,50,00000,34,01180") breaks the EXIF spec and has
    # no agreed layout; guessing at it would risk proposing a wrong place, so it counts as absent.
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not 1 <= len(value) <= 3:
        return None
    parts = [_rational(part, zero_over_zero_ok=index > 0) for index, part in enumerate(value)]
    if any(part is None or not math.isfinite(part) or part < 0 for part in parts):
        return None
    checked = [part for part in parts if part is not None]
    if any(part > 60 for part in checked[1:]):
        return None
    return sum(part / divisor for part, divisor in zip(checked, (1.0, 60.0, 3600.0), strict=False))


def _rational(value: Any, *, zero_over_zero_ok: bool) -> float | None:
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if isinstance(numerator, int) and isinstance(denominator, int):
        if denominator == 0:
            # Some cameras write unused minutes/seconds as 0/0: it means "nothing here", i.e. 0.
            # Degrees of 0/0, or n/0 anywhere, mean the position is unknown.
            return 0.0 if numerator == 0 and zero_over_zero_ok else None
        return float(numerator) / denominator
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _ref_sign(value: Any, *, positive: str, negative: str) -> int | None:
    """+1 / -1 for a hemisphere ref; None when it is missing, so the hemisphere would be a guess."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return None
    ref = value.strip("\x00 ").upper()
    if ref == positive:
        return 1
    if ref == negative:
        return -1
    return None


def _parse_orientation(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8:
        return value
    return None


def _parse_taken_at(value: Any, offset: Any, *, now: datetime) -> datetime | None:
    """DateTimeOriginal as an aware datetime; None when blank, zero, unparsable or in the future."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return None
    text = value.strip("\x00 ")[:19]
    naive = None
    for pattern in _DATETIME_FORMATS:
        try:
            naive = datetime.strptime(text, pattern)  # noqa: DTZ007 - EXIF has no zone; set below
            break
        except ValueError:
            continue
    if naive is None:
        return None
    # EXIF 2.31 writers say which zone the wall-clock time is in; older ones do not. The zone of
    # the camera is then unknown (not the server's, not necessarily the city's), so naive times are
    # read as UTC: deterministic everywhere, wrong by at most 14 h, which FUTURE_SLACK absorbs and
    # which is well inside what "when was this taken" is used for (ordering, staleness hints).
    taken_at = naive.replace(tzinfo=_parse_offset(offset) or UTC)
    reference = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    if taken_at > reference + FUTURE_SLACK:
        return None
    return taken_at


def _parse_offset(value: Any) -> timezone | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return None
    match = _OFFSET_RE.fullmatch(value.strip("\x00 "))
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)
