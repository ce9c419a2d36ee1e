"""Photos whose pHash lies within a few bits of a given one, found through indexes instead of a scan.

Multi-index hashing (Norouzi, Punjani & Fleet, "Fast search in Hamming space with multi-index
hashing", CVPR 2012): the 64-bit hash is cut into three bands of 5, 5 and 6 hex digits, each with its
own expression index (migration core/0007). Two hashes at most `d` bits apart differ in at most
`d // 3` bits in one of the three bands (pigeonhole), so the query asks each band's index for every
value within `d // 3` bits of the query's band (211 + 211 + 301 values for d = 8), then checks the
few rows it returns exactly. Against a uniform archive that reads one photo in ~2,400 (about 420 at a
million photos) where a scan reads them all; nine 7-bit bands matched exactly (d // 9 = 0) would read
one in fourteen.

The indexes are on `substr(phash, ...)`, kept by the database itself for every writer of `photo`
(the ORM, bulk imports, a moderator's SQL), like the spatial index of migration core/0002.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.reports.models import Photo
from bot.reports.spatial import Filter, placeholders_for

#: (first hex digit, number of hex digits) of each band; migration core/0007 indexes exactly these.
BANDS: tuple[tuple[int, int], ...] = ((0, 5), (5, 5), (10, 6))
PHASH_HEX_DIGITS = 16
#: Above this many index probes (a distance of 12 bits or more) a scan is cheaper than the probes.
MAX_PROBES = 8_000


@dataclass(frozen=True)
class NearPhoto:
    """A row of the query, with its photo's distance to the closest of the query hashes."""

    row: dict[str, Any]
    phash_distance: int


def band_sql(band: tuple[int, int], alias: str = "p") -> str:
    """The indexed expression of `band` (the query must spell it as the index does)."""
    start, digits = band
    return f"substr({alias}.phash, {start + 1}, {digits})"


@cache
def _flip_masks(bits: int, radius: int) -> tuple[int, ...]:
    """Every `bits`-bit mask with at most `radius` bits set."""
    return tuple(
        sum(1 << bit for bit in chosen)
        for flipped in range(radius + 1)
        for chosen in itertools.combinations(range(bits), flipped)
    )


def band_probes(phashes: Iterable[str], max_distance: int) -> list[list[str]] | None:
    """Per band, every band value within `max_distance // len(BANDS)` bits of one of `phashes`' bands,
    or None when that is more probes than a scan costs. Each hash must be 16 hex digits."""
    radius = max(0, max_distance) // len(BANDS)
    probes: list[set[str]] = [set() for _ in BANDS]
    for phash in phashes:
        for values, (start, digits) in zip(probes, BANDS, strict=True):
            band = int(phash[start : start + digits], 16)
            values.update(f"{band ^ mask:0{digits}x}" for mask in _flip_masks(4 * digits, radius))
        if sum(map(len, probes)) > MAX_PROBES:
            return None
    return [sorted(values) for values in probes]


def near_hash_condition(phashes: Sequence[str], max_distance: int, alias: str = "p") -> Filter | None:
    """An SQL condition on `alias.phash` that every photo within `max_distance` bits of one of
    `phashes` meets (and few others do), or None when only a scan can answer."""
    probes = band_probes(phashes, max_distance)
    if probes is None:
        return None
    terms = [
        f"{band_sql(band, alias)} IN ({', '.join('?' * len(values))})"
        for band, values in zip(BANDS, probes, strict=True)
    ]
    return f"({' OR '.join(terms)})", [value for values in probes for value in values]


def parse_phash(phash: object) -> int | None:
    """A stored pHash as an integer; None for anything but 16 hex digits (legacy or test rows)."""
    if not isinstance(phash, str) or len(phash) != PHASH_HEX_DIGITS:
        return None
    try:
        return int(phash, 16)
    except ValueError:
        return None


async def near_photos(
    phashes: Iterable[str], max_distance: int, columns: str, filters: Sequence[Filter], *, join_report: bool = False
) -> list[NearPhoto]:
    """Rows of `photo AS p` (joined to `report AS r` on request) meeting `filters`, whose pHash is
    at most `max_distance` bits from one of `phashes`; `columns` are selected besides `p.phash`."""
    wanted = sorted({value for value in (parse_phash(phash) for phash in phashes) if value is not None})
    if not wanted:
        return []
    client = Photo._meta.db
    where: list[Filter] = list(filters)
    near = near_hash_condition([f"{value:016x}" for value in wanted], max_distance)
    if near is not None:
        where.insert(0, near)
    dialect = client.capabilities.dialect
    source = "photo AS p"
    if join_report:  # SQLite: CROSS JOIN keeps the photo indexes first, each report then looked up by id
        source += f" {'CROSS JOIN' if dialect == 'sqlite' else 'JOIN'} report AS r ON r.id = p.report_id"
    conditions = " AND ".join(condition for condition, _ in where) or "1 = 1"
    sql = f"SELECT p.phash AS near_phash, {columns} FROM {source} WHERE {conditions}"  # our fragments only
    params = [value for _, values in where for value in values]
    rows = await client.execute_query_dict(placeholders_for(dialect, sql), params)
    found = []
    for row in rows:
        stored = parse_phash(row["near_phash"])
        if stored is None:
            continue
        bits = min((stored ^ value).bit_count() for value in wanted)
        if bits <= max_distance:
            found.append(NearPhoto(row, bits))
    return found
