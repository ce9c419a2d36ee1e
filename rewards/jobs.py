"""Rewards background jobs: evaluate grants, retry pending ones, DM residents, remind, lapse.

Thin wrappers: load the rules in force, call one domain function, queue DMs through `bot.jobs.queue_text`
with deterministic job ids. Every job is safe to run twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arq import cron
from arq.worker import Function, func
from tortoise.expressions import Subquery

from bot.i18n import Translator
from bot.jobs import queue_text
from bot.reports.models import Report, Resident
from bot.services import Services, services_of
from rewards import texts
from rewards.grants import evaluate_report, retry_pending
from rewards.lapse import due_reminders, lapse_unclaimed
from rewards.models import PayoutBatch, RewardGrant
from rewards.payouts import claimed_profiles, lines_to_notify
from rewards.rulebook import current_rules
from rewards.rules import ACCEPTED_STATUSES, RewardRules, format_money
from rewards.states import GrantState

EVALUATE_JOB = "rewards.evaluate"
NOTIFY_GRANTED_JOB = "rewards.notify_granted"
NOTIFY_PAID_JOB = "rewards.notify_paid"
RETRY_PENDING_JOB = "rewards.retry_pending"
SWEEP_LIMIT = 500  # reports per sweep run; the next run takes the rest


async def _dm(services: Services, resident_id: int, key: str, message: str, **params: object) -> None:
    resident = await Resident.get_or_none(id=resident_id)
    if resident is None or resident.blocked_bot:
        return
    await queue_text(services, key, resident.chat_id, Translator(resident.language)(message, **params))


async def evaluate_and_announce(services: Services, report_id: int) -> str:
    """Decide the reward of one report; a new booked grant is announced to its reporter."""
    evaluation = await evaluate_report(report_id, await current_rules(services.settings), services.clock())
    grant = evaluation.grant
    if evaluation.created and grant is not None and grant.state == GrantState.GRANTED:
        await services.redis.enqueue_job(NOTIFY_GRANTED_JOB, grant.id, _job_id=f"rewards:granted:{grant.id}")
    return grant.state if grant is not None else f"waiting:{evaluation.waiting}"


async def evaluate(ctx: dict[str, Any], report_id: int) -> str:
    return await evaluate_and_announce(services_of(ctx), report_id)


async def sweep(ctx: dict[str, Any]) -> int:
    """Cron: evaluate accepted, verified reports that have no decision (e.g. verified without a status change)."""
    rows = (
        await Report.filter(
            verified=True,
            reporter_id__isnull=False,  # a partner's report earns nothing: never evaluated again and again
            status__in=sorted(ACCEPTED_STATUSES),
            duplicate_of_id__isnull=True,
            id__not_in=Subquery(RewardGrant.all().values("report_id")),
        )
        .order_by("id")
        .limit(SWEEP_LIMIT)
        .values("id")
    )
    for row in rows:
        await evaluate_and_announce(services_of(ctx), int(row["id"]))
    return len(rows)


async def retry_pending_job(ctx: dict[str, Any]) -> int:
    """Book grants that waited for budget (cron, and after a pool is funded)."""
    booked = await retry_pending(services_of(ctx).clock())
    for grant in booked:
        await services_of(ctx).redis.enqueue_job(NOTIFY_GRANTED_JOB, grant.id, _job_id=f"rewards:granted:{grant.id}")
    return len(booked)


async def notify_granted(ctx: dict[str, Any], grant_id: int) -> bool:
    grant = await RewardGrant.get_or_none(id=grant_id)
    if grant is None or grant.state != GrantState.GRANTED:
        return False
    rules = await current_rules(services_of(ctx).settings)
    claimed = grant.resident_id in await claimed_profiles()
    await _dm(
        services_of(ctx),
        grant.resident_id,
        f"rewards:dm-granted:{grant.id}",
        texts.GRANTED_CLAIMED if claimed else texts.GRANTED_CLAIM,
        report=grant.report_id,
        amount=format_money(grant.amount_fen, rules.currency),
        days=rules.lapse_days,
    )
    return True


async def notify_paid(ctx: dict[str, Any], batch_id: int) -> int:
    """DM every resident in a paid batch once (lines are claimed before the DM is queued)."""
    batch = await PayoutBatch.get(id=batch_id)
    lines = await lines_to_notify(batch_id, services_of(ctx).clock())
    for line in lines:
        resident = await Resident.get_or_none(id=line.resident_id)
        if resident is None:
            continue
        _ = Translator(resident.language)
        method = _(texts.METHOD_NAMES.get(line.payout_method, line.payout_method))
        text = _(
            texts.PAID, amount=format_money(line.net_fen, batch.currency), method=method, reference=batch.reference
        )
        if line.offset_fen:
            text += "\n" + _(texts.PAID_OFFSET, offset=format_money(line.offset_fen, batch.currency))
        await queue_text(services_of(ctx), f"rewards:dm-paid:{line.id}", resident.chat_id, text)
    return len(lines)


async def remind_and_lapse(ctx: dict[str, Any]) -> int:
    """Cron, daily: remind residents a week before their rewards lapse, then lapse the overdue."""
    rules, now = await current_rules(services_of(ctx).settings), services_of(ctx).clock()
    for reminder in await due_reminders(rules, now):
        await _dm(
            services_of(ctx),
            reminder.resident_id,
            f"rewards:dm-remind:{reminder.resident_id}:{_day(now)}",
            texts.REMINDER,
            amount=format_money(reminder.amount_fen, rules.currency),
            date=_date(reminder.lapses_at, rules),
        )
    return len(await lapse_unclaimed(rules, now))


def _day(now: datetime) -> str:
    return now.strftime("%Y%m%d")


def _date(at: datetime, rules: RewardRules) -> str:
    return at.astimezone(rules.zone).date().isoformat()


FUNCTIONS: list[Function] = [
    func(evaluate, name=EVALUATE_JOB, max_tries=5),
    func(sweep, name="rewards.sweep"),
    func(retry_pending_job, name=RETRY_PENDING_JOB),
    func(notify_granted, name=NOTIFY_GRANTED_JOB),
    func(notify_paid, name=NOTIFY_PAID_JOB),
    func(remind_and_lapse, name="rewards.remind_and_lapse"),
]
CRON_JOBS = [
    cron(sweep, name="cron:rewards.sweep", minute=set(range(3, 60, 10)), second={30}, unique=True),
    cron(retry_pending_job, name="cron:rewards.retry_pending", minute={41}, second={0}, unique=True),
    cron(remind_and_lapse, name="cron:rewards.remind_and_lapse", hour={1}, minute={23}, second={0}, unique=True),
]
