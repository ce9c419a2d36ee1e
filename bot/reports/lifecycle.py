"""`transition`: the only writer of `Report.status`, over the table in `statuses.TRANSITIONS`.

Each change is one `StatusChange` row, written in the same transaction as the status and the SLA due
dates. That row is also the outbox entry: after the commit, the outbox relay (bot/reports/outbox.py)
runs every feature's reaction to it (DMs, rewards, the moderators' group, ...), durably and once.
Also owns the reopen rule (only the reporter or staff, at most `MAX_REOPENS` times) and the verification
rule (a fix is verified only by someone other than the agency's crew), because they guard a status change
like the table does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.admin.accounts import is_crew_of
from bot.admin.models import StaffUser
from bot.reports.models import Report, StatusChange
from bot.reports.sla import SlaRules, due_fields
from bot.reports.statuses import MAX_REOPENS, TRANSITIONS, Status

SLA_FIELDS = ("moderation_due_at", "resolution_due_at", "overdue")
#: Columns a change may write besides the status and the SLA clocks (refreshed on the caller's object).
STAMP_FIELDS = ("status", "reopen_count", "fixed_at", "verified_fixed_at", "updated_at")


class TransitionError(ValueError):
    """A status change that must not happen; the report is left as it was."""


class IllegalTransitionError(TransitionError):
    """The transition table does not allow this change."""


class ReopenNotAllowedError(TransitionError):
    """Only the reporter and staff may reopen a report."""


class ReopenLimitError(TransitionError):
    """The report was already reopened MAX_REOPENS times."""


class NotIndependentError(TransitionError):
    """The agency's own crew (or whoever said it was fixed) cannot verify the fix."""


def can_transition(current: Status | None, to: Status) -> bool:
    return to in TRANSITIONS[current]


def staff_actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def resident_actor(resident_id: int) -> str:
    return f"resident:{resident_id}"


def may_reopen(actor: str, reporter_id: int | None) -> bool:
    """The reporter (as themselves) and any staff member; never a follower, a job or another resident (and for a
    report a partner system filed, with no resident behind it, staff only)."""
    return actor.startswith("staff:") or (reporter_id is not None and actor == resident_actor(reporter_id))


async def may_confirm_fix(actor: str, report: Report) -> bool:
    """Whether `actor` may verify the report's fix: anyone but whoever said it was fixed and the crew of the
    agency it is dispatched to (as staff, or as the resident their Telegram account is). A system actor (the
    verification window passing with no objection) may."""
    if actor.startswith("system:"):
        return True
    fixed = await StatusChange.filter(report_id=report.id, to_status=Status.FIXED).order_by("-id").first()
    if fixed is not None and fixed.actor == actor:
        return False
    kind, _colon, raw_id = actor.partition(":")
    if not raw_id.isdigit() or not report.agency:
        return True
    column = "id" if kind == "staff" else "telegram_user_id"
    crew = await StaffUser.filter(**{column: int(raw_id)}).all()
    return not any(is_crew_of(member, report.agency) for member in crew)


async def transition(
    report: Report,
    to: Status,
    *,
    actor: str,
    reason: str = "",
    public_note: str = "",
    sla: SlaRules,
    now: datetime | None = None,
) -> StatusChange:
    """Move `report` to `to` if the table allows it, recording who, when and why, and start or stop its SLA clocks."""
    async with in_transaction():
        current, reopened = await _locked_state(report)
        if not can_transition(current, to):
            raise IllegalTransitionError(f"report {report.id}: {current} -> {to} is not allowed")
        if to is Status.VERIFIED_FIXED and not await may_confirm_fix(actor, report):
            raise NotIndependentError(f"report {report.id}: {actor} fixed it or is its agency's crew")
        changed_at = now or datetime.now(UTC)
        fields = _changed_fields(report, to, actor, changed_at, reopened)
        fields.update(due_fields(report.category, current, to, changed_at, sla))
        report.status = to
        if report.id is None:  # a new report: only ever to `submitted`, which sets no counters
            report.update_from_dict({name: value for name, value in fields.items() if name in SLA_FIELDS})
            await report.save()
        else:
            await Report.filter(id=report.id).update(**fields)
            await report.refresh_from_db(fields=[*SLA_FIELDS, *STAMP_FIELDS])
        return await StatusChange.create(
            report=report,
            from_status=current,
            to_status=to,
            actor=actor,
            reason=reason,
            public_note=public_note,
            changed_at=changed_at,
        )


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
    if to is Status.VERIFIED_FIXED:
        fields["verified_fixed_at"] = report.verified_fixed_at = changed_at
    if to is Status.REOPENED:
        if not may_reopen(actor, report.reporter_id):
            raise ReopenNotAllowedError(f"report {report.id}: {actor} may not reopen it")
        if reopened >= MAX_REOPENS:
            raise ReopenLimitError(f"report {report.id} was already reopened {MAX_REOPENS} times")
        fields["reopen_count"] = F("reopen_count") + 1
    return fields
