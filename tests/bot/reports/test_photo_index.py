"""Near-duplicate photo search through the pHash band indexes: every photo within the threshold is
found, none beyond it is reported, on SQLite and PostgreSQL (property-based: hypothesis)."""

from __future__ import annotations

import importlib
import logging
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tortoise.transactions import in_transaction

from bot.reports.dedup import photo_matches
from bot.reports.geo import distance_m
from bot.reports.hash_index import BANDS
from bot.reports.models import Photo, Report, Resident
from bot.reports.photo_index import band_probes, near_hash_condition, near_photos
from bot.reports.spatial import M_PER_DEGREE
from tests.factories import HUANGPU, make_archived_photos

CENTRE = HUANGPU
hashes = st.integers(min_value=0, max_value=2**64 - 1)
bit_positions = st.integers(min_value=0, max_value=63)
#: Each example builds its own small archive in the test's database, so fixtures are shared on purpose.
db_examples = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def flipped(value: int, positions: set[int]) -> int:
    for position in positions:
        value ^= 1 << position
    return value


def hex16(value: int) -> str:
    return f"{value:016x}"


def hamming(a: int, b: int) -> int:
    return bin(a ^ b).count("1")


@settings(deadline=None)  # pure CPU; a shared CI runner stalls now and then past hypothesis' 200 ms
@given(base=hashes, positions=st.sets(bit_positions, max_size=11), max_distance=st.integers(0, 11))
def test_some_band_of_every_hash_within_the_distance_is_probed(
    base: int, positions: set[int], max_distance: int
) -> None:
    """Pigeonhole: a hash at most `max_distance` bits away has one band among the probed values."""
    assume(len(positions) <= max_distance)
    other = hex16(flipped(base, positions))
    probes = band_probes([hex16(base)], max_distance)
    assert probes is not None
    assert any(other[start : start + digits] in values for (start, digits), values in zip(BANDS, probes, strict=True))


def test_probe_counts_stay_small_at_the_default_threshold_and_give_way_to_a_scan_beyond() -> None:
    """8 bits: 1 + 24 + 276 values for the 24-bit band, 1 + 20 + 190 per 20-bit one; 12 bits: a scan."""
    probes = band_probes(["a4b1653289fe710f"], 8)
    assert probes is not None and [len(values) for values in probes] == [301, 211, 211]
    assert near_hash_condition(["a4b1653289fe710f"], 12) is None


def test_migration_indexes_the_bands_the_query_asks_for() -> None:
    """Migration core/0007 froze the bands; the query's expressions must match its indexes."""
    migration = importlib.import_module("migrations.core.0008_photo_hash_bands")
    assert tuple(migration.BANDS) == BANDS


async def _archive(phashes: list[int], positions: list[tuple[float, float]] | None = None) -> list[int]:
    """This example's archive alone: one report per photo by resident 2 (at `positions` or the centre)."""
    await Photo.all().delete()
    await Report.all().delete()
    await Resident.get_or_create(id=2, defaults={"chat_id": 2, "first_name": "R2"})
    return await make_archived_photos([hex16(value) for value in phashes], [2], positions=positions or None)


#: An archive around a query hash: photos a few bits from it (flips) and unrelated ones (None).
archives = st.lists(st.one_of(st.sets(bit_positions, max_size=14), st.none()), min_size=1, max_size=30)


@db_examples
@given(query=hashes, archive=archives, max_distance=st.sampled_from([0, 2, 5, 8, 11, 13]), salt=hashes)
async def test_near_photos_finds_exactly_the_photos_within_the_distance(
    orm: None, query: int, archive: list[set[int] | None], max_distance: int, salt: int
) -> None:
    """Every stored photo at most `max_distance` bits from the query comes back with its distance; no other does
    (13 bits takes the scan path: too many probes)."""
    rng = random.Random(salt)
    stored = [flipped(query, flips) if flips is not None else rng.getrandbits(64) for flips in archive]
    report_ids = await _archive(stored)
    found = await near_photos([hex16(query)], max_distance)
    expected = {
        (report_id, hamming(query, value))
        for report_id, value in zip(report_ids, stored, strict=True)
        if hamming(query, value) <= max_distance
    }
    assert {(near.report_id, near.phash_distance) for near in found} == expected


@db_examples
@given(
    query=hashes,
    archive=st.lists(
        st.tuples(st.sets(bit_positions, max_size=11), st.floats(0, 1400), st.floats(0, 2 * math.pi)),
        min_size=1,
        max_size=20,
    ),
)
async def test_intake_photo_match_is_the_brute_force_answer(
    orm: None, query: int, archive: list[tuple[set[int], float, float]]
) -> None:
    """photo_matches (1 km, 8 bits) returns the reports a full scan with haversine and Hamming returns."""
    query ^= 0xA4B1653289FE710F  # hypothesis favours small numbers: move them to a real photo's hash
    assume(bin(query).count("1") >= 20)  # an informative hash: blank-image hashes match nothing by design
    stored = [flipped(query, flips) for flips, _, _ in archive]
    positions = [
        (
            CENTRE[0] + metres * math.cos(bearing) / M_PER_DEGREE,
            CENTRE[1] + metres * math.sin(bearing) / (M_PER_DEGREE * math.cos(math.radians(CENTRE[0]))),
        )
        for _, metres, bearing in archive
    ]
    report_ids = await _archive(stored, positions)
    expected = {
        (report_id, hamming(query, value))
        for report_id, value, (lat, lon) in zip(report_ids, stored, positions, strict=True)
        if hamming(query, value) <= 8 and distance_m(*CENTRE, lat, lon) <= 1000 and bin(value).count("1") >= 16
    }
    found = await photo_matches([hex16(query)], *CENTRE)
    assert {(match.report.id, match.phash_distance) for match in found} == expected


async def test_malformed_stored_hashes_are_skipped_not_fatal(orm: None) -> None:
    """A stored hash that is not 16 hex digits (legacy rows, hand edits) matches nothing and hides nothing."""
    report_ids = await _archive([0xA4B1653289FE7100])
    for malformed in ("a4b165zz89fe710f", "p"):
        await Photo.create(
            report_id=report_ids[0],
            owner_id=2,
            storage_key="k",
            thumbnail_key="t",
            sha256="",
            phash=malformed,
            width_px=1,
            height_px=1,
        )
    for max_distance in (8, 20):  # the indexed query and the scan
        found = await near_photos(["a4b1653289fe710f"], max_distance)
        assert [(near.report_id, near.phash, near.phash_distance) for near in found] == [
            (report_ids[0], "a4b1653289fe7100", 4)
        ]


#: A random 16-hex-digit pHash per row, in each dialect's SQL.
RANDOM_PHASH_SQL = {
    "sqlite": "lower(hex(randomblob(8)))",
    "postgres": "substr(md5(random()::text), 1, 16)",
}


async def test_the_band_indexes_answer_the_query_not_a_scan(orm: None, caplog: pytest.LogCaptureFixture) -> None:
    """Over 100,000 archived photos, the query near_photos sends when the process has not loaded its pHashes
    yet (its first use is inside a transaction) reads the three band indexes, never the whole table: on
    SQLite as covering indexes (no table row read), on PostgreSQL as one BitmapOr over them."""
    client = Photo._meta.db
    dialect = client.capabilities.dialect
    await Resident.create(id=2, chat_id=2, first_name="R2")
    await client.execute_script(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
        "INSERT INTO photo (owner_id, storage_key, thumbnail_key, sha256, phash, width_px, height_px,"
        f" telegram_file_unique_id, position, created_at) SELECT 2, 'k', 't', '', {RANDOM_PHASH_SQL[dialect]},"
        " 1, 1, '', 0, CURRENT_TIMESTAMP FROM n"
    )
    await client.execute_script("ANALYZE")  # what autovacuum does for a table of any real size
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        async with in_transaction():
            await near_photos(["a4b1653289fe710f"], 8)
    [(sql, values)] = [tuple(record.args or ()) for record in caplog.records if "FROM photo AS p" in str(record.args)]
    assert isinstance(values, list)
    params = values
    if dialect == "sqlite":
        rows = await client.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(row["detail"] for row in rows)
        assert all(f"COVERING INDEX photo_phash_band{number}_idx" in plan for number in range(len(BANDS))), plan
        assert "SCAN" not in plan, plan
    else:
        plan = " ".join(row["QUERY PLAN"] for row in await client.execute_query_dict(f"EXPLAIN {sql}", params))
        assert "BitmapOr" in plan and "Seq Scan" not in plan, plan
        assert all(f"Bitmap Index Scan on photo_phash_band{number}_idx" in plan for number in range(len(BANDS))), plan
