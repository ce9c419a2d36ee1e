"""The report's timeline in words: status changes and staff actions in one list, who by name, what in the reader's
language ("Alice Wang · accepted the report · severity high"), never `staff:1` and `report:accept`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.admin.actors import actor_names
from bot.admin.audit import action_label
from bot.admin.models import AuditEvent
from bot.i18n import N_, Translator
from bot.reports.models import StatusChange
from moderation.decisions import SEVERITY_LABELS, Severity
from moderation.views.common import STATUS_LABELS

PUBLIC_NOTE = N_("Note for the reporter")
#: Details of an action worth a line, in the order shown (English msgids of their labels).
DETAIL_LABELS = {
    "severity": N_("severity"),
    "agency": N_("agency"),
    "into": N_("into report"),
    "question": N_("question"),
    "reason": N_("reason"),
    "deadline": N_("deadline"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    what: str
    details: list[str]  #: "severity: high", the reason, the note for the reporter...


def _status_text(change: StatusChange, _: Translator) -> str:
    to = _(STATUS_LABELS.get(change.to_status, change.to_status))
    if not change.from_status:
        return to
    return f"{_(STATUS_LABELS.get(change.from_status, change.from_status))} → {to}"


def _details(data: dict[str, object], _: Translator) -> list[str]:
    lines = []
    for key, label in DETAIL_LABELS.items():
        value = data.get(key)
        if value in (None, ""):
            continue
        severity = SEVERITY_LABELS.get(Severity(str(value))) if key == "severity" and value in set(Severity) else None
        shown = _(severity) if severity else str(value)
        lines.append(f"{_(label)}: {_(shown) if key == 'reason' else shown}")
    return lines


async def timeline(
    changes: list[StatusChange], audit: list[AuditEvent], _: Translator, *, reporter_id: int | None
) -> list[TimelineEntry]:
    """Oldest first. An action that made a status change (accept, reject, dispatch...) is one entry with it."""
    names = await actor_names([c.actor for c in changes] + [e.actor for e in audit], _, reporter_id=reporter_id)
    entries: list[TimelineEntry] = []
    made_by: dict[tuple[str, datetime], int] = {}  # (actor, time) of a status change -> its entry
    for change in changes:
        details = [_(change.reason)] if change.reason else []
        details += [f"{_(PUBLIC_NOTE)}: {change.public_note}"] if change.public_note else []
        made_by[(change.actor, change.changed_at)] = len(entries)
        entries.append(TimelineEntry(change.changed_at, names[change.actor], _status_text(change, _), details))
    for event in audit:
        details = _details({k: v for k, v in event.data.items() if k not in ("reason", "question")}, _)
        index = made_by.get((event.actor, event.created_at))
        if index is not None:  # the action behind a status change: its details join that entry
            entries[index].details.extend(details)
        else:
            details = _details(event.data, _)
            entries.append(TimelineEntry(event.created_at, names[event.actor], _(action_label(event.action)), details))
    return sorted(entries, key=lambda entry: entry.at)
