"""One writer per state machine: a transition table, a move function over it, and a history row per move.

Reports have their own (`bot.reports.lifecycle`, with `StatusChange` as the outbox); every other state
machine (reward grants, payout batches, broadcasts, ...) is a `Machine`: the table is data, `move` is
the only code that writes the state column, and each move records who, when and why in `StateHistory`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from tortoise.exceptions import DoesNotExist
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.reports.models import StateHistory

S = TypeVar("S", bound=StrEnum)


class IllegalMoveError(ValueError):
    """The machine's table does not allow this move from the row's current state; nothing was written."""


@dataclass(frozen=True)
class Machine(Generic[S]):
    name: str  #: stored in StateHistory.machine ("grant", "payout_batch", "broadcast")
    model: type[Model]
    states: type[S]
    table: Mapping[S | None, frozenset[S]]  #: from-state (None: a new row) -> the states it may move to
    column: str = "state"

    def allows(self, current: S | None, to: S) -> bool:
        return to in self.table[current]

    async def born(self, row: Model, *, actor: str, now: datetime, why: str = "", through: Sequence[S] = ()) -> None:
        """Record a new row's first state (the row was created in that state by its module's one writer).

        `through`: the states the row passed through before it, when the transaction that decided and created it
        also made the moves (a grant found eligible, then booked); each is checked and recorded as its own move."""
        path = [*through, self.states(getattr(row, self.column))]
        steps = list(zip([None, *path], path, strict=False))
        for current, to in steps:
            if not self.allows(current, to):
                raise IllegalMoveError(f"{self.name} {row.pk}: {current or 'a new row'} -> {to} is not allowed")
        await StateHistory.bulk_create(
            [
                StateHistory(
                    machine=self.name,
                    entity_id=row.pk,
                    from_state=None if current is None else current.value,
                    to_state=to.value,
                    actor=actor,
                    reason=why,
                    changed_at=now,
                )
                for current, to in steps
            ]
        )

    async def move(self, row_id: int, to: S, *, actor: str, now: datetime, why: str = "", **fields: Any) -> S:
        """Move the row to `to` (and write `fields` with it) if the table allows; returns the state it left."""
        async with in_transaction():
            row = await self.model.select_for_update().get(pk=row_id)
            current = self.states(getattr(row, self.column))
            if not self.allows(current, to):
                raise IllegalMoveError(f"{self.name} {row_id}: {current} -> {to} is not allowed")
            await self.model.filter(pk=row_id).update(**{self.column: to}, **fields)
            await self._history(row_id, current, to, actor=actor, why=why, now=now)
        return current

    async def try_move(self, row_id: int, to: S, *, actor: str, now: datetime, why: str = "", **fields: Any) -> bool:
        """`move`, or False (nothing written) when the row is missing or not in a state that may move to `to`."""
        try:
            await self.move(row_id, to, actor=actor, now=now, why=why, **fields)
        except (IllegalMoveError, DoesNotExist):
            return False
        return True

    async def _history(self, row_id: int, current: S | None, to: S, *, actor: str, why: str, now: datetime) -> None:
        await StateHistory.create(
            machine=self.name,
            entity_id=row_id,
            from_state=current.value if current is not None else None,
            to_state=to.value,
            actor=actor,
            reason=why,
            changed_at=now,
        )
