"""Rewards' reaction to a report's status change: decide the grant once the report is accepted.

Run by the kernel's outbox at least once; `evaluate_report` books at most one grant per report (a
unique key), so running it twice grants nothing twice. Verification without a status change is
caught by the sweep cron job.
"""

from __future__ import annotations

from bot.features import Reaction
from bot.reports.models import Report, StatusChange
from bot.services import Services
from rewards.jobs import evaluate_and_announce
from rewards.rules import ACCEPTED_STATUSES


async def evaluate_reward(services: Services, change: StatusChange, report: Report) -> None:
    if change.to_status in ACCEPTED_STATUSES:
        await evaluate_and_announce(services, report.id)


REACTIONS = (Reaction("rewards.evaluate", evaluate_reward),)
