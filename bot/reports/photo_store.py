"""Storing a resident's photo: cleaned by the pipeline, written to storage, recorded as a `Photo` row.

The one place that does it, for a draft being filed (intake), for a filed report (an answer to a
moderator's question, a photo after reopening) and for a report a partner system files (bot/reports/api_filing.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.reports.models import Photo
from bot.reports.photos import CleanPhoto, PhotoLimits, process_photo
from bot.storage import PhotoStorage, photo_keys


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
    """Clean (EXIF stripped, re-encoded, hashed) and store one photo; raises PhotoRejectedError, storing nothing."""
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


async def clean_photo(data: bytes, *, limits: PhotoLimits, now: datetime) -> CleanPhoto:
    """The pipeline alone (raises PhotoRejectedError): lets a caller refuse a whole upload before storing any of it."""
    return await asyncio.to_thread(process_photo, data, limits=limits, now=now)  # CPU-bound: off the event loop


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
    """Write a cleaned photo and its thumbnail to storage and record it (for a draft or a report), stamped `now` on
    the same clock as the report's status changes (what came before or after a moderator's decision is told apart)."""
    photo_key, thumbnail_key = photo_keys(clean.sha256)
    # Side by side: each put waits for its own fsync, the resident for the slower of the two only.
    await asyncio.gather(storage.put(photo_key, clean.jpeg), storage.put(thumbnail_key, clean.thumbnail_jpeg))
    siblings = Photo.filter(draft_id=draft_id) if draft_id is not None else Photo.filter(report_id=report_id)
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
        telegram_file_unique_id=telegram_file_unique_id,
        position=await siblings.count(),
        created_at=now,
    )
