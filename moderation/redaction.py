"""Redacting a region of a photo (a face, a number plate): a black box, re-encoded, original kept aside.

The stored photo and its thumbnail are replaced by the redacted version under new keys; the bytes
before redaction are copied under `restricted/originals/...`, served only to admins. Stored files are
content-addressed and may be shared by several photo rows, so nothing is overwritten in place.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from io import BytesIO

from PIL import Image, ImageDraw

from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.reports.lifecycle import staff_actor
from bot.reports.models import Photo, Report
from bot.storage import PhotoStorage
from moderation.models import PhotoRedaction


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the stored photo (what the report page shows at full size)."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def parse(cls, x: str, y: str, w: str, h: str) -> Box:
        """From form fields; ValueError for anything but whole non-negative numbers and a non-empty box."""
        box = cls(int(x), int(y), int(w), int(h))
        if min(box.x, box.y) < 0 or min(box.w, box.h) <= 0:
            raise ValueError("the box needs x, y >= 0 and a positive width and height")
        return box


@dataclass(frozen=True)
class Redacted:
    jpeg: bytes
    thumbnail_jpeg: bytes


def draw_box(jpeg: bytes, box: Box, *, quality: int, thumbnail_side_px: int) -> Redacted:
    """Black out `box` (clipped to the image) and re-encode; ValueError when it misses the image."""
    with Image.open(BytesIO(jpeg)) as opened:
        im = opened.convert("RGB")
    right, bottom = min(box.x + box.w, im.width), min(box.y + box.h, im.height)
    if box.x >= im.width or box.y >= im.height or right <= box.x or bottom <= box.y:
        raise ValueError("the box lies outside the photo")
    ImageDraw.Draw(im).rectangle((box.x, box.y, right - 1, bottom - 1), fill=(0, 0, 0))
    thumbnail = im.copy()
    thumbnail.thumbnail((thumbnail_side_px, thumbnail_side_px))
    return Redacted(_encode(im, quality), _encode(thumbnail, quality))


def _encode(im: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    im.save(out, "JPEG", quality=quality, exif=b"", comment=b"", icc_profile=None, xmp=None)
    return out.getvalue()


async def redact_photo(
    photo: Photo,
    box: Box,
    staff: StaffUser,
    *,
    storage: PhotoStorage,
    quality: int,
    thumbnail_side_px: int,
    now: datetime,
) -> PhotoRedaction:
    """Replace the photo by its redacted version; the previous bytes stay under a restricted key."""
    before = await storage.get(photo.storage_key)
    redacted = await asyncio.to_thread(draw_box, before, box, quality=quality, thumbnail_side_px=thumbnail_side_px)
    original_key = f"restricted/originals/{photo.id}-{hashlib.sha256(before).hexdigest()[:16]}.jpg"
    digest = hashlib.sha256(redacted.jpeg).hexdigest()
    redacted_key, thumbnail_key = f"redacted/{digest[:2]}/{digest}.jpg", f"redacted/{digest[:2]}/{digest}.thumb.jpg"
    await storage.put(original_key, before)
    await storage.put(redacted_key, redacted.jpeg)
    await storage.put(thumbnail_key, redacted.thumbnail_jpeg)
    photo.storage_key, photo.thumbnail_key = redacted_key, thumbnail_key
    await photo.save(update_fields=["storage_key", "thumbnail_key"])
    actor = staff_actor(staff.id)
    redaction = await PhotoRedaction.create(
        photo=photo,
        original_key=original_key,
        redacted_key=redacted_key,
        box=asdict(box),
        actor=actor,
        created_at=now,
    )
    report = await Report.get(id=photo.report_id) if photo.report_id else None
    await record(actor, EventTag.REPORT_PHOTO_REDACT, now=now, report=report, photo_id=photo.id, box=asdict(box))
    return redaction


async def original_key(photo: Photo) -> str | None:
    """The key of the photo as the resident sent it (before its first redaction), if it was redacted."""
    first = await PhotoRedaction.filter(photo_id=photo.id).order_by("id").first()
    return first.original_key if first else None
