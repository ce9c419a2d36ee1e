"""Report statuses and the transition table: the whole lifecycle as data (written only by `lifecycle`)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  #: filed, awaiting moderation
    NEEDS_INFO = "needs_info"  #: moderator asked the reporter a question
    ACCEPTED = "accepted"  #: a real hazard, awaiting dispatch
    DISPATCHED = "dispatched"  #: sent to the responsible agency / grid unit
    IN_PROGRESS = "in_progress"  #: the agency is working on it
    FIXED = "fixed"  #: the agency says the hazard is removed; awaiting verification by someone else
    #: someone other than the crew (the reporter, a grid verifier) confirmed the fix, or nobody objected in time
    VERIFIED_FIXED = "verified_fixed"
    REOPENED = "reopened"  #: the reporter or staff said it is not really fixed
    REJECTED = "rejected"  #: not a hazard / not acceptable, with a reason
    DUPLICATE = "duplicate"  #: merged into another report
    NOT_RESPONSIBLE = "not_responsible"  #: outside our agencies' remit
    NO_ACTION = "no_action"  #: closed without action


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED}
)
CLOSED_NOT_FIXED = frozenset({Status.REJECTED, Status.DUPLICATE, Status.NOT_RESPONSIBLE, Status.NO_ACTION})
#: Said to be fixed: by the agency (awaiting verification), then verified. Neither is open, neither is closed-not-fixed.
FIXED_STATUSES = frozenset({Status.FIXED, Status.VERIFIED_FIXED})
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
    # Back to `accepted`: the crew found on site that it is not theirs, so it waits for another dispatch.
    Status.IN_PROGRESS: frozenset(
        {Status.FIXED, Status.DISPATCHED, Status.ACCEPTED, Status.NO_ACTION, Status.NOT_RESPONSIBLE, Status.DUPLICATE}
    ),
    # Verified only by someone other than the crew (lifecycle.may_confirm_fix), or when nobody objected in time.
    Status.FIXED: frozenset({Status.VERIFIED_FIXED, Status.REOPENED}),
    Status.VERIFIED_FIXED: frozenset({Status.REOPENED}),  # it came back: the reporter or staff reopen it
    Status.REOPENED: frozenset(
        {Status.ACCEPTED, Status.NEEDS_INFO, Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED} | _CLOSE
    ),
    Status.REJECTED: frozenset({Status.REOPENED}),
    Status.DUPLICATE: frozenset(),  # merged for good: its reporter and followers now follow the original
    Status.NOT_RESPONSIBLE: frozenset({Status.REOPENED}),
    Status.NO_ACTION: frozenset({Status.REOPENED}),
}
