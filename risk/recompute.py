"""Recomputing cells' levels: store each score, and record (and announce) every change of level once.

A change is written as one conditional update (or insert) of the cell's row, its `LevelChange` and its
domain event, in one transaction: of two recomputations racing on the same cell (two reactions, or a
reaction and the nightly run) only one sees the old level, so a change is recorded, and told, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.city.grid import Grid
from bot.events import EventKind, publish
from risk.facts import gather
from risk.levels import RiskLevel
from risk.models import CellRisk, LevelChange
from risk.rules import RiskRules
from risk.score import CellScore, score_cell


@dataclass(frozen=True)
class Recomputed:
    cells: int  #: cells scored
    changes: list[LevelChange]


def event_key(change: LevelChange) -> str:
    return f"{EventKind.CELL_LEVEL_CHANGED}:{change.id}"


async def _record_change(
    cell: str, district: str | None, row: CellRisk | None, scored: CellScore, *, actor: str, now: datetime
) -> LevelChange | None:
    """Move the cell from its stored level to the scored one; None when another run moved it first."""
    values: dict[str, Any] = {
        "level": scored.level.value,
        "score": scored.score,
        "parts": scored.why(),
        "computed_at": now,
    }
    async with in_transaction():
        if row is None:
            try:
                async with in_transaction():  # a savepoint: losing the insert race keeps the outer transaction
                    await CellRisk.create(cell=cell, district=district, changed_at=now, **values)
            except IntegrityError:
                return None
        elif not await CellRisk.filter(id=row.id, level=row.level).update(changed_at=now, **values):
            return None
        change = await LevelChange.create(
            cell=cell,
            district=district,
            from_level=row.level if row is not None else None,
            to_level=scored.level.value,
            score=scored.score,
            why=scored.why(),
            actor=actor,
            changed_at=now,
        )
        payload = {
            "cell": cell,
            "from": change.from_level,
            "to": change.to_level,
            "why": scored.summary(),
            "change_id": change.id,
            "district": district,
        }
        await publish(event_key(change), EventKind.CELL_LEVEL_CHANGED, payload, actor=actor, now=now)
    return change


async def recompute(
    cells: Sequence[str] | None, rules: RiskRules, grid: Grid, *, actor: str, now: datetime
) -> Recomputed:
    """Score `cells` (None: every cell with facts or a level) and record each change of level."""
    facts = await gather(cells, rules, now)
    stored = {row.cell: row for row in await CellRisk.filter(cell__in=list(facts))} if facts else {}
    changes: list[LevelChange] = []
    unchanged: list[CellRisk] = []
    for cell, cell_facts in sorted(facts.items()):
        scored, row = score_cell(cell_facts, rules, now), stored.get(cell)
        before = RiskLevel(row.level) if row is not None else RiskLevel.BLUE
        if row is None and scored.level is RiskLevel.BLUE:
            continue  # a quiet cell needs no row: no row reads as blue
        if row is not None and scored.level is before:
            row.score, row.parts, row.computed_at = scored.score, scored.why(), now
            unchanged.append(row)
            continue
        change = await _record_change(cell, grid.district_of(cell), row, scored, actor=actor, now=now)
        if change is not None:
            changes.append(change)
    if unchanged:
        await CellRisk.bulk_update(unchanged, fields=["score", "parts", "computed_at"], batch_size=500)
    return Recomputed(len(facts), changes)
