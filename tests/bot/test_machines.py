"""One writer per state machine (issue 9, acceptance 5): each machine's table walked move by move.

For every (from, to) pair a fresh row is put in `from` (test setup), then moved: a legal move writes
the state and one history row (who, when, why); an illegal one raises and leaves the row as it was.
No module but the machine writes these state columns (checked on the source).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise.models import Model

from bot.machines import IllegalMoveError, Machine
from bot.reports.models import StateHistory
from broadcasts.models import Broadcast
from broadcasts.states import BROADCASTS
from rewards.models import PayoutBatch, RewardGrant
from rewards.states import BATCHES, GRANTS, GrantState
from tests.factories import make_report, make_resident

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
Builder = Callable[[str, int], Awaitable[Model]]


async def grant_in(state: str, n: int) -> Model:
    reporter = await make_resident(n)
    report = await make_report(reporter)
    return await RewardGrant.create(
        report=report, resident=reporter, state=state, base_fen=100, amount_fen=100, created_at=NOW
    )


async def batch_in(state: str, n: int) -> Model:
    return await PayoutBatch.create(state=state, currency="CNY", min_fen=1, created_at=NOW)


async def broadcast_in(state: str, n: int) -> Model:
    return await Broadcast.create(title="t", texts={"en": "x"}, target={}, status=state, created_at=NOW)


MACHINES: list[tuple[Machine[Any], Builder]] = [(GRANTS, grant_in), (BATCHES, batch_in), (BROADCASTS, broadcast_in)]


@pytest.mark.parametrize(("machine", "build"), MACHINES, ids=[m.name for m, _ in MACHINES])
async def test_the_table_is_the_law(orm: None, machine: Machine[Any], build: Builder) -> None:
    states = [state for state in machine.table if state is not None]
    assert sorted(states) == sorted(machine.states.__members__.values()), "every state has a row in the table"
    n = 0
    for current in states:
        for to in states:
            n += 1
            row = await build(current.value, n)
            if to in machine.table[current]:
                assert await machine.move(row.pk, to, actor="staff:7", now=NOW, why=f"{current}->{to}") == current
                assert getattr(await type(row).get(pk=row.pk), machine.column) == to
                [history] = await StateHistory.filter(machine=machine.name, entity_id=row.pk)
                assert (history.from_state, history.to_state, history.actor) == (current, to, "staff:7")
                assert (history.reason, history.changed_at) == (f"{current}->{to}", NOW)
            else:
                with pytest.raises(IllegalMoveError):
                    await machine.move(row.pk, to, actor="staff:7", now=NOW)
                assert not await machine.try_move(row.pk, to, actor="staff:7", now=NOW)
                assert getattr(await type(row).get(pk=row.pk), machine.column) == current
                assert not await StateHistory.filter(machine=machine.name, entity_id=row.pk).exists()


@pytest.mark.parametrize(("machine", "build"), MACHINES, ids=[m.name for m, _ in MACHINES])
async def test_a_row_is_born_only_in_a_starting_state(orm: None, machine: Machine[Any], build: Builder) -> None:
    for n, state in enumerate((s for s in machine.table if s is not None), start=1):
        row = await build(state.value, n)
        if state in machine.table[None]:
            await machine.born(row, actor="system:test", now=NOW)
            assert await StateHistory.filter(machine=machine.name, entity_id=row.pk, from_state=None).count() == 1
        else:
            with pytest.raises(IllegalMoveError):
                await machine.born(row, actor="system:test", now=NOW)


async def test_a_row_born_through_moves_records_each_move_of_a_legal_path(orm: None) -> None:
    """A grant decided and booked in one transaction is created granted, born through pending_budget: two
    history rows, in order. A path the table does not allow raises."""
    booked = await grant_in("granted", 1)
    await GRANTS.born(booked, actor="system:test", now=NOW, through=(GrantState.PENDING_BUDGET,))
    history = await StateHistory.filter(machine="grant", entity_id=booked.pk).order_by("id")
    assert [(row.from_state, row.to_state) for row in history] == [
        (None, "pending_budget"),
        ("pending_budget", "granted"),
    ]
    for n, through in enumerate(((), (GrantState.INELIGIBLE,), (GrantState.PAID,)), start=2):
        with pytest.raises(IllegalMoveError):
            await GRANTS.born(await grant_in("granted", n), actor="system:test", now=NOW, through=through)


def test_nothing_else_writes_the_state_columns() -> None:
    """Only the machines write `state`/`status` of grants, batches and broadcasts (creation aside)."""
    writes = re.compile(
        r"(RewardGrant|PayoutBatch|Broadcast)\.filter\([^)]*\)\s*\.update\([^)]*\b(state|status)="
        r"|\b(grant|batch|broadcast|current)\.(state|status)\s*=[^=]"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("rewards", "broadcasts", "bot")
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if writes.search(line)
    ]
    assert offenders == []
