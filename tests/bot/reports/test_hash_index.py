"""The in-memory multi-index: exactly the ids a brute-force Hamming comparison finds (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reports.hash_index import HashIndex, hashes_of, parse_hash

hashes = st.integers(min_value=0, max_value=2**64 - 1)
bit_positions = st.integers(min_value=0, max_value=63)


def flipped(value: int, positions: set[int]) -> int:
    for position in positions:
        value ^= 1 << position
    return value


@settings(deadline=None)
@given(
    queries=st.lists(hashes, min_size=1, max_size=3),
    archive=st.lists(st.tuples(st.integers(0, 2), st.sets(bit_positions, max_size=12)), max_size=40),
    unrelated=st.lists(hashes, max_size=20),
    max_distance=st.integers(0, 11),
)
def test_within_finds_exactly_the_ids_a_scan_finds(
    queries: list[int], archive: list[tuple[int, set[int]]], unrelated: list[int], max_distance: int
) -> None:
    """Stored hashes near one of the queries (some bits flipped) and unrelated ones; the same id may appear
    twice (a pHash changed: both versions held)."""
    stored = [flipped(queries[which % len(queries)], flips) for which, flips in archive] + unrelated
    ids = [n // 2 for n in range(len(stored))]
    index = HashIndex.build(np.array(ids, dtype=np.int64), np.array(stored, dtype=np.uint64))
    found = index.within(np.array(queries, dtype=np.uint64), max_distance).tolist()
    expected = {
        photo_id
        for photo_id, value in zip(ids, stored, strict=True)
        if min((value ^ query).bit_count() for query in queries) <= max_distance
    }
    assert found == sorted(expected)


def test_malformed_hashes_are_refused_not_misread() -> None:
    assert hashes_of(["a4b1653289fe710f", "00000000000000ff"]) is not None
    assert hashes_of(["a4b1653289fe710f", "a4b165zz89fe710f"]) is None
    assert hashes_of(["a4b1653289fe710f", "p"]) is None
    assert hashes_of(["a4b1 53289fe 10f"] * 8) is None  # 7 bytes each: read as 7 hashes, all shifted
    assert parse_hash("A4B1653289FE710F") == 0xA4B1653289FE710F
    assert parse_hash("a4b1653289fe710") is None
    assert parse_hash(None) is None
