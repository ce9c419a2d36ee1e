"""Report statuses, the explicit transition table, and `transition`, the only writer of `Report.status`.

Also owns the reopen rule (only the reporter or staff, at most `MAX_REOPENS` times), because it
guards a status change like the table does; everything else that reacts to a change (SLA clocks,
notifications, rewards) is a listener registered by the composition root.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise.expressions import F
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
#: Waiting for a moderator's decision (the moderation SLA clock runs).
AWAITING_MODERATION = frozenset({Status.SUBMITTED, Status.REOPENED})
#: Accepted and waiting for the agency (the resolution SLA clock runs).
AWAITING_RESOLUTION = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})
#: The reporter and staff may reopen a report at most this often (SeeClickFix-style reopen limit).
MAX_REOPENS = 2

_CLOSE = CLOSED_NOT_FIXED
#: The whole lifecycle as data: from-status -> statuses it may move to.
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.NEEDS_INFO} | _CLOSE),
    # The reporter's answer returns the report to the queue (submitted).
    Status.NEEDS_INFO: frozenset({Status.SUBMITTED, Status.ACCEPTED} | _CLOSE),
    Status.ACCEPTED: frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED} | _CLOSE),
    Status.DISPATCHED: frozenset({Status.IN_PROGRESS, Status.FIXED, Status.ACCEPTED} | _CLOSE),
    Status.IN_PROGRESS: frozenset(
        {Status.FIXED, Status.DISPATCHED, Status.NO_ACTION, Status.NOT_RESPONSIBLE, Status.DUPLICATE}
    ),
    Status.FIXED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset(
        {Status.ACCEPTED, Status.NEEDS_INFO, Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED} | _CLOSE
    ),
    Status.REJECTED: frozenset({Status.REOPENED}),
    Status.DUPLICATE: frozenset(),  # merged for good: its reporter and followers now follow the original
    Status.NOT_RESPONSIBLE: frozenset({Status.REOPENED}),
    Status.NO_ACTION: frozenset({Status.REOPENED}),
}


class TransitionError(ValueError):
    """A status change that must not happen; the report is left as it was."""


class IllegalTransitionError(TransitionError):
    """The transition table does not allow this change."""


class ReopenNotAllowedError(TransitionError):
    """Only the reporter and staff may reopen a report."""


class ReopenLimitError(TransitionError):
    """The report was already reopened MAX_REOPENS times."""


#: Called after a change (e.g. to enqueue notifications); registered by the composition root.
StatusListener = Callable[[Report, StatusChange], Any]
_listeners: list[StatusListener] = []


def add_listener(listener: StatusListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: StatusListener) -> None:
    """Undo `add_listener` (a process that stops, or a test's runtime, unregisters what it added)."""
    if listener in _listeners:
        _listeners.remove(listener)


# Changes made inside the current outermost `atomic_changes` block, announced once it commits.
_uncommitted: ContextVar[list[tuple[Report, StatusChange]] | None] = ContextVar("uncommitted_changes", default=None)


@asynccontextmanager
async def atomic_changes() -> AsyncIterator[None]:
    """A transaction whose status changes reach the listeners only after it commits.

    Listeners queue jobs (DMs, reward evaluations) that another process may run at once; announced
    before the commit, such a job would read the report as it was and do nothing."""
    if _uncommitted.get() is not None:  # nested: the outermost block announces
        async with in_transaction():
            yield
        return
    changes: list[tuple[Report, StatusChange]] = []
    token = _uncommitted.set(changes)
    try:
        async with in_transaction():
            yield
    finally:
        _uncommitted.reset(token)
    for report, change in changes:
        await _notify_listeners(report, change)


def can_transition(current: Status | None, to: Status) -> bool:
    return to in TRANSITIONS[current]


def staff_actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def resident_actor(resident_id: int) -> str:
    return f"resident:{resident_id}"


def may_reopen(actor: str, reporter_id: int) -> bool:
    """The reporter (as themselves) and any staff member; never a follower, a job or another resident."""
    return actor.startswith("staff:") or actor == resident_actor(reporter_id)


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
    async with atomic_changes():
        current, reopened = await _locked_state(report)
        if not can_transition(current, to):
            raise IllegalTransitionError(f"report {report.id}: {current} -> {to} is not allowed")
        changed_at = now or datetime.now(UTC)
        fields = _changed_fields(report, to, actor, changed_at, reopened)
        report.status = to
        if report.id is None:
            await report.save()
        else:
            await Report.filter(id=report.id).update(**fields)
            await report.refresh_from_db(fields=["status", "reopen_count", "fixed_at", "updated_at"])
        change = await StatusChange.create(
            report=report,
            from_status=current,
            to_status=to,
            actor=actor,
            reason=reason,
            public_note=public_note,
            changed_at=changed_at,
        )
        uncommitted = _uncommitted.get()
        assert uncommitted is not None  # set by the atomic_changes block just entered
        uncommitted.append((report, change))
    return change


async def _locked_state(report: Report) -> tuple[Status | None, int]:
    """(status, reopen count) as stored, the row locked so racing moderators cannot both move it (PostgreSQL)."""
    if report.id is None:
        return None, 0
    stored = await Report.select_for_update().get(id=report.id)
    return Status(stored.status), stored.reopen_count


def _changed_fields(report: Report, to: Status, actor: str, changed_at: datetime, reopened: int) -> dict[str, Any]:
    """The columns this change writes besides the status; enforces the reopen rule."""
    fields: dict[str, Any] = {"status": to, "updated_at": changed_at}
    if to is Status.FIXED:
        fields["fixed_at"] = report.fixed_at = changed_at
    if to is Status.REOPENED:
        if not may_reopen(actor, report.reporter_id):
            raise ReopenNotAllowedError(f"report {report.id}: {actor} may not reopen it")
        if reopened >= MAX_REOPENS:
            raise ReopenLimitError(f"report {report.id} was already reopened {MAX_REOPENS} times")
        fields["reopen_count"] = F("reopen_count") + 1
    return fields


async def _notify_listeners(report: Report, change: StatusChange) -> None:
    for listener in list(_listeners):
        result = listener(report, change)
        if inspect.isawaitable(result):
            await result
