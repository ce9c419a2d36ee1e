"""Multi-index hashing over numpy arrays: which of a set of 64-bit hashes lie within a few bits of a query.

The same bands and pigeonhole as the SQL band indexes (bot.reports.photo_index.BANDS: two hashes at most
`d` bits apart differ in at most `d // 3` bits in one of the three bands), answered by binary searches in
sorted arrays instead of B-tree seeks: the ~2,200 probes of a 3-photo query cost one vectorised
`searchsorted` per band instead of ~2,200 index seeks (about 1.5 us each at a million photos, most of it
cache misses). An index is immutable; `HashIndex.build` makes a new one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

#: (first hex digit, number of hex digits) of each band; migration core/0008 indexes exactly these in SQL.
BANDS: tuple[tuple[int, int], ...] = ((0, 6), (6, 5), (11, 5))

#: A hash farther than this from every query: "no match" (a 64-bit hash is at most 64 bits away).
NO_MATCH_BITS = 65
HEX_DIGITS = 16


@dataclass(frozen=True)
class _Band:
    shift: np.uint64  # of the band's lowest bit in the hash
    mask: np.uint64
    bits: int


_BANDS = tuple(
    _Band(np.uint64(64 - 4 * (start + digits)), np.uint64((1 << 4 * digits) - 1), 4 * digits) for start, digits in BANDS
)


@cache
def flip_masks(bits: int, radius: int) -> npt.NDArray[np.uint32]:
    """Every `bits`-bit mask with at most `radius` bits set."""
    return np.array(
        [
            sum(1 << bit for bit in chosen)
            for flipped in range(radius + 1)
            for chosen in itertools.combinations(range(bits), flipped)
        ],
        dtype=np.uint32,
    )


def _band_values(hashes: npt.NDArray[np.uint64], band: _Band) -> npt.NDArray[np.uint32]:
    return ((hashes >> band.shift) & band.mask).astype(np.uint32)


@dataclass(frozen=True)
class HashIndex:
    """`ids[i]` has hash `hashes[i]`; per band, the band values sorted and the positions they came from."""

    ids: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.uint64]
    sorted_values: tuple[npt.NDArray[np.uint32], ...]
    positions: tuple[npt.NDArray[np.int64], ...]

    @classmethod
    def build(cls, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64]) -> HashIndex:
        """CPU-bound at scale (a million hashes: ~0.5 s): callers build it off the event loop."""
        values, positions = [], []
        for band in _BANDS:
            band_values = _band_values(hashes, band)
            order = np.argsort(band_values, kind="stable")
            values.append(band_values[order])
            positions.append(order.astype(np.int64))
        return cls(ids, hashes, tuple(values), tuple(positions))

    def __len__(self) -> int:
        return len(self.ids)

    def within(self, wanted: npt.NDArray[np.uint64], max_distance: int) -> npt.NDArray[np.int64]:
        """The ids whose hash is at most `max_distance` bits from one of `wanted` (each id once)."""
        radius = max(0, max_distance) // len(_BANDS)
        found = [self._band_candidates(wanted, band, radius, index) for index, band in enumerate(_BANDS)]
        candidates = np.unique(np.concatenate(found))
        close = closest_distances(self.hashes[candidates], wanted) <= max_distance
        return np.unique(self.ids[candidates[close]])

    def _band_candidates(
        self, wanted: npt.NDArray[np.uint64], band: _Band, radius: int, index: int
    ) -> npt.NDArray[np.int64]:
        """Positions of the hashes whose value in `band` is within `radius` bits of a wanted hash's."""
        probes = np.unique((_band_values(wanted, band)[:, None] ^ flip_masks(band.bits, radius)[None, :]).ravel())
        values = self.sorted_values[index]
        first = np.searchsorted(values, probes, side="left")
        counts = np.searchsorted(values, probes, side="right") - first
        total = int(counts.sum())
        # Every run [first, first + count) laid end to end: offsets within the run plus the run's start.
        starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
        found: npt.NDArray[np.int64] = self.positions[index][np.arange(total) + starts]
        return found


def closest_distances(hashes: npt.NDArray[np.uint64], wanted: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """Each hash's distance in bits to the closest of `wanted`."""
    closest = np.full(len(hashes), NO_MATCH_BITS, dtype=np.uint8)
    for query in wanted:
        np.minimum(closest, np.bitwise_count(hashes ^ query), out=closest)
    return closest


def parse_hash(text: object) -> int | None:
    """A 16-hex-digit hash as an integer; None for anything else."""
    if not isinstance(text, str) or len(text) != HEX_DIGITS:
        return None
    parsed = hashes_of([text])
    return None if parsed is None else int(parsed[0])


def hashes_of(texts: list[str]) -> npt.NDArray[np.uint64] | None:
    """16-hex-digit hashes as integers (one C-speed conversion); None when one of them is not."""
    if not texts:
        return np.empty(0, dtype=np.uint64)
    if set(map(len, texts)) != {HEX_DIGITS}:
        return None
    try:
        raw = bytes.fromhex("".join(texts))
    except ValueError:
        return None
    if len(raw) != 8 * len(texts):  # fromhex skips whitespace: "a4b1 653289fe710" would shift every hash after it
        return None
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64)
