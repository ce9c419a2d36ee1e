"""Moderation's arq jobs: status DMs, overdue escalation, the "is it fixed?" check.

Each job loads state by id and calls the domain; ids are deterministic so a job queued twice runs once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from arq import Retry, cron
from arq.worker import Function, func
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from bot.i18n import Translator
from bot.outbound import Delivery, retry_after_s, send_once
from bot.reports.models import Report, Resident, StatusChange
from bot.reports.statuses import FIXED_STATUSES
from bot.services import services_of
from moderation import texts
from moderation.followup import callback_data, open_due_checks
from moderation.models import FixedCheck
from moderation.notifications import category_label, status_message
from moderation.overdue import mark_overdue

#: A status change read before the writing transaction committed is retried this many times.
MAX_TRIES = 5
#: Telegram's limit is 4096 characters; escalation lists are split below it.
MESSAGE_LIMIT = 3800


async def _send(
    ctx: dict[str, Any], key: str, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> str:
    """Send once per `key` (a job queued or run twice sends nothing twice); a 429 defers the job."""
    services = services_of(ctx)
    try:
        return await send_once(services.bot, key, chat_id, text, now=services.clock(), reply_markup=markup)
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error


async def notify(ctx: dict[str, Any], change_id: int, resident_id: int) -> str:
    """One status DM, written in the recipient's own language."""
    change = await StatusChange.get(id=change_id)
    report, resident = await Report.get(id=change.report_id), await Resident.get_or_none(id=resident_id)
    if resident is None or resident.blocked_bot:
        return Delivery.BLOCKED
    text = await status_message(change, report, resident, services_of(ctx).categories)
    if text is None:
        return "nothing"
    return await _send(ctx, f"notify:{change_id}:{resident_id}", resident.chat_id, text)


def _digest(report_ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, report_ids)).encode()).hexdigest()[:16]


async def mark_overdue_reports(ctx: dict[str, Any]) -> int:
    """Cron: flag reports whose SLA ran out and queue one escalation for those newly flagged."""
    settings = services_of(ctx).settings
    flagged = await mark_overdue(services_of(ctx).clock())
    if flagged and settings.supervisors_chat_id is not None:
        await services_of(ctx).redis.enqueue_job("moderation.escalate", flagged, _job_id=f"escalate:{_digest(flagged)}")
    return len(flagged)


async def escalate(ctx: dict[str, Any], report_ids: list[int]) -> int:
    """DM the supervisors' chat the list of newly overdue reports (split to fit Telegram's limit)."""
    settings = services_of(ctx).settings
    if settings.supervisors_chat_id is None:
        return 0
    _ = Translator(settings.default_locale)
    areas = services_of(ctx).areas
    lines = []
    for report in await Report.filter(id__in=report_ids).order_by("id"):
        moderation = report.moderation_due_at is not None
        due = report.moderation_due_at if moderation else report.resolution_due_at
        lines.append(
            _(
                texts.ESCALATION_LINE,
                id=report.id,
                category=category_label(services_of(ctx).categories, report.category, _),
                area=areas.label(report.area, _.locale),
                stage=_(texts.STAGE_MODERATION if moderation else texts.STAGE_RESOLUTION),
                due=due.strftime("%Y-%m-%d %H:%M UTC") if due else "-",
            )
        )
    messages, current = [], _(texts.ESCALATION_HEADER, count=len(lines))
    for line in lines:
        if len(current) + len(line) + 1 > MESSAGE_LIMIT:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    messages.append(current)
    digest = _digest(report_ids)
    for part, text in enumerate(messages):
        await _send(ctx, f"escalate:{digest}:{part}", settings.supervisors_chat_id, text)
    return len(lines)


async def ask_fixed_checks(ctx: dict[str, Any]) -> int:
    """Cron: open a check for each fix that is old enough and queue its question."""
    checks = await open_due_checks(
        services_of(ctx).clock(), timedelta(days=services_of(ctx).settings.fixed_check_after_d)
    )
    for check in checks:
        await services_of(ctx).redis.enqueue_job(
            "moderation.send_fixed_check", check.id, _job_id=f"fixed-check:{check.id}"
        )
    return len(checks)


async def send_fixed_check(ctx: dict[str, Any], check_id: int) -> str:
    """Ask the reporter "is it really fixed?" with Yes / No buttons."""
    check = await FixedCheck.get(id=check_id)
    report = await Report.get(id=check.report_id)
    reporter = await Resident.get_or_none(id=report.reporter_id) if report.reporter_id is not None else None
    if report.status not in FIXED_STATUSES or check.answer is not None or reporter is None:
        return "not needed"
    _ = Translator(reporter.language)
    text = _(
        texts.FIXED_CHECK,
        days=services_of(ctx).settings.fixed_check_after_d,
        id=report.id,
        category=category_label(services_of(ctx).categories, report.category, _),
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(texts.FIXED_YES), callback_data=callback_data(report.id, True))],
            [InlineKeyboardButton(_(texts.FIXED_NO), callback_data=callback_data(report.id, False))],
        ]
    )
    return await _send(ctx, f"fixed-check:{check.id}", reporter.chat_id, text, markup)


FUNCTIONS: list[Function] = [
    func(notify, name="moderation.notify", max_tries=MAX_TRIES),
    func(mark_overdue_reports, name="moderation.mark_overdue"),
    func(escalate, name="moderation.escalate", max_tries=MAX_TRIES),
    func(ask_fixed_checks, name="moderation.ask_fixed_checks"),
    func(send_fixed_check, name="moderation.send_fixed_check", max_tries=MAX_TRIES),
]
CRON_JOBS = [
    cron(
        mark_overdue_reports, name="cron:moderation.mark_overdue", minute=set(range(0, 60, 5)), second={30}, unique=True
    ),
    cron(ask_fixed_checks, name="cron:moderation.ask_fixed_checks", minute={7}, second={0}, unique=True),
]
