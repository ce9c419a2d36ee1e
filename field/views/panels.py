"""The field's panels on other features' pages; each returns its template's variables, or None to show nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.admin.accounts import Role, has_role
from bot.admin.models import StaffUser
from bot.admin.security import staff_key
from bot.city.models import Agency
from bot.reports.deadlines import original_due
from bot.reports.models import DueExtension, Report
from bot.reports.statuses import CLOSED_NOT_FIXED, Status
from bot.services import Services
from field import listing, stats
from field.models import CrewTask, Listing, Verification
from field.patrol import SOURCE as PATROL
from field.rules import FieldRules
from field.verification import OUTCOME_LABELS

PATROL_DAYS = 7
DEADLINES_SPAN = timedelta(days=30)
#: Closed-off hazards stay on the public page this long ("closed off on ..."), then leave it.
PUBLIC_CLOSED_SHOWN = timedelta(days=90)


async def _names(staff_ids: set[int | None]) -> dict[int, str]:
    members = await StaffUser.filter(id__in=[i for i in staff_ids if i is not None])
    return {member.id: str(member.display_name or member.username) for member in members}


async def report_side(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "report.side": the crew's work, before and after, deadline moves, verification, listing."""
    report: Report = params["report"]
    staff: StaffUser | None = params["request"].get(staff_key)
    tasks = list(await CrewTask.filter(report_id=report.id).order_by("id"))
    extensions = list(await DueExtension.filter(report_id=report.id).order_by("created_at", "id"))
    verification = await Verification.filter(report_id=report.id).order_by("-id").first()
    listed = await Listing.get_or_none(report_id=report.id)
    official = staff is not None and has_role(staff, Role.OFFICIAL)
    listable = Status(report.status) not in CLOSED_NOT_FIXED and report.status != Status.VERIFIED_FIXED
    patrol = report.source == PATROL
    if not (tasks or extensions or verification or listed or patrol or (official and listable)):
        return None
    patroller = await StaffUser.filter(telegram_user_id=report.reporter_id).first() if patrol else None
    names = await _names({t.taken_by_id for t in tasks} | {verification.verifier_id if verification else None})
    return {
        "r": report,
        "tasks": tasks,
        "names": names,
        "agencies": {a.key: a for a in await Agency.filter(key__in=[t.agency for t in tasks])},
        "has_after": any(task.after_photo_id is not None for task in tasks),
        "extensions": extensions,
        "original_due": await original_due(report) if extensions else None,
        "verification": verification,
        "listed": listed,
        "can_list": official and listable and listed is None,
        "refusal": await listing.close_off_refusal(listed) if listed is not None else None,
        "refusals": listing.CLOSE_OFF_REFUSALS,
        "outcome_labels": OUTCOME_LABELS,
        "patrol": patrol,
        "patroller": (patroller.display_name or patroller.username) if patroller is not None else "-",
    }


async def dashboard(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "dashboard" (risk's trends page; params `start_day`, `end_day` (exclusive), `area`): grid staff's
    patrol counts per day, and how agencies keep their deadlines, over the page's period."""
    rules, now = FieldRules.from_settings(services.settings), services.clock()
    end_day = params.get("end_day") or rules.local_date(now) + timedelta(days=1)
    start_day = params.get("start_day") or end_day - DEADLINES_SPAN
    area = str(params.get("area") or "")
    return {
        "patrols": await stats.patrol_counts(start_day, end_day, rules.zone, area=area, days_shown=PATROL_DAYS),
        "deadlines": await stats.agency_deadlines(
            stats.local_midnight(start_day, rules.zone), stats.local_midnight(end_day, rules.zone)
        ),
        "agencies": {a.key: a for a in await Agency.all()},
        "start_day": start_day,
    }


async def listed_public(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "status.page" (public): listed hazards at cell precision, with their agency, deadline and progress.

    Nothing personal: no reporter, no photo, no exact position, no crew member's name."""
    rules, now = FieldRules.from_settings(services.settings), services.clock()
    rows = await listing.board(today=rules.local_date(now), closed_since=now - PUBLIC_CLOSED_SHOWN)
    if not rows:
        return None
    return {
        "rows": rows,
        "grid": services.grid,
        "agencies": {a.key: a for a in await Agency.all()},
        "category_names": {c.key: c.label for c in services.categories},
    }
