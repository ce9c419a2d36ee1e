"""The audit log: every staff (and system) action on a report or a setting, written by the domain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.admin.models import AuditEvent
from bot.i18n import N_
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
    BROADCAST_URGENT = "broadcast:urgent"  #: an official sent a broadcast through quiet hours
    EDUCATION_SAVE = "education:save"  #: an official saved a month of the education day (the saved month kept)


#: Each action in words, for the audit log and the report's timeline (English msgids).
ACTION_LABELS: dict[EventTag, str] = {
    EventTag.AGENCY_SAVE: N_("saved an agency"),
    EventTag.INCIDENT_IMPORT: N_("imported incidents"),
    EventTag.INCIDENT_RECORD: N_("recorded an incident"),
    EventTag.INSPECTION_ASSIGN: N_("sent a cell for inspection"),
    EventTag.INSPECTION_CANCEL: N_("cancelled an inspection"),
    EventTag.INSPECTION_RESULT: N_("recorded an inspection's result"),
    EventTag.API_KEY_CREATE: N_("made a partner's API key"),
    EventTag.API_KEY_REVOKE: N_("revoked a partner's API key"),
    EventTag.EXPORT: N_("exported reports"),
    EventTag.OPEN311_POST: N_("filed a report through the open API"),
    EventTag.OPEN311_REFUSED: N_("was refused a report through the open API"),
    EventTag.REPORT_ACCEPT: N_("accepted the report"),
    EventTag.REPORT_ANSWER: N_("answered the question"),
    EventTag.REPORT_ASK_INFO: N_("asked the reporter a question"),
    EventTag.REPORT_DESCRIPTION_EDIT: N_("edited the description"),
    EventTag.REPORT_DISPATCH: N_("dispatched the report"),
    EventTag.REPORT_TAKEN: N_("took the job"),
    EventTag.REPORT_ON_SITE: N_("arrived on site"),
    EventTag.REPORT_HANDED_BACK: N_("handed it back: not theirs"),
    EventTag.REPORT_DUE_EXTENDED: N_("asked for more time"),
    EventTag.REPORT_CREW_FIXED: N_("said it is fixed"),
    EventTag.REPORT_VERIFIED: N_("confirmed the fix"),
    EventTag.REPORT_LISTED: N_("listed it for supervision"),
    EventTag.REPORT_LISTING_PROGRESS: N_("noted progress on the listed hazard"),
    EventTag.REPORT_CLOSED_OFF: N_("closed off the listed hazard"),
    EventTag.REPORT_PATROL: N_("filed it on patrol"),
    EventTag.REPORT_ESCALATE: N_("escalated it: a deadline passed"),
    EventTag.REPORT_FIXED_CHECK: N_("answered whether it is really fixed"),
    EventTag.REPORT_MERGE: N_("merged reports"),
    EventTag.REPORT_PHOTO_ADD: N_("added a photo"),
    EventTag.REPORT_PHOTO_REDACT: N_("redacted a photo"),
    EventTag.REPORT_REJECT: N_("rejected the report"),
    EventTag.REPORT_STATUS: N_("changed the status"),
    EventTag.STAFF_CREATE: N_("created a staff account"),
    EventTag.STAFF_DEACTIVATE: N_("deactivated a staff account"),
    EventTag.STAFF_REACTIVATE: N_("reactivated a staff account"),
    EventTag.STAFF_TELEGRAM: N_("linked a staff member's Telegram account"),
    EventTag.WARNING_DISMISS: N_("dismissed a proposed warning"),
    EventTag.WARNING_PROPOSE: N_("proposed a warning broadcast"),
    EventTag.WARNING_SEND: N_("sent a warning broadcast"),
    EventTag.BROADCAST_URGENT: N_("sent a broadcast as urgent, during quiet hours too"),
    EventTag.EDUCATION_SAVE: N_("edited a month of the education day"),
}


def action_label(action: str) -> str:
    """The action in words (an English msgid), or the stored tag itself for one this version does not know."""
    try:
        return ACTION_LABELS[EventTag(action)]
    except ValueError:
        return action


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
