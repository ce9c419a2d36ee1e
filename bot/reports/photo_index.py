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
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import cast

import numpy as np
import numpy.typing as npt

from bot.reports.models import Photo
from bot.reports.spatial import Filter, placeholders_for

#: (first hex digit, number of hex digits) of each band; migration core/0007 indexes exactly these.
BANDS: tuple[tuple[int, int], ...] = ((0, 6), (6, 5), (11, 5))
PHASH_HEX_DIGITS = 16
#: Above this many index probes (a distance of 12 bits or more) a scan is cheaper than the probes.
MAX_PROBES = 8_000


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


@cache
def _flip_masks(bits: int, radius: int) -> npt.NDArray[np.uint32]:
    """Every `bits`-bit mask with at most `radius` bits set."""
    return np.array(
        [
            sum(1 << bit for bit in chosen)
            for flipped in range(radius + 1)
            for chosen in itertools.combinations(range(bits), flipped)
        ],
        dtype=np.uint32,
    )


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
        values = np.uint32(int(phash[start : start + digits], 16)) ^ _flip_masks(4 * digits, radius)
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
    if not isinstance(phash, str) or len(phash) != PHASH_HEX_DIGITS:
        return None
    try:
        return int(phash, 16)
    except ValueError:
        return None


async def near_photos(phashes: Iterable[str], max_distance: int, filters: Sequence[Filter] = ()) -> list[NearPhoto]:
    """Filed photos (`photo AS p` with a report) meeting `filters`, whose pHash is at most `max_distance`
    bits from one of `phashes`. Filters on `p.report_id` keep the query inside the covering indexes."""
    wanted = sorted({value for value in (parse_phash(phash) for phash in phashes) if value is not None})
    if not wanted:
        return []
    client = Photo._meta.db
    where: list[Filter] = list(filters)
    near = near_hash_condition([f"{value:016x}" for value in wanted], max_distance)
    if near is not None:
        where.insert(0, near)
    conditions = " AND ".join(condition for condition, _ in where) or "1 = 1"
    sql = f"SELECT p.phash, p.report_id FROM photo AS p WHERE {conditions}"  # our fragments only, values bound
    _, rows = await client.execute_query(
        placeholders_for(client.capabilities.dialect, sql), [value for _, values in where for value in values]
    )
    distances = _distances([row[0] for row in rows], wanted)
    close: list[int] = np.flatnonzero(distances <= max_distance).tolist()
    # A draft's photo is dropped here, not in SQL, where it would lure PostgreSQL's planner to the
    # report_id index while the table is young.
    return [
        NearPhoto(int(rows[index][1]), str(rows[index][0]), int(distances[index]))
        for index in close
        if rows[index][1] is not None
    ]


def _distances(hashes: Sequence[object], wanted: Sequence[int]) -> npt.NDArray[np.uint8]:
    """Each pHash's distance to the closest of `wanted` (65 for a malformed hash); vectorised, since a
    query at a million photos checks some hundreds of candidates."""
    stored = _well_formed(hashes)
    if stored is not None:
        closest = np.full(len(hashes), 65, dtype=np.uint8)
        for query in wanted:
            np.minimum(closest, np.bitwise_count(stored ^ np.uint64(query)), out=closest)
        return closest
    parsed = [parse_phash(phash) for phash in hashes]
    return np.array(
        [65 if value is None else min((value ^ query).bit_count() for query in wanted) for value in parsed],
        dtype=np.uint8,
    )


def _well_formed(hashes: Sequence[object]) -> npt.NDArray[np.uint64] | None:
    """The hashes as integers when every one is 16 hex digits (the usual case, checked at C speed:
    a per-row Python check cost as much as the query's own work); else None."""
    texts = cast(Sequence[str], hashes)  # checked here: len() and join() raise TypeError on anything else
    try:
        if set(map(len, texts)) == {PHASH_HEX_DIGITS}:
            return np.frombuffer(bytes.fromhex("".join(texts)), dtype=">u8")
    except (TypeError, ValueError):
        pass
    return None
