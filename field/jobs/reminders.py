"""Cron: remind the crew at half time and near the deadline (overdue escalation: field.reactions)."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from bot.i18n import Translator
from bot.jobs import queue_text
from bot.services import services_of
from field import texts
from field.cards import category_label, due_reminders, place_label
from field.jobs.common import chat_language
from field.rules import FieldRules
from field.tasks import task_chats

REMIND_JOB = "field.remind_crews"


async def remind_crews(ctx: dict[str, Any]) -> int:
    """Queue each reminder that is due, once per deadline (an extension earns new ones); returns how many."""
    services = services_of(ctx)
    rules = FieldRules.from_settings(services.settings)
    reminders = await due_reminders(rules, services.clock())
    for reminder in reminders:
        report, kind = reminder.report, "near" if reminder.near_end else "half"
        for chat_id in await task_chats(reminder.task):
            _ = Translator(await chat_language(services, chat_id))
            text = _(
                texts.REMIND_NEAR if reminder.near_end else texts.REMIND_HALF,
                id=report.id,
                category=category_label(services.categories, report.category, _),
                place=place_label(services.grid, report, _.locale),
                due=rules.local(reminder.due_at),
                hours=services.settings.crew_reminder_before_due_h,
            )
            key = f"field:remind:{kind}:{reminder.task.id}:{int(reminder.due_at.timestamp())}:{chat_id}"
            await queue_text(services, key, chat_id, text)
    return len(reminders)


FUNCTIONS: list[Function] = [func(remind_crews, name=REMIND_JOB)]
CRON_JOBS = [cron(remind_crews, name=f"cron:{REMIND_JOB}", minute=set(range(2, 60, 5)), second={0}, unique=True)]
