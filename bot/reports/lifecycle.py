"""Report statuses, the explicit transition table, and `transition`, the only writer of `Report.status`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.reports.models import Report, StatusChange


class Status(StrEnum):
    SUBMITTED = "submitted"  #: filed, awaiting moderation
    NEEDS_INFO = "needs_info"  #: moderator asked the reporter a question
    ACCEPTED = "accepted"  #: a real hazard, awaiting dispatch
    DISPATCHED = "dispatched"  #: sent to the responsible agency / grid unit
    IN_PROGRESS = "in_progress"  #: the agency is working on it
    FIXED = "fixed"  #: hazard removed (kept apart from the closed-not-fixed states)
    REOPENED = "reopened"  #: the reporter or staff said it is not really fixed
    REJECTED = "rejected"  #: not a hazard / not acceptable, with a reason
    DUPLICATE = "duplicate"  #: merged into another report
    NOT_RESPONSIBLE = "not_responsible"  #: outside our agencies' remit
    NO_ACTION = "no_action"  #: closed without action


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED}
)
CLOSED_NOT_FIXED = frozenset({Status.REJECTED, Status.DUPLICATE, Status.NOT_RESPONSIBLE, Status.NO_ACTION})

_CLOSE = CLOSED_NOT_FIXED
#: The whole lifecycle as data: from-status -> statuses it may move to.
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.NEEDS_INFO} | _CLOSE),
    Status.NEEDS_INFO: frozenset({Status.SUBMITTED, Status.ACCEPTED} | _CLOSE),
    Status.ACCEPTED: frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED} | _CLOSE),
    Status.DISPATCHED: frozenset({Status.IN_PROGRESS, Status.FIXED, Status.ACCEPTED} | _CLOSE),
    Status.IN_PROGRESS: frozenset({Status.FIXED, Status.DISPATCHED, Status.NO_ACTION, Status.NOT_RESPONSIBLE}),
    Status.FIXED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED} | _CLOSE),
    Status.REJECTED: frozenset({Status.REOPENED}),
    Status.DUPLICATE: frozenset(),
    Status.NOT_RESPONSIBLE: frozenset({Status.REOPENED}),
    Status.NO_ACTION: frozenset({Status.REOPENED}),
}


class IllegalTransition(ValueError):
    """The transition table does not allow this change."""


#: Called after a committed change (e.g. to enqueue notifications); registered by the composition root.
StatusListener = Callable[[Report, StatusChange], object]
_listeners: list[StatusListener] = []


def add_listener(listener: StatusListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def can_transition(current: Status | None, to: Status) -> bool:
    return to in TRANSITIONS[current]


async def transition(
    report: Report,
    to: Status,
    *,
    actor: str,
    reason: str = "",
    public_note: str = "",
    now: datetime | None = None,
) -> StatusChange:
    """Move `report` to `to` if the table allows it, recording who, when and why."""
    async with in_transaction():
        current = None
        if report.id is not None:  # lock the row so racing moderators cannot both move it (PostgreSQL)
            current = Status((await Report.select_for_update().get(id=report.id)).status)
        if not can_transition(current, to):
            raise IllegalTransition(f"report {report.id}: {current} -> {to} is not allowed")
        changed_at = now or datetime.now(UTC)
        report.status = to
        if report.id is None:
            await report.save()
        else:
            await Report.filter(id=report.id).update(status=to, updated_at=changed_at)
        change = await StatusChange.create(
            report=report,
            from_status=current,
            to_status=to,
            actor=actor,
            reason=reason,
            public_note=public_note,
            changed_at=changed_at,
        )
    for listener in _listeners:
        result = listener(report, change)
        if inspect.isawaitable(result):
            await result
    return change
