"""The reward grant and payout batch state machines: their tables, and the one function that moves each.

Every state change goes through `GRANTS.move` / `BATCHES.move` (bot/machines.py), which checks the
table and records who, when and why; the modules that decide (grants, payouts, lapse) never write
`state` themselves.
"""

from __future__ import annotations

from enum import StrEnum

from bot.machines import Machine
from rewards.models import PayoutBatch, RewardGrant


class GrantState(StrEnum):
    GRANTED = "granted"  # booked: budget -> the reporter's payable account
    PENDING_BUDGET = "pending_budget"  # eligible, but no running pool has the money yet
    HELD = "held"  # fraud signals: an official releases or rejects it
    INELIGIBLE = "ineligible"  # staff, capped, or a zero amount: kept so the admin sees why
    REJECTED = "rejected"  # held, then refused
    REVERSED = "reversed"  # taken back (false or fraudulent report)
    PAID = "paid"
    LAPSED = "lapsed"  # nobody claimed it in time


_G = GrantState
GRANT_MOVES: dict[GrantState | None, frozenset[GrantState]] = {
    None: frozenset({_G.PENDING_BUDGET, _G.HELD, _G.INELIGIBLE}),
    _G.PENDING_BUDGET: frozenset({_G.GRANTED, _G.REVERSED}),
    _G.HELD: frozenset({_G.GRANTED, _G.PENDING_BUDGET, _G.REJECTED, _G.REVERSED}),
    _G.GRANTED: frozenset({_G.PAID, _G.LAPSED, _G.REVERSED}),
    _G.PAID: frozenset({_G.REVERSED}),  # a paid grant taken back becomes the resident's debt
    _G.INELIGIBLE: frozenset(),
    _G.REJECTED: frozenset(),
    _G.REVERSED: frozenset(),
    _G.LAPSED: frozenset(),
}
GRANTS = Machine("grant", RewardGrant, GrantState, GRANT_MOVES)


class BatchState(StrEnum):
    OPEN = "open"  # created, not yet given to finance
    EXPORTED = "exported"  # the CSV was downloaded
    PAID = "paid"
    CANCELLED = "cancelled"


_B = BatchState
BATCH_MOVES: dict[BatchState | None, frozenset[BatchState]] = {
    None: frozenset({_B.OPEN}),
    _B.OPEN: frozenset({_B.EXPORTED, _B.CANCELLED}),
    _B.EXPORTED: frozenset({_B.PAID, _B.CANCELLED}),
    _B.PAID: frozenset(),
    _B.CANCELLED: frozenset(),
}
BATCHES = Machine("payout_batch", PayoutBatch, BatchState, BATCH_MOVES)
