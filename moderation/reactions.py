"""Moderation's reactions to a report's status change (run by the kernel's outbox, at least once).

Each one only queues jobs under ids derived from the change, and those jobs send under the same
keys (`bot.outbound.send_once`), so running a reaction twice sends nothing twice.
"""

from __future__ import annotations

from bot.features import Reaction
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from bot.services import Services
from moderation.group import GROUP_CLOSE_JOB, GROUP_POST_JOB
from moderation.notifications import recipients

NOTIFY_JOB = "moderation.notify"


async def notify_people(services: Services, change: StatusChange, report: Report) -> None:
    """One DM job per reporter or follower to tell, each in their language (the agency's hand-over, with its
    crew's buttons, is the field feature's)."""
    for resident_id in await recipients(change, report):
        await services.redis.enqueue_job(
            NOTIFY_JOB, change.id, resident_id, _job_id=f"notify:{change.id}:{resident_id}"
        )


def group_job(change: StatusChange) -> tuple[str, str] | None:
    """(job, job id) keeping the moderators' group post in step with this change, if it concerns one."""
    if change.to_status == Status.SUBMITTED:
        return GROUP_POST_JOB, f"group-post:{change.id}"
    if change.from_status == Status.SUBMITTED:
        return GROUP_CLOSE_JOB, f"group-close:{change.id}"
    return None


async def keep_group_post(services: Services, change: StatusChange, report: Report) -> None:
    """Post a submitted report to the moderators' group, or close its post once it moves on."""
    job = group_job(change)
    if services.settings.moderators_chat_id is None or job is None:
        return
    name, job_id = job
    await services.redis.enqueue_job(name, change.id, _job_id=job_id)


REACTIONS = (
    Reaction("moderation.notify", notify_people),
    Reaction("moderation.group_post", keep_group_post),
)
