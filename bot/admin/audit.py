"""The audit log: every staff (and system) action on a report or a setting, written by the domain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.admin.models import AuditEvent
from bot.reports.models import Report


class EventTag(StrEnum):
    """`subject:action` identifiers stored in AuditEvent.action (keep them stable)."""

    AGENCY_SAVE = "agency:save"
    INCIDENT_IMPORT = "incident:import"  #: an events file was imported (counts in the details)
    INCIDENT_RECORD = "incident:record"  #: an official recorded an incident
    INSPECTION_ASSIGN = "inspection:assign"  #: a cell sent to an agency for inspection
    INSPECTION_CANCEL = "inspection:cancel"
    INSPECTION_RESULT = "inspection:result"  #: hazard found / nothing found
    API_KEY_CREATE = "api_key:create"  #: an official made a partner system's Open311 key
    API_KEY_REVOKE = "api_key:revoke"
    EXPORT = "export"  #: reports exported (CSV or GeoJSON), with the filters used
    OPEN311_POST = "open311:post"  #: a partner system filed a report through the Open311 API (actor: its key)
    OPEN311_REFUSED = "open311:refused"  #: a partner's POST was refused (the code and reason are kept)
    REPORT_ACCEPT = "report:accept"
    REPORT_ANSWER = "report:answer"  #: the reporter answered a moderator's question
    REPORT_ASK_INFO = "report:ask_info"
    REPORT_DESCRIPTION_EDIT = "report:description:edit"
    REPORT_DISPATCH = "report:dispatch"
    REPORT_TAKEN = "report:taken"  #: a crew member took it
    REPORT_ON_SITE = "report:on_site"
    REPORT_HANDED_BACK = "report:handed_back"  #: the crew says it is not theirs
    REPORT_DUE_EXTENDED = "report:due_extended"  #: the crew needs more time (counts against the SLA)
    REPORT_CREW_FIXED = "report:crew_fixed"  #: the crew says it is fixed (with or without an after photo)
    REPORT_VERIFIED = "report:verified"  #: the reporter or a verifier confirmed the fix, or nobody objected
    REPORT_LISTED = "report:listed"  #: listed for supervision (挂牌督办)
    REPORT_LISTING_PROGRESS = "report:listing_progress"
    REPORT_CLOSED_OFF = "report:closed_off"  #: a listed hazard closed off (消号)
    REPORT_PATROL = "report:patrol"  #: filed by grid staff on patrol
    REPORT_ESCALATE = "report:escalate"  #: an SLA clock ran out
    REPORT_FIXED_CHECK = "report:fixed_check"  #: the reporter answered "is it really fixed?"
    REPORT_MERGE = "report:merge"
    REPORT_PHOTO_ADD = "report:photo:add"  #: the reporter added a photo after reopening
    REPORT_PHOTO_REDACT = "report:photo:redact"
    REPORT_REJECT = "report:reject"
    REPORT_STATUS = "report:status"
    STAFF_CREATE = "staff:create"
    STAFF_DEACTIVATE = "staff:deactivate"  #: can no longer log in; every session of theirs ended
    STAFF_REACTIVATE = "staff:reactivate"
    STAFF_TELEGRAM = "staff:telegram"  #: a staff member's Telegram account linked or unlinked
    WARNING_DISMISS = "warning:dismiss"  #: an official decided a proposed warning is not needed
    WARNING_PROPOSE = "warning:propose"  #: an incident's escalation rule proposed a warning broadcast
    WARNING_SEND = "warning:send"  #: an official sent a proposed warning (broadcast.requested)


async def record(
    actor: str, action: EventTag, *, now: datetime, report: Report | None = None, **data: Any
) -> AuditEvent:
    return await AuditEvent.create(actor=actor, action=action, report=report, data=data, created_at=now)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int


async def audit_page(*, page: int, page_size: int, report_id: int | None = None, actor: str = "") -> AuditPage:
    """Newest first, optionally for one report or one actor."""
    query = AuditEvent.all()
    if report_id is not None:
        query = query.filter(report_id=report_id)
    if actor:
        query = query.filter(actor=actor)
    total = await query.count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    events = await query.order_by("-created_at", "-id").offset((page - 1) * page_size).limit(page_size)
    return AuditPage(list(events), page, pages)
