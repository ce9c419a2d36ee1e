"""What crews, verifiers and supervisors read about a report: its card, its place, its reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from bot.city.grid import Grid
from bot.city.models import Agency
from bot.i18n import N_, Translator
from bot.reports.categories import Category, by_key
from bot.reports.models import DueExtension, Report
from bot.reports.statuses import Status
from field import texts
from field.models import CrewTask
from field.rules import FieldRules
from field.tasks import WORKED

#: Telegram's caption limit is 1024 characters; the description gives way first.
CAPTION_LIMIT = 1000
SEVERITY_NAMES = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "critical": N_("critical")}


def category_label(categories: tuple[Category, ...], key: str, _: Translator) -> str:
    category = by_key(categories, key)
    return _(category.label) if category else key


def place_label(grid: Grid, report: Report, locale: str) -> str:
    """District · street · cell, as far as the grid knows them."""
    return " · ".join(grid.label(key, locale) for key in (report.area, report.street, report.cell) if key) or "-"


def card(
    report: Report, agency: Agency, _: Translator, *, categories: tuple[Category, ...], grid: Grid, rules: FieldRules
) -> str:
    """The crew's card: what, where, how bad, by when."""
    due = report.resolution_due_at
    params = {
        "id": report.id,
        "agency": agency.label(_.locale),
        "category": category_label(categories, report.category, _),
        "place": place_label(grid, report, _.locale),
        "severity": _(SEVERITY_NAMES[report.severity]) if report.severity in SEVERITY_NAMES else "-",
        "due": rules.local(due) if due is not None else "-",
        "description": "",
    }
    room = CAPTION_LIMIT - len(_(texts.CARD, **params))
    description = report.description or "-"
    params["description"] = description if len(description) <= room else description[: max(room - 1, 0)] + "…"
    return _(texts.CARD, **params)


@dataclass(frozen=True)
class Reminder:
    task: CrewTask
    report: Report
    near_end: bool  #: False: half the time is gone; True: the deadline is near
    due_at: datetime


async def due_reminders(rules: FieldRules, now: datetime) -> list[Reminder]:
    """Reminders to send now, each claimed on its task for the current deadline (so sent once per deadline)."""
    reminders: list[Reminder] = []
    for task in await CrewTask.filter(closed_at__isnull=True).order_by("id"):
        report = await Report.get(id=task.report_id)
        due = report.resolution_due_at
        if Status(report.status) not in WORKED or report.agency != task.agency or due is None or now >= due:
            continue
        start = await window_start(task, report)
        if now >= due - rules.reminder_before_due:
            await _claim(task, "half_reminded_for", due)  # too late for that one: the nearer reminder says more
            if await _claim(task, "near_reminded_for", due):
                reminders.append(Reminder(task, report, True, due))
        elif now >= start + (due - start) / 2 and await _claim(task, "half_reminded_for", due):
            reminders.append(Reminder(task, report, False, due))
    return reminders


async def window_start(task: CrewTask, report: Report) -> datetime:
    """When the crew's time for the current deadline began: the dispatch, or the last extension."""
    extension = await DueExtension.filter(report_id=report.id).order_by("-created_at", "-id").first()
    if extension is not None and extension.created_at > task.dispatched_at:
        return extension.created_at
    return task.dispatched_at


async def _claim(task: CrewTask, column: str, due: datetime) -> bool:
    """Mark the reminder as sent for this deadline; False when it was already (a concurrent run won)."""
    if getattr(task, column) == due:
        return False
    never: dict[str, Any] = {f"{column}__isnull": True}
    other: dict[str, Any] = {column: due}
    unclaimed = Q(**never) | ~Q(**other)
    won = bool(await CrewTask.filter(unclaimed, id=task.id).update(**{column: due}))
    setattr(task, column, due)
    return won
