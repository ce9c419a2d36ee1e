"""Storing a resident's photo: cleaned by the pipeline, written to storage, recorded as a `Photo` row.

The one place that does it, for a draft being filed (intake), for a filed report (an answer to a
moderator's question, a photo after reopening) and for a report a partner system files (bot/reports/api_filing.py).
Cleaning (`clean_photo`), writing the files (`write_files`) and recording the row (`record_photo`) are apart,
so intake records the row in the same transaction as the draft's photo count, and a partner's upload is
refused whole before any of its photos is stored.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.reports.models import Photo
from bot.reports.photos import CleanPhoto, PhotoLimits, process_photo
from bot.storage import PhotoStorage, photo_keys


async def clean_photo(data: bytes, *, limits: PhotoLimits, now: datetime) -> CleanPhoto:
    """The pipeline alone (EXIF stripped, re-encoded, hashed; raises PhotoRejectedError), storing nothing."""
    return await asyncio.to_thread(process_photo, data, limits=limits, now=now)  # CPU-bound: off the event loop


async def write_files(clean: CleanPhoto, storage: PhotoStorage) -> None:
    """Write the photo and its thumbnail. The keys are content-addressed: writing the same photo again (a replayed
    update) writes the same keys."""
    photo_key, thumbnail_key = photo_keys(clean.sha256)
    # Side by side: each put waits for its own fsync, the resident for the slower of the two only.
    await asyncio.gather(storage.put(photo_key, clean.jpeg), storage.put(thumbnail_key, clean.thumbnail_jpeg))


async def record_photo(
    clean: CleanPhoto,
    *,
    owner_id: int | None,
    unique_id: str,
    position: int,
    now: datetime,
    draft_id: int | None = None,
    report_id: int | None = None,
) -> Photo:
    """The row of a photo whose files are written, stamped `now` on the same clock as the report's status changes
    (what came before or after a moderator's decision is told apart)."""
    photo_key, thumbnail_key = photo_keys(clean.sha256)
    return await Photo.create(
        draft_id=draft_id,
        report_id=report_id,
        owner_id=owner_id,
        storage_key=photo_key,
        thumbnail_key=thumbnail_key,
        sha256=clean.sha256,
        phash=clean.phash,
        width_px=clean.width_px,
        height_px=clean.height_px,
        exif_lat=clean.gps[0] if clean.gps else None,
        exif_lon=clean.gps[1] if clean.gps else None,
        exif_taken_at=clean.taken_at,
        telegram_file_unique_id=unique_id,
        position=position,
        created_at=now,
    )


async def keep_photo(
    clean: CleanPhoto,
    *,
    owner_id: int | None,
    storage: PhotoStorage,
    telegram_file_unique_id: str = "",
    now: datetime,
    draft_id: int | None = None,
    report_id: int | None = None,
) -> Photo:
    """Write a cleaned photo and record it after the draft's or report's others."""
    await write_files(clean, storage)
    siblings = Photo.filter(draft_id=draft_id) if draft_id is not None else Photo.filter(report_id=report_id)
    return await record_photo(
        clean,
        owner_id=owner_id,
        unique_id=telegram_file_unique_id,
        position=await siblings.count(),
        now=now,
        draft_id=draft_id,
        report_id=report_id,
    )


async def store_photo(
    data: bytes,
    *,
    owner_id: int | None,
    limits: PhotoLimits,
    storage: PhotoStorage,
    telegram_file_unique_id: str,
    now: datetime,
    draft_id: int | None = None,
    report_id: int | None = None,
) -> Photo:
    """Clean, store and record one photo after the draft's or report's others; raises PhotoRejectedError, storing
    nothing."""
    clean = await clean_photo(data, limits=limits, now=now)
    return await keep_photo(
        clean,
        owner_id=owner_id,
        storage=storage,
        telegram_file_unique_id=telegram_file_unique_id,
        now=now,
        draft_id=draft_id,
        report_id=report_id,
    )
