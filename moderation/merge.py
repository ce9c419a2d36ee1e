"""Merging a duplicate report into the original one.

Unlike FixMyStreet, people move: the duplicate's reporter and followers become followers of the
original and each is told so (the duplicate's status DM says it). The original's reporter stays the
reporter of record, which is what rewards look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.i18n import N_
from bot.reports.lifecycle import staff_actor, transition
from bot.reports.models import Report, ReportFollower
from bot.reports.sla import SlaRules
from bot.reports.statuses import OPEN_STATUSES, Status
from moderation.decisions import DecisionError

SAME_REPORT = N_("A report cannot be merged into itself.")
ORIGINAL_IS_DUPLICATE = N_("Report #%(id)s is itself a duplicate: merge into #%(original)s instead.")
ORIGINAL_CLOSED = N_("Report #%(id)s is closed; merge into an open or fixed report.")
#: An original may be open, or fixed (a new report of a fixed hazard is a duplicate until reopened).
MERGEABLE_ORIGINAL = OPEN_STATUSES | {Status.FIXED}


@dataclass(frozen=True)
class MergeResult:
    duplicate_id: int
    original_id: int
    moved_resident_ids: list[int]  # now following the original (the duplicate's reporter first)


async def merge(duplicate: Report, original: Report, staff: StaffUser, *, sla: SlaRules, now: datetime) -> MergeResult:
    """Close `duplicate` as a duplicate of `original` and move its people over."""
    _check(duplicate, original)
    actor = staff_actor(staff.id)
    async with in_transaction():
        followers = await ReportFollower.filter(report_id=duplicate.id).order_by("id").values("resident_id")
        reporter = [duplicate.reporter_id] if duplicate.reporter_id is not None else []  # None: a partner filed it
        people = list(dict.fromkeys([*reporter, *(int(row["resident_id"]) for row in followers)]))
        moved = [rid for rid in people if rid != original.reporter_id]
        for resident_id in moved:
            await ReportFollower.get_or_create(report_id=original.id, resident_id=resident_id)
        await Report.filter(id=duplicate.id).update(duplicate_of_id=original.id)
        duplicate.duplicate_of_id = original.id
        # Its reactions tell the duplicate's reporter and followers (they stay listed on the closed report).
        await transition(duplicate, Status.DUPLICATE, actor=actor, reason=f"#{original.id}", sla=sla, now=now)
        await record(actor, EventTag.REPORT_MERGE, now=now, report=duplicate, into=original.id, moved=moved)
    return MergeResult(duplicate.id, original.id, moved)


def _check(duplicate: Report, original: Report) -> None:
    if duplicate.id == original.id:
        raise DecisionError(SAME_REPORT)
    if original.duplicate_of_id is not None:
        raise DecisionError(ORIGINAL_IS_DUPLICATE, id=original.id, original=original.duplicate_of_id)
    if original.status not in MERGEABLE_ORIGINAL:
        raise DecisionError(ORIGINAL_CLOSED, id=original.id)
