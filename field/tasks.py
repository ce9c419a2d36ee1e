"""Crew tasks: one per dispatch of a report to an agency, opened when the dispatch is seen and closed when the
report leaves the agency's hands (fixed, handed back, closed, re-dispatched)."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError

from bot.admin.accounts import is_crew_of
from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from field.models import CrewTask

#: The statuses in which the agency's crew works a report (its buttons apply).
WORKED = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})


async def open_task(change: StatusChange, report: Report) -> CrewTask | None:
    """The task for a dispatch (`change` moved the report to `dispatched`), created once; None without an agency."""
    if change.to_status != Status.DISPATCHED or not report.agency:
        return None
    existing = await CrewTask.get_or_none(dispatch_change_id=change.id)
    if existing is not None:
        return existing
    # Reactions may run out of order: a newer dispatch's task wins, and this one is born closed.
    newer = await CrewTask.exists(report_id=report.id, dispatch_change_id__gt=change.id)
    earlier = CrewTask.filter(report_id=report.id, closed_at__isnull=True, dispatch_change_id__lt=change.id)
    await earlier.update(closed_at=change.changed_at)
    try:
        return await CrewTask.create(
            report_id=report.id,
            agency=report.agency,
            dispatch_change_id=change.id,
            dispatched_at=change.changed_at,
            closed_at=change.changed_at if newer else None,
        )
    except IntegrityError:  # a reaction that ran twice at once
        return await CrewTask.get(dispatch_change_id=change.id)


async def current_task(report: Report) -> CrewTask | None:
    """The open task of the agency the report is with now."""
    if not report.agency:
        return None
    return (
        await CrewTask.filter(report_id=report.id, agency=report.agency, closed_at__isnull=True).order_by("-id").first()
    )


async def latest_task(report_id: int) -> CrewTask | None:
    return await CrewTask.filter(report_id=report_id).order_by("-id").first()


async def close_tasks_left_behind(report: Report, now: datetime) -> int:
    """The report left the crew's statuses some other way (an official closed or merged it): end its tasks."""
    if Status(report.status) in WORKED:
        return 0
    return await CrewTask.filter(report_id=report.id, closed_at__isnull=True).update(closed_at=now)


async def crew_of(agency_key: str) -> list[StaffUser]:
    """The agency's active crew members with a linked Telegram account (who can get its reports)."""
    members = await StaffUser.filter(agency=agency_key, telegram_user_id__isnull=False, active=True).order_by("id")
    return [member for member in members if is_crew_of(member, agency_key)]


async def agency_chats(agency: Agency) -> list[int]:
    """Where a dispatched report goes: the agency's group when it has one, else each crew member's private chat."""
    if agency.telegram_chat_id is not None:
        return [agency.telegram_chat_id]
    return [int(member.telegram_user_id) for member in await crew_of(agency.key) if member.telegram_user_id]


async def task_chats(task: CrewTask) -> list[int]:
    """Who hears about a task now: the crew member who took it, else wherever its card went."""
    if task.taken_by_id is not None:
        taker = await StaffUser.get_or_none(id=task.taken_by_id, active=True)
        if taker is not None and taker.telegram_user_id is not None:
            return [int(taker.telegram_user_id)]
    agency = await Agency.get_or_none(key=task.agency)
    return await agency_chats(agency) if agency is not None else []


async def staff_name(staff_id: int | None) -> str:
    staff = await StaffUser.get_or_none(id=staff_id) if staff_id is not None else None
    return str(staff.display_name or staff.username) if staff is not None else "-"


async def last_fix(report_id: int) -> CrewTask | None:
    """The newest task whose crew sent an after photo."""
    return await CrewTask.filter(report_id=report_id, after_photo_id__isnull=False).order_by("-id").first()
