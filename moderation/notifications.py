"""Who is told about a status change, and what each of them reads, in their own language.

The reporter and the followers hear about every public change; a question (needs_info) goes to the
reporter only; nobody is told about their own action or about the first submission (intake answers it), nor
about an agency handing a report back for another dispatch (they hear about that dispatch).
"""

from __future__ import annotations

from bot.city.models import Agency
from bot.i18n import Translator
from bot.reports.categories import Category, by_key
from bot.reports.lifecycle import resident_actor
from bot.reports.models import Report, ReportFollower, Resident, StatusChange
from bot.reports.statuses import AWAITING_RESOLUTION, Status
from moderation import texts

#: Changes nobody is told about: a new report, and an answered question going back to the queue.
SILENT = frozenset({Status.SUBMITTED})


async def recipients(change: StatusChange, report: Report) -> list[int]:
    """Resident ids to tell, the reporter first, each once."""
    to = Status(change.to_status)
    if to in SILENT or (to is Status.ACCEPTED and change.from_status in AWAITING_RESOLUTION):
        return []
    people = [report.reporter_id] if report.reporter_id is not None else []  # None: a partner system filed it
    if to is not Status.NEEDS_INFO:
        followers = await ReportFollower.filter(report_id=report.id).order_by("id").values("resident_id")
        people.extend(int(row["resident_id"]) for row in followers)
    return [rid for rid in dict.fromkeys(people) if resident_actor(rid) != change.actor]


def category_label(categories: tuple[Category, ...], key: str, _: Translator) -> str:
    category = by_key(categories, key)
    return _(category.label) if category else key


async def status_message(
    change: StatusChange, report: Report, resident: Resident, categories: tuple[Category, ...]
) -> str | None:
    """The DM for one recipient, or None when this change says nothing to them."""
    _ = Translator(resident.language)
    to, is_reporter = Status(change.to_status), resident.id == report.reporter_id
    params = {"id": report.id, "category": category_label(categories, report.category, _)}
    if to is Status.DUPLICATE:
        text = texts.MERGED_REPORTER if is_reporter else texts.MERGED_FOLLOWER
        return _(text, id=report.id, original=report.duplicate_of_id or "?")
    if to is Status.NEEDS_INFO:
        return _(texts.QUESTION, question=change.public_note, **params)
    body = texts.STATUS_BODIES.get(to)
    if body is None:
        return None
    lines = [_(texts.HEADER_REPORTER if is_reporter else texts.HEADER_FOLLOWER, **params)]
    if to is Status.REJECTED:
        lines.append(_(body, reason=_(change.reason) if change.reason else _(texts.NO_REASON_GIVEN)))
    elif to is Status.DISPATCHED:
        lines.append(_(body, agency=await agency_label(report.agency, resident.language, _)))
    else:
        lines.append(_(body))
    if change.public_note:
        lines.append(_(texts.NOTE_LINE, note=change.public_note))
    return "\n".join(lines)


async def agency_label(key: str | None, locale: str, _: Translator) -> str:
    agency = await Agency.get_or_none(key=key) if key else None
    return agency.label(locale) if agency else _(texts.UNKNOWN_AGENCY)
