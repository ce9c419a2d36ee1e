"""Moderation's reactions to every status change (SLA clocks, DMs, the moderators' group post).

Installed by the composition root.

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
from bot.reports.lifecycle import Status, add_listener, remove_listener
from bot.reports.models import Report, StatusChange
from moderation.group import GROUP_CLOSE_JOB, GROUP_POST_JOB
from moderation.sla import SlaRules, stamp

log = logging.getLogger(__name__)
FAN_OUT_JOB = "moderation.fan_out_change"


@dataclass(frozen=True)
class _Installed:
    rules: SlaRules
    arq: ArqRedis
    group_chat_id: int | None  # the moderators' Telegram group; None: nothing is posted


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


def group_job(change: StatusChange) -> tuple[str, str] | None:
    """(job, job id) keeping the moderators' group post in step with this change, if it concerns one."""
    if change.to_status == Status.SUBMITTED:
        return GROUP_POST_JOB, f"group-post:{change.id}"
    if change.from_status == Status.SUBMITTED:
        return GROUP_CLOSE_JOB, f"group-close:{change.id}"
    return None


async def on_group_change(report: Report, change: StatusChange) -> None:
    """Queue posting a submitted report to the moderators' group, or closing its post once it moves on."""
    job = group_job(change)
    if not _installed or _installed[-1].group_chat_id is None or job is None:
        return
    name, job_id = job
    try:
        await _installed[-1].arq.enqueue_job(name, change.id, _job_id=job_id)
    except (RedisError, OSError):  # the web admin still shows the report; the group post is a convenience
        log.exception("could not queue the group post job of status change %s", change.id)


def install(settings: Settings, arq: ArqRedis) -> Callable[[], None]:
    """Start reacting to status changes; returns the function that stops it."""
    entry = _Installed(SlaRules.from_settings(settings), arq, settings.moderators_chat_id)
    _installed.append(entry)
    add_listener(on_status_change)  # first: the group post shows the due time it stamps
    add_listener(on_group_change)

    def uninstall() -> None:
        if entry in _installed:
            _installed.remove(entry)
        if not _installed:
            remove_listener(on_status_change)
            remove_listener(on_group_change)

    return uninstall
