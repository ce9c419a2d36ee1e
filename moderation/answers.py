"""What the reporter sends back: the answer to a moderator's question, or a photo after reopening.

An answer (text or photo) is attached to the report and returns it to the queue (`submitted`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.reports.lifecycle import resident_actor, transition
from bot.reports.models import Photo, Report, StatusChange
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from moderation.models import InfoRequest

#: An answer longer than this is cut (the question asked for a detail, not an essay).
MAX_ANSWER_CHARS = 2000
#: The reporter's `awaiting` mark (bot.reports.residents) while a question or a reopened report waits
#: for their message: without it their messages are not looked at here at all.
ANSWER_EXCHANGE = "moderation.answer"


async def open_question(resident_id: int) -> InfoRequest | None:
    """The latest unanswered question on one of the resident's reports that waits for them."""
    return (
        await InfoRequest.filter(
            report__reporter_id=resident_id, report__status=Status.NEEDS_INFO, answered_at__isnull=True
        )
        .order_by("-asked_at", "-id")
        .first()
    )


async def answer_question(
    request: InfoRequest,
    resident_id: int,
    *,
    text: str = "",
    photo: Photo | None = None,
    sla: SlaRules,
    now: datetime,
) -> Report:
    """Attach the answer and put the report back in the moderators' queue."""
    report = await Report.get(id=request.report_id)
    actor = resident_actor(resident_id)
    async with in_transaction():
        request.answer_text = text.strip()[:MAX_ANSWER_CHARS] or None
        request.answer_photo = photo
        request.answered_at = now
        await request.save()
        await transition(report, Status.SUBMITTED, actor=actor, reason="answered", sla=sla, now=now)
        await record(
            actor,
            EventTag.REPORT_ANSWER,
            now=now,
            report=report,
            text=request.answer_text,
            photo_id=photo.id if photo else None,
        )
    return report


async def recently_reopened(resident_id: int, *, now: datetime, window: timedelta) -> Report | None:
    """The report this resident reopened within `window`, while it is still reopened."""
    change = (
        await StatusChange.filter(
            actor=resident_actor(resident_id), to_status=Status.REOPENED, changed_at__gte=now - window
        )
        .order_by("-changed_at", "-id")
        .first()
    )
    if change is None:
        return None
    return await Report.get_or_none(id=change.report_id, status=Status.REOPENED)


async def note_added_photo(report: Report, resident_id: int, photo: Photo, *, now: datetime) -> None:
    await record(resident_actor(resident_id), EventTag.REPORT_PHOTO_ADD, now=now, report=report, photo_id=photo.id)
