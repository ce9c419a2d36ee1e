"""JPEG decoding straight to the stored size (N/8 DCT scaling), and when it hands a file back to Pillow."""

from __future__ import annotations

import math
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from bot.reports.jpeg import MIN_FILL, decode_scaled, eighths_for, scaled_size
from bot.reports.photos import process_photo
from tests.bot.reports.photo_helpers import LIMITS, NOW
from tests.photos import PHOTOS_DIR

MAX_SIDE_PX = 2048


def jpeg(size: tuple[int, int], mode: str = "RGB") -> bytes:
    """A photo with detail everywhere (a gradient with stripes), so a scaled decode can be compared."""
    x, y = np.meshgrid(np.arange(size[0]), np.arange(size[1]))
    pixels = np.stack([(x * 255 // size[0]), (y * 255 // size[1]), ((x // 7 + y // 5) % 2) * 200], axis=-1)
    out = BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").convert(mode).save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.mark.parametrize("longest_px", [2049, 2240, 2731, 3264, 4032, 4640, 6000, 8000, 20000])
def test_big_photos_decode_at_the_cheapest_eighth_that_keeps_three_quarters(longest_px: int) -> None:
    """N/8 keeps MIN_FILL of the stored side and (N-1)/8 would not (the rest, if any, is resampled)."""
    n = eighths_for((longest_px, longest_px * 3 // 4), MAX_SIDE_PX)
    assert math.ceil(longest_px * n / 8) >= MAX_SIDE_PX * MIN_FILL
    assert n == 1 or math.ceil(longest_px * (n - 1) / 8) < MAX_SIDE_PX * MIN_FILL


@pytest.mark.parametrize("longest_px", [2049, 2240, 2731, 3264, 4032, 4640, 8000])
def test_phone_sized_photos_need_no_resample(longest_px: int) -> None:
    """Up to 8000 px (but for a few sizes, such as 6000 px) the eighth already fits the stored side."""
    n = eighths_for((longest_px, longest_px * 3 // 4), MAX_SIDE_PX)
    assert math.ceil(longest_px * n / 8) <= MAX_SIDE_PX


def test_photos_that_fit_are_decoded_whole() -> None:
    assert eighths_for((2048, 1536), MAX_SIDE_PX) == eighths_for((640, 480), MAX_SIDE_PX) == 8


def test_a_scaled_decode_matches_a_full_decode_shrunk() -> None:
    """6/8 of a 2240 x 1488 phone photo: the promised size, and within a few levels of Pillow's full decode
    box-shrunk to the same size (DCT scaling averages like a box filter)."""
    data = (PHOTOS_DIR / "nikon_d70s_gps_portrait.jpg").read_bytes()
    size = Image.open(BytesIO(data)).size
    decoded = decode_scaled(data, size, 6)
    assert decoded is not None and decoded.mode == "RGB"
    assert decoded.size == scaled_size(size, 6) == (1116, 1680)
    reference = Image.open(BytesIO(data)).convert("RGB").resize(decoded.size, Image.Resampling.BOX)
    difference = np.abs(np.asarray(decoded, dtype=np.int16) - np.asarray(reference, dtype=np.int16))
    assert difference.mean() < 3


def test_a_truncated_photo_is_handed_to_pillow() -> None:
    """libjpeg would fill the missing part with grey: the decoder declines, so Pillow's verdict (damaged) stands."""
    data = jpeg((800, 600))
    assert decode_scaled(data[: len(data) * 2 // 3], (800, 600), 8) is None


def test_a_size_other_than_the_one_checked_is_handed_to_pillow() -> None:
    """The pixel limit was checked against Pillow's reading of the header: libjpeg must read the same."""
    assert decode_scaled(jpeg((64, 48)), (6400, 4800), 8) is None


def test_cmyk_comes_out_in_the_colours_pillow_gives() -> None:
    data = jpeg((64, 48), "CMYK")
    decoded = decode_scaled(data, (64, 48), 8)
    assert decoded is not None
    reference = np.asarray(Image.open(BytesIO(data)).convert("RGB"), dtype=np.int16)
    assert np.abs(np.asarray(decoded, dtype=np.int16) - reference).max() <= 2


def test_the_pipeline_stores_a_big_photo_without_a_resample() -> None:
    """A 4640 px phone photo is stored at 3/8 (1740 px): between three quarters of the maximum and the maximum."""
    clean = process_photo((PHOTOS_DIR / "moto_g9_exif_unreadable_by_exifread.jpg").read_bytes(), limits=LIMITS, now=NOW)
    assert (clean.width_px, clean.height_px) == (1740, 1302)
