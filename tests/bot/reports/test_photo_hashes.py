"""The process's in-memory pHashes stay complete whoever writes photos and in whatever order transactions
commit; what they name is checked against the database's current rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from bot.reports import photo_hashes as photo_hashes_module
from bot.reports.models import Photo, Resident
from bot.reports.photo_index import near_photos
from bot.reports.spatial import placeholders_for
from tests.factories import make_archived_photos

QUERY = "a4b1653289fe710f"
NEAR = "a4b1653289fe7100"  # 4 bits from QUERY
NEAR_TOO = "a4b1653289fe0f0f"  # 6 bits from QUERY
FAR = "5b4e9acd76018ef0"  # every bit flipped


class RolledBackError(Exception):
    pass


async def _archive(*phashes: str) -> list[int]:
    await Resident.get_or_create(id=2, defaults={"chat_id": 2, "first_name": "R2"})
    return await make_archived_photos(list(phashes), [2])


async def _insert_photo_by_sql(report_id: int, phash: str) -> None:
    """A writer that is not the ORM (another process, a bulk import, a moderator's SQL)."""
    client = Photo._meta.db
    await client.execute_query(
        placeholders_for(
            client.capabilities.dialect,
            "INSERT INTO photo (report_id, owner_id, storage_key, thumbnail_key, sha256, phash, width_px, height_px,"
            " telegram_file_unique_id, position, created_at)"
            " VALUES (?, 2, 'k', 't', '', ?, 1, 1, '', 1, CURRENT_TIMESTAMP)",
        ),
        [report_id, phash],
    )


async def _found() -> set[tuple[int, int]]:
    return {(near.report_id, near.phash_distance) for near in await near_photos([QUERY], 8)}


async def test_a_photo_written_by_sql_after_the_first_use_is_found(orm: None) -> None:
    [far_report] = await _archive(FAR)
    assert await _found() == set()  # the pHashes are in memory from here on
    await _insert_photo_by_sql(far_report, NEAR)
    assert await _found() == {(far_report, 4)}


async def test_a_rewritten_phash_counts_as_it_is_now(orm: None) -> None:
    near_report, far_report = await _archive(NEAR, FAR)
    assert await _found() == {(near_report, 4)}
    client = Photo._meta.db
    await client.execute_query(
        placeholders_for(client.capabilities.dialect, "UPDATE photo SET phash = ? WHERE phash = ?"), [FAR, NEAR]
    )
    await Photo.filter(report_id=far_report).update(phash=NEAR_TOO)
    assert await _found() == {(far_report, 6)}


async def test_a_merged_photo_is_reported_with_its_report_now_and_a_deleted_one_not_at_all(orm: None) -> None:
    near_report, near_too_report, far_report = await _archive(NEAR, NEAR_TOO, FAR)
    assert await _found() == {(near_report, 4), (near_too_report, 6)}
    await Photo.filter(report_id=near_report).update(report_id=far_report)
    await Photo.filter(report_id=near_too_report).delete()
    assert await _found() == {(far_report, 4)}


async def test_a_photo_rolled_back_is_forgotten_and_the_next_one_found(orm: None) -> None:
    """On SQLite the rolled-back photo's log seq is used again by the next photo: it must not be skipped."""
    near_report, far_report = await _archive(NEAR, FAR)
    assert await _found() == {(near_report, 4)}

    async def insert_then_roll_back() -> None:
        async with in_transaction():
            await _insert_photo_by_sql(far_report, NEAR_TOO)
            assert await _found() == {(near_report, 4), (far_report, 6)}  # the transaction sees its own photo
            raise RolledBackError

    with pytest.raises(RolledBackError):
        await insert_then_roll_back()
    assert await _found() == {(near_report, 4)}
    await Photo.filter(report_id=near_report).delete()
    await _insert_photo_by_sql(far_report, NEAR_TOO)
    assert await _found() == {(far_report, 6)}


async def test_every_photo_is_found_across_pages_and_folds(orm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading reads the log in pages; new photos are folded into the sorted arrays past a threshold."""
    monkeypatch.setattr(photo_hashes_module, "PAGE_ROWS", 2)
    monkeypatch.setattr(photo_hashes_module, "FOLD_AT", 2)
    report_ids = await _archive(NEAR, FAR, NEAR_TOO, FAR, FAR)
    assert await _found() == {(report_ids[0], 4), (report_ids[2], 6)}
    for report_id in report_ids[3:]:
        await _insert_photo_by_sql(report_id, NEAR)
        await _found()
    folding = photo_hashes_module.photo_hashes(Photo._meta.db)._folding
    if folding is not None:
        await folding
    await _insert_photo_by_sql(report_ids[1], NEAR_TOO)
    assert await _found() == {
        (report_ids[0], 4),
        (report_ids[1], 6),
        (report_ids[2], 6),
        (report_ids[3], 4),
        (report_ids[4], 4),
    }


async def test_a_transaction_committing_after_a_later_one_is_still_found(orm: None) -> None:
    """PostgreSQL: log seqs commit out of order. A photo inserted by a transaction that commits after a later
    photo was read (and the reader's mark moved past it) is found all the same."""
    if Photo._meta.db.capabilities.dialect == "sqlite":
        pytest.skip("SQLite has one writer at a time: seqs commit in order")
    near_report, far_report = await _archive(FAR, FAR)
    assert await _found() == set()
    inserted, read = asyncio.Event(), asyncio.Event()

    async def later_writer_and_reader() -> set[tuple[int, int]]:  # outside the open transaction
        await inserted.wait()
        await _insert_photo_by_sql(far_report, NEAR_TOO)
        found = await _found()
        read.set()
        return found

    outside = asyncio.create_task(later_writer_and_reader())
    async with in_transaction():
        await _insert_photo_by_sql(near_report, NEAR)  # the earlier seq
        inserted.set()
        await read.wait()
    assert await outside == {(far_report, 6)}
    assert await _found() == {(near_report, 4), (far_report, 6)}
