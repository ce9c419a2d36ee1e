"""One process's SQLite write connection: plain statements share it, a transaction has it alone
(bot/sqlite_sharing.py), and what each statement reports is its own."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.reports.models import Resident
from bot.sqlite_sharing import SharedOrAlone


async def _turn() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


class TestSharedOrAlone:
    async def test_plain_statements_share(self) -> None:
        lock = SharedOrAlone()
        await asyncio.wait_for(asyncio.gather(lock.share(), lock.share(), lock.share()), 1)

    async def test_a_transaction_waits_for_the_plain_statements_in_flight(self) -> None:
        lock = SharedOrAlone()
        await lock.share()
        transaction = asyncio.create_task(lock.acquire())
        await _turn()
        assert not transaction.done()
        lock.unshare()
        await asyncio.wait_for(transaction, 1)
        assert lock.locked()

    async def test_a_plain_statement_queues_behind_a_waiting_transaction(self) -> None:
        """Else a stream of plain statements would keep the transaction waiting for ever."""
        lock, order = SharedOrAlone(), []
        await lock.share()

        async def transaction() -> None:
            await lock.acquire()
            order.append("transaction")
            lock.release()

        async def statement() -> None:
            await lock.share()
            order.append("statement")
            lock.unshare()

        waiting = [asyncio.create_task(transaction())]
        await _turn()
        waiting.append(asyncio.create_task(statement()))
        await _turn()
        assert order == []
        lock.unshare()
        await asyncio.wait_for(asyncio.gather(*waiting), 1)
        assert order == ["transaction", "statement"]

    async def test_a_cancelled_wait_leaves_the_lock_usable(self) -> None:
        lock = SharedOrAlone()
        await lock.acquire()
        gave_up = asyncio.create_task(lock.share())
        await _turn()
        gave_up.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gave_up
        lock.release()
        await asyncio.wait_for(lock.acquire(), 1)


def _client() -> BaseDBAsyncClient:
    client = Resident._meta.db
    if client.capabilities.dialect != "sqlite":
        pytest.skip("PostgreSQL has a pool of connections, not one shared one")
    return client


async def test_concurrent_updates_each_report_their_own_row_count(orm: None) -> None:
    """Tortoise counts a statement's rows from the connection's total_changes, which on a shared connection
    would include the rows of statements running meanwhile; callers decide races on these counts."""
    _client()
    await Resident.bulk_create([Resident(id=i, chat_id=i, first_name=f"R{i % 5}") for i in range(1, 101)])
    counts = await asyncio.gather(
        *(Resident.filter(first_name=f"R{n}").update(language="en") for n in range(5)),
        *(Resident.filter(id=1000 + n).update(language="en") for n in range(5)),
    )
    assert counts == [20, 20, 20, 20, 20, 0, 0, 0, 0, 0]


async def test_a_plain_statement_never_lands_inside_a_transaction(orm: None) -> None:
    """A resident added while another task's transaction is open outlives that transaction's rollback."""
    _client()
    opened = asyncio.Event()

    async def rolled_back() -> None:
        async with in_transaction() as connection:
            await Resident.create(id=1, chat_id=1, first_name="inside", using_db=connection)
            opened.set()
            await asyncio.sleep(0.05)  # the plain insert is asked for meanwhile
            raise RuntimeError("roll back")

    async def plain() -> None:
        await opened.wait()
        await Resident.create(id=2, chat_id=2, first_name="outside")

    rollback, inserted = await asyncio.wait_for(asyncio.gather(rolled_back(), plain(), return_exceptions=True), 5)
    assert isinstance(rollback, RuntimeError) and inserted is None
    assert [resident.first_name for resident in await Resident.all()] == ["outside"]


async def test_a_transaction_left_open_is_rolled_back_before_the_next_begins(orm: None) -> None:
    """A leftover (say, a COMMIT that failed) is not kept by whoever begins next."""
    client = _client()
    await Resident.create(id=1, chat_id=1, first_name="before")
    connection = client._connection  # the write connection itself, below tortoise
    await connection.execute("BEGIN")
    await Resident.filter(id=1).update(first_name="left open")
    async with in_transaction():
        await Resident.create(id=2, chat_id=2, first_name="next")
    assert sorted((r.id, r.first_name) for r in await Resident.all()) == [(1, "before"), (2, "next")]
