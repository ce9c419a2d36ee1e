"""The broadcast state machine: its table, and `BROADCASTS.move`, the only writer of `Broadcast.status`.

Officials steer it (schedule, pause, resume, cancel: broadcasts/control.py), workers start and finish
it (broadcasts/delivery.py), the education day creates it scheduled; each move records who, when, why.
"""

from __future__ import annotations

from bot.machines import Machine
from broadcasts.models import Broadcast, BroadcastStatus

_S = BroadcastStatus
BROADCAST_MOVES: dict[BroadcastStatus | None, frozenset[BroadcastStatus]] = {
    None: frozenset({_S.DRAFT, _S.SCHEDULED}),  # an official's draft, or the education day's own
    _S.DRAFT: frozenset({_S.SCHEDULED, _S.CANCELLED}),
    _S.SCHEDULED: frozenset({_S.RUNNING, _S.PAUSED, _S.CANCELLED}),
    _S.RUNNING: frozenset({_S.PAUSED, _S.CANCELLED, _S.DONE}),
    _S.PAUSED: frozenset({_S.RUNNING, _S.SCHEDULED, _S.CANCELLED}),
    _S.CANCELLED: frozenset(),
    _S.DONE: frozenset(),
}
BROADCASTS = Machine("broadcast", Broadcast, BroadcastStatus, BROADCAST_MOVES, column="status")
#: The actor of the moves workers make.
WORKER = "system:broadcasts"
