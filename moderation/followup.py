"""Follow-up until really fixed: the "is it really fixed?" check after a fix, and the reporter's answer.

"No" reopens the report (the lifecycle allows the reporter and staff at most MAX_REOPENS reopens). It is asked
about fixes awaiting verification and verified ones alike, except where the reporter confirmed the fix already.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError

from bot.admin.audit import EventTag, record
from bot.reports.lifecycle import ReopenLimitError, resident_actor, transition
from bot.reports.models import Report, StatusChange
from bot.reports.residents import mark_awaiting
from bot.reports.sla import SlaRules
from bot.reports.statuses import FIXED_STATUSES, Status
from moderation.answers import ANSWER_EXCHANGE
from moderation.models import FixedCheck

CALLBACK_PREFIX = "fx:"
#: Fixes older than the delay plus this are never asked about (e.g. those fixed before the feature).
ASK_WINDOW = timedelta(days=7)
REOPEN_REASON = "the reporter says it is not fixed"


class FixedAnswer(StrEnum):
    THANKS = "thanks"  #: "yes", noted
    REOPENED = "reopened"
    LIMIT_REACHED = "limit_reached"  #: "no", but it was reopened MAX_REOPENS times already
    NO_LONGER_FIXED = "no_longer_fixed"  #: staff changed it meanwhile
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"


def callback_data(report_id: int, fixed: bool) -> str:
    return f"{CALLBACK_PREFIX}{'y' if fixed else 'n'}:{report_id}"


def parse_callback(data: str) -> tuple[int, bool] | None:
    """(report id, fixed?) from a button's data, or None when it is not one of ours."""
    answer, _, report_id = data.removeprefix(CALLBACK_PREFIX).partition(":")
    if not data.startswith(CALLBACK_PREFIX) or answer not in ("y", "n") or not report_id.isdigit():
        return None
    return int(report_id), answer == "y"


async def open_due_checks(now: datetime, after: timedelta) -> list[FixedCheck]:
    """Create a check for each fix that is `after` old and was not asked about yet (idempotent)."""
    cutoff = now - after
    fixed = await Report.filter(  # a report a partner system filed has no resident to ask
        status__in=FIXED_STATUSES, fixed_at__lte=cutoff, fixed_at__gt=cutoff - ASK_WINDOW, reporter_id__isnull=False
    )
    if not fixed:
        return []
    asked = set(await FixedCheck.filter(report_id__in=[r.id for r in fixed]).values_list("report_id", "fixed_at"))
    created = []
    for report in fixed:
        if (report.id, report.fixed_at) in asked or report.fixed_at is None or await _reporter_confirmed(report):
            continue
        try:
            created.append(await FixedCheck.create(report=report, fixed_at=report.fixed_at, asked_at=now))
        except IntegrityError:  # another run got there first
            continue
    return created


async def _reporter_confirmed(report: Report) -> bool:
    """The reporter verified this fix themselves: asking them again would be noise."""
    if report.reporter_id is None:  # a partner system's report: there is nobody to ask anyway
        return True
    return await StatusChange.exists(
        report_id=report.id,
        to_status=Status.VERIFIED_FIXED,
        actor=resident_actor(report.reporter_id),
        changed_at__gte=report.fixed_at,
    )


async def answer_fixed_check(
    report_id: int, resident_id: int, fixed: bool, *, sla: SlaRules, now: datetime
) -> FixedAnswer:
    """Take the reporter's answer; "no" reopens the report if the reopen limit allows it."""
    report = await Report.get_or_none(id=report_id)
    if report is None:
        return FixedAnswer.UNKNOWN
    if report.reporter_id != resident_id:
        return FixedAnswer.NOT_YOURS
    if report.status not in FIXED_STATUSES:
        return FixedAnswer.NO_LONGER_FIXED
    actor = resident_actor(resident_id)
    await FixedCheck.filter(report_id=report.id, fixed_at=report.fixed_at, answer__isnull=True).update(
        answer="yes" if fixed else "no", answered_at=now
    )
    await record(actor, EventTag.REPORT_FIXED_CHECK, now=now, report=report, fixed=fixed)
    if fixed:
        return FixedAnswer.THANKS
    try:
        await transition(report, Status.REOPENED, actor=actor, reason=REOPEN_REASON, sla=sla, now=now)
    except ReopenLimitError:
        return FixedAnswer.LIMIT_REACHED
    await mark_awaiting(resident_id, ANSWER_EXCHANGE)  # a photo sent next belongs to the reopened report
    return FixedAnswer.REOPENED
