"""Moderation's reactions to every status change (SLA clocks, then DMs), installed by the composition root.

The web process and the worker each install it; when both run in one process (`python -m bot run`)
one listener serves both, so a change is stamped and announced once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from bot.config import Settings
from bot.reports.lifecycle import add_listener, remove_listener
from bot.reports.models import Report, StatusChange
from moderation.sla import SlaRules, stamp

log = logging.getLogger(__name__)
FAN_OUT_JOB = "moderation.fan_out_change"


@dataclass(frozen=True)
class _Installed:
    rules: SlaRules
    arq: ArqRedis


_installed: list[_Installed] = []


def fan_out_job_id(change_id: int) -> str:
    return f"notify:{change_id}"


async def on_status_change(report: Report, change: StatusChange) -> None:
    """Stamp the SLA due dates, then queue the notifications (a worker job decides who hears what)."""
    if not _installed:
        return
    current = _installed[-1]
    await stamp(report, change, current.rules)
    try:
        await current.arq.enqueue_job(FAN_OUT_JOB, change.id, _job_id=fan_out_job_id(change.id))
    except (RedisError, OSError):  # the change itself is committed; losing a DM must not undo it
        log.exception("could not queue the notifications of status change %s", change.id)


def install(settings: Settings, arq: ArqRedis) -> Callable[[], None]:
    """Start reacting to status changes; returns the function that stops it."""
    entry = _Installed(SlaRules.from_settings(settings), arq)
    _installed.append(entry)
    add_listener(on_status_change)

    def uninstall() -> None:
        if entry in _installed:
            _installed.remove(entry)
        if not _installed:
            remove_listener(on_status_change)

    return uninstall
