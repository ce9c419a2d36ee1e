"""Queue a grant evaluation (an arq job) when a report's status changes to an accepted one.

Installed by the composition roots (bot/runtime.py for the web process, bot/worker.py for the
worker), like moderation's wiring: the newest installed queue is used, and uninstalling the last
one removes the listener. Verification without a status change is covered by `request_evaluation`
(for the moderation pages to call) and by the rewards sweep cron job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from bot.reports.lifecycle import add_listener, remove_listener
from bot.reports.models import Report, StatusChange
from rewards.rules import ACCEPTED_STATUSES

log = logging.getLogger(__name__)
EVALUATE_JOB = "rewards.evaluate"


@dataclass(eq=False)  # compared by identity: one entry per install
class _Installed:
    queue: ArqRedis


_installed: list[_Installed] = []


async def request_evaluation(queue: ArqRedis, report_id: int, tag: str) -> None:
    """Queue an evaluation; `tag` names the event, so one event never queues two jobs."""
    await queue.enqueue_job(EVALUATE_JOB, report_id, _job_id=f"rewards:evaluate:{report_id}:{tag}")


async def on_status_change(report: Report, change: StatusChange) -> None:
    if change.to_status not in ACCEPTED_STATUSES or not _installed:
        return
    try:
        await request_evaluation(_installed[-1].queue, report.id, f"change-{change.id}")
    except (RedisError, OSError):  # the change is committed: never fail it, the sweep catches up
        log.exception("could not queue the reward evaluation of report %s", report.id)


def install(queue: ArqRedis) -> Callable[[], None]:
    """Start evaluating rewards on status changes; returns the function that stops it."""
    entry = _Installed(queue)
    _installed.append(entry)
    add_listener(on_status_change)

    def uninstall() -> None:
        if entry in _installed:
            _installed.remove(entry)
        if not _installed:
            remove_listener(on_status_change)

    return uninstall
