"""Helpers shared by the photo-pipeline tests: the reference photos, decoders, synthetic EXIF."""

from __future__ import annotations

import logging
import struct
from datetime import UTC, datetime
from io import BytesIO

import exifread
import pytest
from PIL import Image, TiffImagePlugin

from bot.reports.photos import (
    CleanPhoto,
    PhotoLimits,
    PhotoRejectedError,
    RejectReason,
    process_photo,
)
from tests.photos import ManifestRow, manifest_rows

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # the day the reference photos were collected
LIMITS = PhotoLimits()
ROWS = manifest_rows()
DECODABLE = [row for row in ROWS if row.decodable]
UNDECODABLE = [row for row in ROWS if not row.decodable]
#: The transpose that undoes what an EXIF orientation asked for (3: 180 degrees, 6/8: quarter turns).
UNDO_ORIENTATION = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
#: JPEG markers a clean file may contain: SOI, APP0 (JFIF), DQT, SOF0/2, DHT, DRI, SOS.
ALLOWED_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}

logging.getLogger("exifread").setLevel(logging.CRITICAL)


def file_id(row: ManifestRow) -> str:
    return row.file.removesuffix(".jpg")


def clean(processed: dict[str, CleanPhoto | PhotoRejectedError], file: str) -> CleanPhoto:
    result = processed[file]
    assert isinstance(result, CleanPhoto), f"{file} was refused: {result}"
    return result


def refusal(data: bytes, limits: PhotoLimits = LIMITS) -> RejectReason:
    with pytest.raises(PhotoRejectedError) as rejected:
        process_photo(data, limits=limits, now=NOW)
    return rejected.value.reason


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of every segment up to the first scan (SOS), walking the segment lengths."""
    assert data[:2] == b"\xff\xd8"
    markers, offset = [0xD8], 2
    while True:
        assert data[offset] == 0xFF, f"no marker at {offset}"
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack_from(">H", data, offset + 2)
        offset += 2 + length


def assert_no_metadata(jpeg: bytes) -> None:
    """No EXIF/GPS, XMP, ICC, Photoshop or comment, by segment walk, exifread and Pillow."""
    markers = jpeg_markers(jpeg)
    assert set(markers) <= ALLOWED_MARKERS, [hex(marker) for marker in markers]
    assert markers.count(0xE0) == 1  # the one APP0 is Pillow's JFIF header
    assert jpeg[6:11] == b"JFIF\x00"
    assert jpeg.endswith(b"\xff\xd9")  # nothing appended after the image
    assert exifread.process_file(BytesIO(jpeg), details=True) == {}
    with Image.open(BytesIO(jpeg)) as im:
        assert len(im.getexif()) == 0
        assert not {"exif", "comment", "xmp", "icc_profile", "photoshop", "XML:com.adobe.xmp"} & set(im.info)
        assert im.mode == "RGB"


def decoded(jpeg: bytes) -> Image.Image:
    with Image.open(BytesIO(jpeg)) as im:
        im.load()
        return im


def encode(im: Image.Image, image_format: str, **params: object) -> bytes:
    out = BytesIO()
    im.save(out, image_format, **params)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    """EXIF with GPS 33deg51'30.9"S 151deg12'30"E, a capture time, a camera model and an orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Secret Camera 3000"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: _dms(33, 51, 30.9), 3: "E", 4: _dms(151, 12, 30)})
    exif.get_ifd(0x8769)[0x9003] = "2024:05:01 10:00:00"
    return exif.tobytes()


def _dms(degrees: int, minutes: int, seconds: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    return tuple(TiffImagePlugin.IFDRational(value) for value in (degrees, minutes, seconds))


SYDNEY = (-(33 + 51 / 60 + 30.9 / 3600), 151 + 12 / 60 + 30 / 3600)
