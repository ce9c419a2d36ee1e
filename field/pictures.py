"""Before and after, side by side: one JPEG with the reporter's photo on the left and the crew's on the right.

One picture rather than two messages, so the two are always seen together (in a DM, in the admin), and one
function makes it for both. Inputs are the stored, cleaned JPEGs (no EXIF), so the output carries none either.
"""

from __future__ import annotations

import asyncio
from io import BytesIO

from PIL import Image

from bot.reports.models import Photo
from bot.storage import PhotoStorage

#: Each half is scaled to this height: sharp on a phone, small enough for a chat photo.
HALF_HEIGHT_PX = 720
GAP_PX = 12
JPEG_QUALITY = 85


def side_by_side(before_jpeg: bytes, after_jpeg: bytes, *, height_px: int = HALF_HEIGHT_PX) -> bytes:
    """The two photos at the same height, before on the left, a white gap between them."""
    with Image.open(BytesIO(before_jpeg)) as before, Image.open(BytesIO(after_jpeg)) as after:
        halves = [_scaled(image.convert("RGB"), height_px) for image in (before, after)]
    canvas = Image.new("RGB", (halves[0].width + GAP_PX + halves[1].width, height_px), "white")
    canvas.paste(halves[0], (0, 0))
    canvas.paste(halves[1], (halves[0].width + GAP_PX, 0))
    out = BytesIO()
    canvas.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _scaled(image: Image.Image, height_px: int) -> Image.Image:
    width_px = max(1, round(image.width * height_px / image.height))
    return image.resize((width_px, height_px), Image.Resampling.LANCZOS)


async def stored(storage: PhotoStorage, photo_id: int | None) -> bytes | None:
    """A stored photo's cleaned JPEG, or None when there is none (or its file is missing)."""
    photo = await Photo.get_or_none(id=photo_id) if photo_id is not None else None
    if photo is None:
        return None
    try:
        return await storage.get(photo.storage_key)
    except KeyError:
        return None


async def first_photo_id(report_id: int) -> int | None:
    photo = await Photo.filter(report_id=report_id).order_by("position", "id").first()
    return photo.id if photo is not None else None


async def before_and_after(storage: PhotoStorage, report_id: int, after_photo_id: int | None) -> bytes | None:
    """The side-by-side picture of a report and its fix, or None when either photo is missing."""
    before = await stored(storage, await first_photo_id(report_id))
    after = await stored(storage, after_photo_id)
    if before is None or after is None:
        return None
    return await asyncio.to_thread(side_by_side, before, after)  # CPU-bound: off the event loop
