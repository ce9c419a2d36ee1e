"""JPEG decoding straight to the stored size, in eighths of the original (libjpeg-turbo through simplejpeg).

libjpeg scales in the DCT domain by N/8 for any N from 1 to 8 (an area average, not a skip), where
Pillow's `draft` offers only 1/2, 1/4 and 1/8. With eighths almost every photo decodes directly to a
size between MIN_FILL and all of the stored maximum, so the full-size resample that followed a
power-of-two draft (2240 px -> 2048 px: half again the decode's time on our hosts) is gone: a 2240 px
photo decodes at 6/8, a 4640 px one at 3/8, a 3264 px one at 4/8 as before.
"""

from __future__ import annotations

import math

import numpy as np
import simplejpeg
from PIL import Image

#: A photo larger than the stored maximum keeps at least this share of it: the smallest N/8 that
#: does is the cheapest decode that still shows what the resident saw (as the power-of-two draft did).
MIN_FILL = 0.75


def eighths_for(size: tuple[int, int], max_side_px: int) -> int:
    """8 for a photo that fits max_side_px; else the smallest N whose N/8 keeps MIN_FILL of max_side_px."""
    longest_px = max(size)
    if longest_px <= max_side_px:
        return 8
    return next(n for n in range(1, 9) if n == 8 or math.ceil(longest_px * n / 8) >= max_side_px * MIN_FILL)


def scaled_size(size: tuple[int, int], eighths: int) -> tuple[int, int]:
    """The size libjpeg decodes `size` to at eighths/8 (it rounds up)."""
    return math.ceil(size[0] * eighths / 8), math.ceil(size[1] * eighths / 8)


def decode_scaled(data: bytes, size: tuple[int, int], eighths: int) -> Image.Image | None:
    """The RGB picture at eighths/8 of `size`, or None when this decoder will not vouch for the data
    (CMYK, any libjpeg warning such as a truncated file): the caller then asks Pillow, whose verdict
    on damaged files is the one intake gives."""
    width_px, height_px = scaled_size(size, eighths)
    try:
        # The size checked against the pixel limit is Pillow's reading of the header: decode only if
        # libjpeg reads the same, so a crafted file cannot make it allocate more than was checked.
        if tuple(simplejpeg.decode_jpeg_header(data)[:2]) != (size[1], size[0]):
            return None
        pixels = simplejpeg.decode_jpeg(data, colorspace="RGB", min_width=width_px, min_height=height_px, strict=True)
    except (ValueError, RuntimeError):
        return None
    if pixels.shape[:2] != (height_px, width_px):
        return None
    return Image.fromarray(np.ascontiguousarray(pixels), "RGB")
