"""What a crew member's press or answer does to a report: take it, be on site, hand it back, get more time, fix it.

Each is a lifecycle transition (or a deadline move) plus the task's record and an audit event, in one
transaction. The checks of who may press what, and when, are `field.crews`'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.reports.deadlines import extend_resolution_due
from bot.reports.lifecycle import staff_actor, transition
from bot.reports.models import Photo, Report
from bot.reports.residents import mark_awaiting
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from field.models import CrewPrompt, CrewTask

#: Long enough for a real reason, short enough for a chat message and the report page.
MAX_REASON_CHARS = 500


class PromptKind(StrEnum):
    NOT_OURS = "not_ours"  #: why the report is not the agency's
    MORE_TIME = "more_time"  #: until when (then why)
    AFTER_PHOTO = "after_photo"  #: the photo of the fixed place


async def take(task: CrewTask, staff: StaffUser, now: datetime) -> bool:
    """Record `staff` as the one working the task; False when someone else took it first."""
    if task.taken_by_id == staff.id:
        return True
    won = await CrewTask.filter(id=task.id, taken_by_id__isnull=True).update(taken_by_id=staff.id, taken_at=now)
    if won:
        task.taken_by_id, task.taken_at = staff.id, now
        await record(staff_actor(staff.id), EventTag.REPORT_TAKEN, now=now, report=await Report.get(id=task.report_id))
    return bool(won)


async def on_site(report: Report, task: CrewTask, staff: StaffUser, *, sla: SlaRules, now: datetime) -> None:
    """The crew is there: the report is being fixed (`in_progress`)."""
    actor = staff_actor(staff.id)
    async with in_transaction():
        if report.status == Status.DISPATCHED:
            await transition(report, Status.IN_PROGRESS, actor=actor, reason="on site", sla=sla, now=now)
        await CrewTask.filter(id=task.id).update(on_site_at=now)
        task.on_site_at = now
        await record(actor, EventTag.REPORT_ON_SITE, now=now, report=report)


async def hand_back(
    report: Report, task: CrewTask, staff: StaffUser, reason: str, *, sla: SlaRules, now: datetime
) -> None:
    """Not ours: back to `accepted` (awaiting a dispatch) with the reason; the agency lets go of it."""
    actor = staff_actor(staff.id)
    async with in_transaction():
        await transition(report, Status.ACCEPTED, actor=actor, reason=reason, sla=sla, now=now)
        await Report.filter(id=report.id).update(agency=None)
        await CrewTask.filter(id=task.id).update(returned_reason=reason, closed_at=now)
        await CrewPrompt.filter(task_id=task.id).delete()
        await record(actor, EventTag.REPORT_HANDED_BACK, now=now, report=report, agency=task.agency, reason=reason)
    report.agency = None


async def extend(
    report: Report, task: CrewTask, staff: StaffUser, until: datetime, reason: str, *, now: datetime
) -> None:
    """Need more time: the deadline moves to `until`, recorded with the reason (it counts against the SLA)."""
    actor = staff_actor(staff.id)
    async with in_transaction():
        extension = await extend_resolution_due(report, until, actor=actor, reason=reason, now=now)
        await CrewPrompt.filter(task_id=task.id, kind=PromptKind.MORE_TIME).delete()
        await record(
            actor,
            EventTag.REPORT_DUE_EXTENDED,
            now=now,
            report=report,
            from_due=extension.from_due_at.isoformat(),
            to_due=until.isoformat(),
            reason=reason,
        )


async def mark_fixed(
    report: Report, task: CrewTask, staff: StaffUser, after: Photo | None, *, sla: SlaRules, now: datetime
) -> None:
    """The crew says it is fixed, with the after photo (or without, where the category allows it)."""
    actor = staff_actor(staff.id)
    async with in_transaction():
        await transition(report, Status.FIXED, actor=actor, reason="fixed by the crew", sla=sla, now=now)
        await CrewTask.filter(id=task.id).update(
            fixed_at=now, closed_at=now, after_photo_id=after.id if after is not None else None
        )
        await CrewPrompt.filter(task_id=task.id).delete()
        await record(
            actor,
            EventTag.REPORT_CREW_FIXED,
            now=now,
            report=report,
            after_photo=after.id if after is not None else None,
        )


async def ask(task: CrewTask, staff: StaffUser, kind: PromptKind, chat_id: int, now: datetime) -> CrewPrompt:
    """Wait for this crew member's answer (replacing any question still open for them)."""
    assert staff.telegram_user_id is not None
    await CrewPrompt.filter(telegram_user_id=staff.telegram_user_id).delete()
    if chat_id == staff.telegram_user_id:  # their private chat: their messages there are looked at for it
        await mark_awaiting(staff.telegram_user_id, CREW_EXCHANGE)
    return await CrewPrompt.create(
        telegram_user_id=staff.telegram_user_id,
        staff_id=staff.id,
        task_id=task.id,
        kind=kind,
        chat_id=chat_id,
        asked_at=now,
    )


async def prompt_message_sent(prompt_id: int, message_id: int) -> None:
    """The question's message: in a group, only a reply to it answers it."""
    await CrewPrompt.filter(id=prompt_id).update(message_id=message_id)


#: The resident's "awaiting" mark (bot.reports.residents) while a crew question waits in their private chat:
#: residents' messages skip the field's tables unless it is set.
CREW_EXCHANGE = "field.crew"


async def pending_prompt(
    telegram_user_id: int, chat_id: int, reply_to: int | None, *, now: datetime, ttl: timedelta
) -> CrewPrompt | None:
    """The open question this message answers: theirs, in the chat it was asked in (a group: as a reply to it).

    A question left unanswered for `ttl` is dropped: a message typed hours later is not a reason to hand back."""
    prompt = await CrewPrompt.get_or_none(telegram_user_id=telegram_user_id, chat_id=chat_id)
    if prompt is not None and prompt.asked_at < now - ttl:
        await CrewPrompt.filter(id=prompt.id).delete()
        return None
    if prompt is None:
        return None
    if chat_id != telegram_user_id and (reply_to is None or reply_to != prompt.message_id):
        return None
    return prompt


def clean_reason(text: str) -> str | None:
    cleaned = " ".join(text.split())
    return cleaned[:MAX_REASON_CHARS] if cleaned else None


def extended_due(current: datetime, days: int) -> datetime:
    return current + timedelta(days=days)
