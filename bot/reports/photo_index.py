"""Photos whose pHash lies within a few bits of a given one, found through indexes instead of a scan.

Multi-index hashing (Norouzi, Punjani & Fleet, "Fast search in Hamming space with multi-index
hashing", CVPR 2012): the 64-bit hash is cut into three bands of 6, 5 and 5 hex digits, each with its
own expression index (migration core/0007). Two hashes at most `d` bits apart differ in at most
`d // 3` bits in one of the three bands (pigeonhole), so the query asks each band's index for every
value within `d // 3` bits of the query's band (301 + 211 + 211 values for d = 8), then checks the
rows it returns exactly. Against a uniform archive that reads about one photo in 2,500 where a scan
reads them all (nine 7-bit bands matched exactly, d // 9 = 0, would read one in fourteen).

The first band is the 24-bit one because a pHash's first bit (the DC term against the median) is
always set: that band has 23 informative bits, the others 20. Each index also holds `phash` and
`report_id`, so candidates are checked without reading the table (a covering index), and the few real
matches are joined to their reports by the caller. The database keeps the indexes for every writer of
`photo` (the ORM, bulk imports, a moderator's SQL), like the spatial index of migration core/0002.

Those ~2,200 seeks for a 3-photo query cost ~4 ms at a million photos on SQLite, so queries now ask the
same bands in each process's memory first (bot.reports.photo_hashes, bot.reports.hash_index: sorted
arrays, kept complete from a trigger-fed log) and read only the candidates it names, by primary key. The
band indexes answer while a process has not loaded its copy yet and its first use is inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from tortoise.backends.base.client import BaseDBAsyncClient

from bot.reports.hash_index import BANDS as BANDS  # re-exported: callers met the bands here first
from bot.reports.hash_index import NO_MATCH_BITS, closest_distances, flip_masks, hashes_of, parse_hash
from bot.reports.models import Photo
from bot.reports.photo_hashes import photo_hashes
from bot.reports.spatial import Filter, placeholders_for

PHASH_HEX_DIGITS = 16
#: Above this many index probes (a distance of 12 bits or more) a scan is cheaper than the probes.
MAX_PROBES = 8_000
#: The condition no photo meets: nothing to read.
NONE_CLOSE: Filter = ("1 = 0", ())


@dataclass(frozen=True)
class NearPhoto:
    """A filed photo within the distance of one of the query hashes, and that distance."""

    report_id: int
    phash: str
    phash_distance: int


def band_sql(band: tuple[int, int], alias: str = "p") -> str:
    """The indexed expression of `band` (the query must spell it as the index does)."""
    start, digits = band
    return f"substr({alias}.phash, {start + 1}, {digits})"


def band_probes(phashes: Iterable[str], max_distance: int) -> list[set[str]] | None:
    """Per band, every band value within `max_distance // len(BANDS)` bits of one of `phashes`' bands,
    or None when that is more probes than a scan costs. Each hash must be 16 hex digits."""
    radius = max(0, max_distance) // len(BANDS)
    probes: list[set[str]] = [set() for _ in BANDS]
    for phash in phashes:
        for values, band_values in zip(probes, _hash_probes(phash, radius), strict=True):
            values.update(band_values)
        if sum(map(len, probes)) > MAX_PROBES:
            return None
    return probes


@lru_cache(maxsize=4096)
def _hash_probes(phash: str, radius: int) -> tuple[tuple[str, ...], ...]:
    """One hash's probes per band (kept: intake asks about the same photos at several steps)."""
    found = []
    for start, digits in BANDS:
        values = np.uint32(int(phash[start : start + digits], 16)) ^ flip_masks(4 * digits, radius)
        # Hundreds of values per band: one hex conversion of the whole array, then slices, is several
        # times cheaper than formatting each value.
        text, skip = values.astype(">u4").tobytes().hex(), 8 - digits
        found.append(tuple(text[offset + skip : offset + 8] for offset in range(0, len(text), 8)))
    return tuple(found)


def near_hash_condition(phashes: Sequence[str], max_distance: int, alias: str = "p") -> Filter | None:
    """An SQL condition on `alias.phash` that every photo within `max_distance` bits of one of
    `phashes` meets (and few others do), or None when only a scan can answer."""
    probes = band_probes(phashes, max_distance)
    if probes is None:
        return None
    listed = [list(values) for values in probes]
    terms = [
        f"{band_sql(band, alias)} IN ({', '.join('?' * len(values))})"
        for band, values in zip(BANDS, listed, strict=True)
    ]
    return f"({' OR '.join(terms)})", [value for values in listed for value in values]


def parse_phash(phash: object) -> int | None:
    """A stored pHash as an integer; None for anything but 16 hex digits (legacy or test rows)."""
    return parse_hash(phash)


async def near_photos(phashes: Iterable[str], max_distance: int, filters: Sequence[Filter] = ()) -> list[NearPhoto]:
    """Filed photos (`photo AS p` with a report) meeting `filters`, whose pHash is at most `max_distance`
    bits from one of `phashes`.

    The process's copy of every pHash (bot.reports.photo_hashes) names the few photos that may be close;
    their current rows are read here and measured exactly, so what another process filed, merged or moved
    a moment ago counts. Before that copy is loaded (a first use inside a transaction) the band indexes
    answer instead; beyond MAX_PROBES only a scan can."""
    wanted = sorted({value for value in (parse_phash(phash) for phash in phashes) if value is not None})
    if not wanted:
        return []
    client = Photo._meta.db
    where: list[Filter] = list(filters)
    near = await _near_condition(client, wanted, max_distance)
    if near is NONE_CLOSE:
        return []
    if near is not None:
        where.insert(0, near)
    conditions = " AND ".join(condition for condition, _ in where) or "1 = 1"
    sql = f"SELECT p.phash, p.report_id FROM photo AS p WHERE {conditions}"  # our fragments only, values bound
    _, rows = await client.execute_query(
        placeholders_for(client.capabilities.dialect, sql), [value for _, values in where for value in values]
    )
    distances = hash_distances([row[0] for row in rows], wanted)
    close: list[int] = np.flatnonzero(distances <= max_distance).tolist()
    # A draft's photo is dropped here, not in SQL, where it would lure PostgreSQL's planner to the
    # report_id index while the table is young.
    return [
        NearPhoto(int(rows[index][1]), str(rows[index][0]), int(distances[index]))
        for index in close
        if rows[index][1] is not None
    ]


async def _near_condition(client: BaseDBAsyncClient, wanted: list[int], max_distance: int) -> Filter | None:
    """An SQL condition met by every photo within `max_distance` bits of one of `wanted` and few others:
    their ids, from memory; or, before the memory is loaded, the band indexes' condition. NONE_CLOSE when
    no photo is; None when only a scan can answer."""
    ids = await candidate_ids(client, wanted, max_distance)
    if ids is None:
        return near_hash_condition([f"{value:016x}" for value in wanted], max_distance)
    if not ids:
        return NONE_CLOSE
    return f"p.id IN ({', '.join('?' * len(ids))})", ids


async def candidate_ids(
    client: BaseDBAsyncClient, wanted: Sequence[int], max_distance: int, exclude_report_id: int | None = None
) -> list[int] | None:
    """Ids of every filed photo within `max_distance` bits of one of `wanted` (parsed pHashes), and perhaps
    a few more (the caller reads their rows and measures); None when memory cannot answer (see near_photos).
    Photos this transaction put on `exclude_report_id` may be left out."""
    if probe_count(max_distance) > MAX_PROBES:
        return None
    return await photo_hashes(client).within(client, wanted, max_distance, exclude_report_id or 0)


def probe_count(max_distance: int) -> int:
    """Band values probed for one hash at `max_distance`."""
    radius = max(0, max_distance) // len(BANDS)
    return sum(len(flip_masks(4 * digits, radius)) for _, digits in BANDS)


def hash_distances(hashes: Sequence[object], wanted: Sequence[int]) -> npt.NDArray[np.uint8]:
    """Each pHash's distance to the closest of `wanted` (65 for a malformed hash); vectorised."""
    query = np.array(wanted, dtype=np.uint64)
    texts = [phash if isinstance(phash, str) else "" for phash in hashes]
    stored = hashes_of(texts)
    if stored is not None:
        return closest_distances(stored, query)
    parsed = [parse_phash(phash) for phash in hashes]
    return np.array(
        [NO_MATCH_BITS if value is None else min((value ^ query).bit_count() for query in wanted) for value in parsed],
        dtype=np.uint8,
    )
