"""Storing a resident's photo: cleaned by the pipeline, written to storage, recorded as a `Photo` row.

The one place that does it, for a draft being filed (intake) and for a filed report (an answer to a
moderator's question, a photo after reopening). Cleaning and writing the files (`clean_photo`) is apart
from recording the row (`record_photo`), so intake records the row in the same transaction as the
draft's photo count.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.reports.models import Photo
from bot.reports.photos import CleanPhoto, PhotoLimits, process_photo
from bot.storage import PhotoStorage, photo_keys


async def clean_photo(data: bytes, *, limits: PhotoLimits, storage: PhotoStorage, now: datetime) -> CleanPhoto:
    """Clean (EXIF stripped, re-encoded, hashed) and store the files; raises PhotoRejectedError, storing nothing.

    The files are content-addressed: storing the same photo again (a replayed update) writes the same keys."""
    clean = await asyncio.to_thread(process_photo, data, limits=limits, now=now)  # CPU-bound: off the event loop
    photo_key, thumbnail_key = photo_keys(clean.sha256)
    await storage.put(photo_key, clean.jpeg)
    await storage.put(thumbnail_key, clean.thumbnail_jpeg)
    return clean


async def record_photo(
    clean: CleanPhoto,
    *,
    owner_id: int,
    unique_id: str,
    position: int,
    draft_id: int | None = None,
    report_id: int | None = None,
) -> Photo:
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
    )


async def store_photo(
    data: bytes,
    *,
    owner_id: int,
    limits: PhotoLimits,
    storage: PhotoStorage,
    telegram_file_unique_id: str,
    now: datetime,
    draft_id: int | None = None,
    report_id: int | None = None,
) -> Photo:
    """Clean, store and record one photo after the draft's or report's others."""
    clean = await clean_photo(data, limits=limits, storage=storage, now=now)
    siblings = Photo.filter(draft_id=draft_id) if draft_id is not None else Photo.filter(report_id=report_id)
    return await record_photo(
        clean,
        owner_id=owner_id,
        unique_id=telegram_file_unique_id,
        position=await siblings.count(),
        draft_id=draft_id,
        report_id=report_id,
    )
