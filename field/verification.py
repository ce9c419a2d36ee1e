"""Verifying a fix: someone other than the crew confirms it, or the window passes with no objection.

Every change to `fixed` (by a crew's button or an official's hand) opens one `Verification`: the reporter is
asked, with the before and after photos, and for some categories a grid-staff member covering the place is
asked to check on site. "Yes" verifies (`verified_fixed`; the lifecycle refuses the agency's own crew), "no"
reopens. With no answer by `closes_at`, the fix counts as verified, except a listed hazard's, which waits for
a person: it can only be closed off on someone's word (field.listing).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.admin.accounts import Role, covers_place, is_crew_of
from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.i18n import N_
from bot.reports.lifecycle import (
    NotIndependentError,
    ReopenLimitError,
    TransitionError,
    resident_actor,
    staff_actor,
    transition,
)
from bot.reports.models import Report, StatusChange
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from field.models import CrewTask, Listing, Verification
from field.rules import FieldRules

WINDOW_ACTOR = "system:verification-window"
OBJECTION = "the reporter or a verifier says it is not fixed"
CALLBACK_PREFIX = "fv:"


class Outcome(StrEnum):
    CONFIRMED = "confirmed"  #: the reporter or a verifier said yes
    OBJECTED = "objected"  #: ... said no (reopened, or at the reopen limit)
    LAPSED = "lapsed"  #: nobody answered within the window: verified
    SUPERSEDED = "superseded"  #: the report left `fixed` another way (an official reopened it, a newer fix)


OUTCOME_LABELS: dict[str, str] = {
    Outcome.CONFIRMED: N_("confirmed"),
    Outcome.OBJECTED: N_("objected: not fixed"),
    Outcome.LAPSED: N_("verified: nobody objected in time"),
    Outcome.SUPERSEDED: N_("superseded"),
}


class Answer(StrEnum):
    CONFIRMED = "confirmed"
    OBJECTED = "objected"
    LIMIT = "limit"  #: "no", but the report was reopened too often already
    NOT_ALLOWED = "not_allowed"  #: neither the reporter nor grid staff of the place
    CREW = "crew"  #: the agency's own crew
    NOT_AWAITING = "not_awaiting"  #: not waiting for a confirmation (any more)


def callback_data(report_id: int, fixed: bool) -> str:
    return f"{CALLBACK_PREFIX}{'y' if fixed else 'n'}:{report_id}"


def parse_callback(data: str) -> tuple[int, bool] | None:
    answer, _colon, raw_id = data.removeprefix(CALLBACK_PREFIX).partition(":")
    if not data.startswith(CALLBACK_PREFIX) or answer not in ("y", "n") or not raw_id.isdigit():
        return None
    return int(raw_id), answer == "y"


async def open_verification(change: StatusChange, report: Report, rules: FieldRules) -> Verification | None:
    """The verification of the fix `change` recorded (created once; None for other changes)."""
    if change.to_status != Status.FIXED:
        return None
    existing = await Verification.get_or_none(fix_change_id=change.id)
    if existing is not None:
        return existing
    # The crew's task behind this very fix (an official's "fixed" has none, and no after photo).
    task = await CrewTask.filter(report_id=report.id, fixed_at=change.changed_at).order_by("-id").first()
    verifier = await pick_verifier(report) if rules.needs_grid_check(report.category) else None
    async with in_transaction():
        await Verification.filter(report_id=report.id, outcome__isnull=True).update(
            outcome=Outcome.SUPERSEDED, decided_at=change.changed_at
        )
        return await Verification.create(
            report_id=report.id,
            fix_change_id=change.id,
            task_id=task.id if task is not None else None,
            verifier_id=verifier.id if verifier is not None else None,
            opened_at=change.changed_at,
            closes_at=change.changed_at + rules.verification_window,
        )


async def pick_verifier(report: Report) -> StaffUser | None:
    """The grid-staff member closest to the place: one covering its cell, else its street, else its district."""
    grid = await StaffUser.filter(role=Role.GRID, active=True, telegram_user_id__isnull=False).order_by("id")
    for key in (report.cell, report.street, report.area):
        for member in grid:
            if key and covers_place(member, key) and member.telegram_user_id != report.reporter_id:
                return member
    return None


async def open_for(report_id: int) -> Verification | None:
    return await Verification.filter(report_id=report_id, outcome__isnull=True).order_by("-id").first()


async def _actor(report: Report, verification: Verification, telegram_user_id: int) -> str | Answer:
    """Who answers: the reporter, or grid staff of the place; the agency's crew never."""
    staff = await StaffUser.filter(telegram_user_id=telegram_user_id, active=True).order_by("id").first()
    if staff is not None and is_crew_of(staff, report.agency):
        return Answer.CREW
    if telegram_user_id == report.reporter_id:
        return resident_actor(telegram_user_id)
    if staff is not None and (
        staff.id == verification.verifier_id or covers_place(staff, report.area, report.street, report.cell)
    ):
        return staff_actor(staff.id)
    return Answer.NOT_ALLOWED


async def answer(
    report_id: int, telegram_user_id: int, fixed: bool, *, sla: SlaRules, now: datetime
) -> tuple[Answer, Report | None]:
    """The reporter's or a verifier's "fixed" / "still there"."""
    report = await Report.get_or_none(id=report_id)
    verification = await open_for(report_id) if report is not None else None
    if report is None or verification is None or report.status != Status.FIXED:
        return Answer.NOT_AWAITING, report
    actor = await _actor(report, verification, telegram_user_id)
    if isinstance(actor, Answer):
        return actor, report
    try:
        async with in_transaction():
            if fixed:
                await transition(report, Status.VERIFIED_FIXED, actor=actor, reason="confirmed", sla=sla, now=now)
            else:
                await transition(report, Status.REOPENED, actor=actor, reason=OBJECTION, sla=sla, now=now)
            await _decide(verification, Outcome.CONFIRMED if fixed else Outcome.OBJECTED, actor, now)
            await record(actor, EventTag.REPORT_VERIFIED, now=now, report=report, fixed=fixed)
    except NotIndependentError:
        return Answer.CREW, report
    except ReopenLimitError:
        await _decide(verification, Outcome.OBJECTED, actor, now)
        await record(actor, EventTag.REPORT_VERIFIED, now=now, report=report, fixed=False, reopened=False)
        return Answer.LIMIT, report
    except TransitionError:
        return Answer.NOT_AWAITING, await Report.get(id=report_id)
    return (Answer.CONFIRMED if fixed else Answer.OBJECTED), report


async def _decide(verification: Verification, outcome: Outcome, actor: str, now: datetime) -> None:
    await Verification.filter(id=verification.id, outcome__isnull=True).update(
        outcome=outcome, decided_by=actor, decided_at=now
    )


async def lapse_due(*, sla: SlaRules, now: datetime) -> list[int]:
    """Verify the fixes nobody objected to within the window (listed hazards wait for a person); returns the
    reports verified by this call (safe to run twice: each verification is decided once)."""
    verified = []
    for verification in await Verification.filter(outcome__isnull=True, closes_at__lte=now).order_by("id"):
        report = await Report.get(id=verification.report_id)
        if report.status != Status.FIXED:
            await _decide(verification, Outcome.SUPERSEDED, WINDOW_ACTOR, now)
            continue
        if await Listing.exists(report_id=report.id, closed_at__isnull=True):
            continue
        try:
            async with in_transaction():
                await transition(
                    report, Status.VERIFIED_FIXED, actor=WINDOW_ACTOR, reason="no objection in time", sla=sla, now=now
                )
                await _decide(verification, Outcome.LAPSED, WINDOW_ACTOR, now)
                await record(WINDOW_ACTOR, EventTag.REPORT_VERIFIED, now=now, report=report, fixed=True, lapsed=True)
        except TransitionError:  # an answer came in meanwhile
            continue
        verified.append(report.id)
    return verified
