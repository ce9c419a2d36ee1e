"""Every filed photo's pHash in this process's memory, brought up to date from the database on every use.

Why: the SQL band indexes answer a 3-photo intake query with ~2,200 B-tree seeks, about 4 ms at a million
photos on SQLite whatever the SQL looks like; the same probes in sorted arrays (bot.reports.hash_index)
cost a fraction of a millisecond. Several processes share one database, so nothing here decides anything:
the memory only says which photo ids *may* be close, and the caller reads those photos' current rows (their
pHash, report, merge) from the database and measures them exactly. The memory may therefore hold too much
(photos since deleted, a pHash since changed: both are dropped by that read), never too little:

- Migration core/0013's triggers append (photo id, pHash) to `photo_hash_log` for every photo filed (inserted
  with a report or given one at submit) and every filed photo's pHash changed, whichever process or tool
  writes (the ORM, a bulk import, a moderator's SQL). A draft's photos stay out (intake would always find
  them: one more statement per check); a photo moved to another report keeps its id, and its row says where.
- Each use first reads the log past this process's mark. SQLite: the log's `seq` (AUTOINCREMENT, never
  reused) is taken inside the writing transaction and SQLite has one writer at a time, so seqs become
  visible in order: every row up to the last seq read has been read. PostgreSQL: seqs commit out of order,
  so the mark is the oldest transaction still running when the read's snapshot was taken
  (`pg_snapshot_xmin`); every writer not yet visible then has a transaction id at or above it, and the next
  read asks for every log row written by those transactions (rows already held are merely read again).
- Inside a transaction the read may see rows that are later rolled back (on SQLite, their seq is then used
  again): they serve that one query and neither enter the memory nor move the mark.

Memory: ~40 bytes a photo (40 MB at a million). Loading reads the whole log (paged, ~1-3 s at a million
photos on SQLite); each process starts it at start-up (bot.reports.warm_up). New photos are kept in a small
list checked by brute force and folded into the sorted arrays, off the event loop, once it grows.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient

from bot.reports.hash_index import HashIndex, closest_distances, hashes_of, parse_hash
from bot.reports.spatial import placeholders_for

#: Log rows read per statement: one page is a short hold of the connection, not a stall of the process.
PAGE_ROWS = 50_000
#: New photos checked by brute force (~0.1 ms for 3 hashes) before they are folded into the sorted arrays.
FOLD_AT = 20_000

# A page comes back as one row: its ids and pHashes each joined by commas (aligned: one aggregate pass), which parse at
# C speed where a million rows as Python tuples took seconds. Rows are kept in seq order.
_SQLITE_PAGE = (
    "SELECT NULL, count(*), max(seq), group_concat(photo_id), group_concat(phash),"
    " group_concat(coalesce(report_id, 0)) FROM"
    " (SELECT seq, photo_id, phash, report_id FROM photo_hash_log WHERE seq > ? ORDER BY seq LIMIT ?)"
)
_POSTGRES_PAGE = (
    "SELECT x.oldest, count(l.seq), max(l.seq), string_agg(l.photo_id::text, ',' ORDER BY l.seq),"
    " string_agg(l.phash, ',' ORDER BY l.seq), string_agg(coalesce(l.report_id, 0)::text, ',' ORDER BY l.seq)"
    " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS oldest) AS x"
    " LEFT JOIN (SELECT seq, photo_id, phash, report_id FROM photo_hash_log"
    " WHERE xid >= ? AND seq > ? ORDER BY seq LIMIT ?)"
    " AS l ON TRUE GROUP BY x.oldest"
)
_ROWS = "SELECT photo_id, phash, coalesce(report_id, 0) FROM photo_hash_log WHERE seq > ? AND seq <= ?"

Rows = list[tuple[int, int]]  # (photo id, pHash)
Arrays = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]  # photo ids, and their pHashes
Log = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.int64]]  # ... and reports (0: none)


class PhotoHashes:
    """One database's photo hashes as this process last read them, and where it stopped reading."""

    def __init__(self) -> None:
        self.index = HashIndex.build(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64))
        self.recent: dict[int, int] = {}  # photo id -> pHash read since the last fold
        self.mark = 0  # SQLite: the last seq read; PostgreSQL: the oldest running transaction then
        self.loaded = False
        self._recent_arrays: Arrays | None = None
        self._lock = asyncio.Lock()
        self._folding: asyncio.Task[None] | None = None

    async def within(
        self, client: BaseDBAsyncClient, wanted: Sequence[int], max_distance: int, exclude_report_id: int = 0
    ) -> list[int] | None:
        """Ids of the filed photos whose pHash, as last read, is at most `max_distance` bits from one of
        `wanted`: every one that is, and perhaps a few that no longer are. None inside a transaction before
        the first load (a load there could keep rows the transaction rolls back). Inside a transaction, a
        photo whose latest log row (this transaction's view) puts it on `exclude_report_id` is left out:
        the report filed in it does not read its own photos back."""
        tail_ids, tail_hashes, tail_reports = _joined([])
        if isinstance(client, TransactionalDBClient):
            if not self.loaded:
                return None
            _, (tail_ids, tail_hashes, tail_reports) = await _read_log(client, self.mark)  # see the module's doc
        else:
            await self.load(client)  # one reader at a time: a concurrent use waits for the same rows
        query = np.array(wanted, dtype=np.uint64)
        found = set(self.index.within(query, max_distance).tolist())
        for ids, hashes in (self._recent(), (tail_ids, tail_hashes)):
            found.update(ids[closest_distances(hashes, query) <= max_distance].tolist())
        now_on = dict(zip(tail_ids.tolist(), tail_reports.tolist(), strict=True))  # the latest row wins
        return sorted(
            photo_id for photo_id in found if not exclude_report_id or now_on.get(photo_id) != exclude_report_id
        )

    async def load(self, client: BaseDBAsyncClient) -> None:
        """Read the log now (at process start) rather than in the first resident's duplicate check."""
        async with self._lock:
            await self._catch_up(client)

    async def _catch_up(self, client: BaseDBAsyncClient) -> None:
        mark, (ids, hashes, _) = await _read_log(client, self.mark)
        if not self.loaded:
            self.index = await asyncio.to_thread(HashIndex.build, ids, hashes)
            self.loaded = True
        elif len(ids):
            self.recent.update(zip(ids.tolist(), hashes.tolist(), strict=True))
            self._recent_arrays = None
        self.mark = mark
        if len(self.recent) >= FOLD_AT and self._folding is None:
            self._folding = asyncio.create_task(self._fold())

    async def _fold(self) -> None:
        """A new sorted index of everything read so far, built in a thread while queries use the old one."""
        folded = dict(self.recent)
        try:
            self.index = await asyncio.to_thread(_folded, self.index, *_arrays(list(folded.items())))
            for photo_id, phash in folded.items():
                if self.recent.get(photo_id) == phash:
                    del self.recent[photo_id]
            self._recent_arrays = None
        finally:
            self._folding = None

    def _recent(self) -> Arrays:
        if self._recent_arrays is None:
            self._recent_arrays = _arrays(list(self.recent.items()))
        return self._recent_arrays


def _folded(index: HashIndex, ids: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64]) -> HashIndex:
    """`index` with these photos too, each (id, pHash) once (PostgreSQL reads a row again while an older
    transaction runs)."""
    all_ids, all_hashes = np.concatenate([index.ids, ids]), np.concatenate([index.hashes, hashes])
    order = np.lexsort((all_hashes, all_ids))
    all_ids, all_hashes = all_ids[order], all_hashes[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (all_ids[1:] != all_ids[:-1]) | (all_hashes[1:] != all_hashes[:-1])
    return HashIndex.build(all_ids[first], all_hashes[first])


def _arrays(rows: Rows) -> Arrays:
    ids = np.fromiter((photo_id for photo_id, _ in rows), dtype=np.int64, count=len(rows))
    hashes = np.fromiter((phash for _, phash in rows), dtype=np.uint64, count=len(rows))
    return ids, hashes


async def _read_log(client: BaseDBAsyncClient, mark: int) -> tuple[int, Log]:
    """The log rows past `mark` (well-formed pHashes only: no other can be within a distance) and the
    mark after them, page by page."""
    sqlite = client.capabilities.dialect == "sqlite"
    pages: list[Log] = []
    after_seq, next_mark = mark if sqlite else 0, None
    while True:
        sql, params = (_SQLITE_PAGE, [after_seq]) if sqlite else (_POSTGRES_PAGE, [mark, after_seq])
        params.append(PAGE_ROWS)
        _, rows = await client.execute_query(placeholders_for(client.capabilities.dialect, sql), params)
        oldest, count, last_seq, ids, phashes, reports = rows[0]
        if next_mark is None:
            next_mark = oldest  # PostgreSQL: the first page's snapshot is the oldest (see the module's doc)
        if count:
            pages.append(_page(ids, phashes, reports, count) or await _page_by_rows(client, after_seq, last_seq))
            after_seq = int(last_seq)
        if count < PAGE_ROWS:
            return (after_seq if sqlite else int(next_mark)), _joined(pages)


def _page(ids: str, phashes: str, reports: str, count: int) -> Log | None:
    """A page's joined ids, pHashes and reports as arrays; None when a malformed pHash is among them."""
    texts = phashes.split(",")
    parsed = hashes_of(texts) if len(texts) == count else None
    if parsed is None:
        return None
    return np.array(ids.split(","), dtype=np.int64), parsed, np.array(reports.split(","), dtype=np.int64)


async def _page_by_rows(client: BaseDBAsyncClient, after_seq: int, last_seq: int) -> Log:
    """A page holding a malformed pHash (legacy or hand-edited rows), read and parsed row by row."""
    _, rows = await client.execute_query(placeholders_for(client.capabilities.dialect, _ROWS), [after_seq, last_seq])
    parsed = [(int(photo_id), parse_hash(phash), int(report_id)) for photo_id, phash, report_id in rows]
    kept = [(photo_id, phash, report_id) for photo_id, phash, report_id in parsed if phash is not None]
    ids, hashes = _arrays([(photo_id, phash) for photo_id, phash, _ in kept])
    return ids, hashes, np.array([report_id for _, _, report_id in kept], dtype=np.int64)


def _joined(pages: list[Log]) -> Log:
    if not pages:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    return tuple(np.concatenate([page[column] for page in pages]) for column in range(3))  # type: ignore[return-value]


_BY_DATABASE: weakref.WeakKeyDictionary[BaseDBAsyncClient, PhotoHashes] = weakref.WeakKeyDictionary()


def photo_hashes(client: BaseDBAsyncClient) -> PhotoHashes:
    """The hashes of the database `client` (or the transaction on it) talks to."""
    while isinstance(client, TransactionalDBClient):
        client = client._parent
    if client not in _BY_DATABASE:
        _BY_DATABASE[client] = PhotoHashes()
    return _BY_DATABASE[client]
