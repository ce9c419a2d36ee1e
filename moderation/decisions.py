"""Moderators' and officials' decisions on a report; each one is a lifecycle transition plus an audit event.

The web admin (and, later, a moderators' Telegram group) call these; they never touch `Report.status`
themselves and never import a transport.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.admin.accounts import Role, has_role
from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.i18n import N_
from bot.reports.lifecycle import staff_actor, transition
from bot.reports.models import Report
from bot.reports.residents import mark_awaiting
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from moderation.answers import ANSWER_EXCHANGE
from moderation.models import InfoRequest
from moderation.routing import responsible_agency

#: Long enough for a real question or reason, short enough for one chat message.
MAX_TEXT_CHARS = 1000
MAX_DESCRIPTION_CHARS = 2000


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_LABELS = {
    Severity.LOW: N_("low"),
    Severity.MEDIUM: N_("medium"),
    Severity.HIGH: N_("high"),
    Severity.CRITICAL: N_("critical"),
}
#: Rejection templates: the English text is stored as the reason and translated for each reader.
REJECT_REASONS: dict[str, str] = {
    "not_hazard": N_("This is not a safety hazard."),
    "unclear": N_("The photo and description do not show the hazard clearly enough."),
    "location": N_("The location is missing or wrong."),
    "outside": N_("The place is outside the area this service covers."),
    "improper": N_("The report is offensive or shows people rather than a hazard."),
}
#: The same reasons as short button labels on the report page.
REJECT_REASON_LABELS: dict[str, str] = {
    "not_hazard": N_("Not a hazard"),
    "unclear": N_("Unclear"),
    "location": N_("Wrong location"),
    "outside": N_("Outside our area"),
    "improper": N_("Improper"),
}
#: Statuses in which a report waits for a moderator's decision (accept, reject, merge, ask): the report page shows
#: those controls only then, never on an accepted, fixed or closed report.
DECIDING_STATUSES = frozenset({Status.SUBMITTED, Status.NEEDS_INFO, Status.REOPENED})
#: The role accept, reject, merge, ask and the status changes need (dispatching needs an official). The web
#: routes and the moderators' Telegram group both check it with `has_role`, then the scope with
#: `moderation.queue.report_for`.
DECIDING_ROLE = Role.MODERATOR
#: What "change status" may set; the other statuses have their own action (accept, reject, merge...).
MODERATOR_TARGETS = frozenset({Status.NOT_RESPONSIBLE, Status.NO_ACTION, Status.REOPENED})
#: An official who checked a fix on site may verify it (never one who marked it fixed: the lifecycle refuses that).
OFFICIAL_TARGETS = MODERATOR_TARGETS | {Status.ACCEPTED, Status.IN_PROGRESS, Status.FIXED, Status.VERIFIED_FIXED}


class DecisionError(Exception):
    """A decision that cannot be taken; `message` is an English msgid shown to the staff member."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


UNKNOWN_SEVERITY = N_("Choose a severity.")
REASON_NEEDED = N_("Give a reason: pick a template or write one.")
TEXT_TOO_LONG = N_("That text is too long (at most %(max)s characters).")
QUESTION_NEEDED = N_("Write the question for the reporter.")
UNKNOWN_AGENCY = N_("Choose an active agency.")
STATUS_NOT_HERE = N_("Your role cannot set that status here; use its own action.")
DESCRIPTION_NEEDED = N_("The description cannot be empty.")


def _clean(text: str, *, needed: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise DecisionError(needed)
    if len(cleaned) > max_chars:
        raise DecisionError(TEXT_TOO_LONG, max=max_chars)
    return cleaned


async def accept(report: Report, staff: StaffUser, severity: str, *, sla: SlaRules, now: datetime) -> Agency | None:
    """Accept with a severity, then dispatch to the responsible agency when one is configured."""
    if severity not in set(Severity):
        raise DecisionError(UNKNOWN_SEVERITY)
    actor = staff_actor(staff.id)
    async with in_transaction():
        await transition(report, Status.ACCEPTED, actor=actor, sla=sla, now=now)
        await Report.filter(id=report.id).update(severity=severity, verified=True)
        report.severity, report.verified = severity, True
        await record(actor, EventTag.REPORT_ACCEPT, now=now, report=report, severity=severity)
        agency = await responsible_agency(report.category, report.area)
        if agency is not None:
            await _dispatch(report, agency, actor, sla=sla, now=now, automatic=True)
    return agency


async def reject(
    report: Report, staff: StaffUser, *, template: str = "", text: str = "", sla: SlaRules, now: datetime
) -> None:
    """Reject with a template reason (translated for each reader) or the moderator's own words."""
    reason = REJECT_REASONS.get(template) or _clean(text, needed=REASON_NEEDED)
    actor = staff_actor(staff.id)
    async with in_transaction():
        await transition(report, Status.REJECTED, actor=actor, reason=reason, sla=sla, now=now)
        await record(actor, EventTag.REPORT_REJECT, now=now, report=report, reason=reason, template=template)


async def ask_for_info(report: Report, staff: StaffUser, question: str, *, sla: SlaRules, now: datetime) -> InfoRequest:
    """Put the report on hold and ask the reporter; their answer returns it to the queue."""
    asked = _clean(question, needed=QUESTION_NEEDED)
    actor = staff_actor(staff.id)
    async with in_transaction():
        await transition(report, Status.NEEDS_INFO, actor=actor, public_note=asked, sla=sla, now=now)
        request = await InfoRequest.create(report=report, question=asked, asked_by=actor, asked_at=now)
        await record(actor, EventTag.REPORT_ASK_INFO, now=now, report=report, question=asked)
        if report.reporter_id is not None:  # a partner's report: the question reaches it through the updates feed
            await mark_awaiting(report.reporter_id, ANSWER_EXCHANGE)  # their next message may be the answer
    return request


async def dispatch(report: Report, staff: StaffUser, agency_key: str, *, sla: SlaRules, now: datetime) -> Agency:
    """Send the report to an agency chosen by hand (officials)."""
    agency = await Agency.get_or_none(key=agency_key, active=True)
    if agency is None:
        raise DecisionError(UNKNOWN_AGENCY)
    async with in_transaction():
        await _dispatch(report, agency, staff_actor(staff.id), sla=sla, now=now, automatic=False)
    return agency


async def _dispatch(
    report: Report, agency: Agency, actor: str, *, sla: SlaRules, now: datetime, automatic: bool
) -> None:
    await Report.filter(id=report.id).update(agency=agency.key)
    report.agency = agency.key
    await transition(report, Status.DISPATCHED, actor=actor, reason=agency.key, sla=sla, now=now)
    await record(actor, EventTag.REPORT_DISPATCH, now=now, report=report, agency=agency.key, automatic=automatic)


async def change_status(
    report: Report,
    staff: StaffUser,
    to: str,
    *,
    reason: str = "",
    public_note: str = "",
    sla: SlaRules,
    now: datetime,
) -> None:
    """Any other legal change the staff member's role allows (in progress, fixed, closed, reopened)."""
    allowed = OFFICIAL_TARGETS if has_role(staff, Role.OFFICIAL) else MODERATOR_TARGETS
    if to not in {status.value for status in allowed}:
        raise DecisionError(STATUS_NOT_HERE)
    if len(reason) > MAX_TEXT_CHARS or len(public_note) > MAX_TEXT_CHARS:
        raise DecisionError(TEXT_TOO_LONG, max=MAX_TEXT_CHARS)
    actor = staff_actor(staff.id)
    async with in_transaction():
        change = await transition(
            report,
            Status(to),
            actor=actor,
            reason=reason.strip(),
            public_note=public_note.strip(),
            sla=sla,
            now=now,
        )
        await record(
            actor,
            EventTag.REPORT_STATUS,
            now=now,
            report=report,
            **{"from": change.from_status, "to": to, "reason": change.reason, "public_note": change.public_note},
        )


async def edit_description(report: Report, staff: StaffUser, text: str, *, now: datetime) -> None:
    """Replace the description (e.g. to remove personal data); the reporter's own words are kept once."""
    cleaned = _clean(text, needed=DESCRIPTION_NEEDED, max_chars=MAX_DESCRIPTION_CHARS)
    before = report.description
    if report.original_description is None:
        report.original_description = before
    report.description = cleaned
    async with in_transaction():
        await report.save(update_fields=["description", "original_description"])
        await record(
            staff_actor(staff.id),
            EventTag.REPORT_DESCRIPTION_EDIT,
            now=now,
            report=report,
            before=before,
            after=cleaned,
        )
