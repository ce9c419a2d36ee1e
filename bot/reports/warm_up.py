"""Per-process memories filled when a process starts, not by the first resident who needs one.

Each web and worker process keeps two things per database: whether PostgreSQL has the PostGIS index
(one round trip) and every filed photo's pHash (a read of the whole log: seconds at a million photos).
Both were loaded on first use, so the first resident after a deploy waited for them. A failure here is
only logged: the first use then loads them as before.
"""

from __future__ import annotations

import logging

from bot.reports.models import Report
from bot.reports.photo_hashes import photo_hashes
from bot.reports.spatial import has_geography_index

log = logging.getLogger(__name__)


async def warm_up() -> None:
    """Ask for the PostGIS index and load the pHash memory of the reports' database."""
    client = Report._meta.db
    try:
        await has_geography_index(client)
        await photo_hashes(client).load(client)
    except Exception:  # the database may be away at start-up; every later use retries by itself
        log.warning("could not warm the per-process memories at start-up; the first use will", exc_info=True)
