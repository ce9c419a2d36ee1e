"""Patrol mode (日检查): grid staff file the hazards they find, fast. Photo, location, category: filed; again.

No emergency question (staff call it in themselves), no description, no reward (rewards never pays staff);
each report is marked `source = "patrol"` and goes to the moderators like any other. The session's `step`
is the conversation state, kept in the database like a resident's draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.admin.accounts import is_grid_staff
from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.city.grid import Grid
from bot.city.placement import place_report
from bot.reports.categories import Category, by_key
from bot.reports.dedup import DedupRules, flag_report
from bot.reports.geo import ServiceArea, check_position
from bot.reports.lifecycle import staff_actor, transition
from bot.reports.models import Photo, Report
from bot.reports.photo_store import store_photo
from bot.reports.photos import PhotoLimits, PhotoRejectedError
from bot.reports.residents import mark_awaiting
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from bot.storage import PhotoStorage
from field.models import PatrolSession

SOURCE = "patrol"
CALLBACK_PREFIX = "fp:"


class Step(StrEnum):
    PHOTO = "photo"
    LOCATION = "location"
    CATEGORY = "category"


class Said(StrEnum):
    """What the bot answers; the transport turns it into text and buttons."""

    STARTED = "started"
    ASK_LOCATION = "ask_location"
    ASK_CATEGORY = "ask_category"
    FILED = "filed"
    NEED_PHOTO = "need_photo"
    NEED_LOCATION = "need_location"
    NEED_CATEGORY = "need_category"
    BAD_PHOTO = "bad_photo"
    BAD_LOCATION = "bad_location"


@dataclass(frozen=True)
class Reply:
    said: Said
    session: PatrolSession
    report: Report | None = None
    problem: str | None = None  # a photo's RejectReason or a LocationProblem value


@dataclass(frozen=True)
class PatrolRules:
    """The kernel's intake rules patrol files with (the same photo pipeline, grid, duplicates and SLA clocks)."""

    categories: tuple[Category, ...]
    area: ServiceArea
    grid: Grid
    photo_limits: PhotoLimits
    storage: PhotoStorage
    dedup: DedupRules
    sla: SlaRules
    idle: timedelta


async def grid_member(telegram_user_id: int) -> StaffUser | None:
    staff = await StaffUser.filter(telegram_user_id=telegram_user_id, active=True).order_by("id").first()
    return staff if staff is not None and is_grid_staff(staff) else None


#: The resident's "awaiting" mark (bot.reports.residents) while on patrol: other residents' messages skip the
#: patrol tables.
PATROL_EXCHANGE = "field.patrol"


async def start(staff: StaffUser, now: datetime) -> Reply:
    """Begin patrol mode (a session already open starts over, keeping nothing half-filed)."""
    assert staff.telegram_user_id is not None
    await PatrolSession.filter(telegram_user_id=staff.telegram_user_id).delete()
    session = await PatrolSession.create(
        telegram_user_id=staff.telegram_user_id, staff_id=staff.id, step=Step.PHOTO, started_at=now, touched_at=now
    )
    await mark_awaiting(staff.telegram_user_id, PATROL_EXCHANGE)
    return Reply(Said.STARTED, session)


async def current(telegram_user_id: int, now: datetime, idle: timedelta) -> PatrolSession | None:
    """The open session; one idle too long has ended (patrols are short walks, not days)."""
    session = await PatrolSession.get_or_none(telegram_user_id=telegram_user_id)
    if session is not None and session.touched_at < now - idle:
        await session.delete()
        return None
    return session


async def end(session: PatrolSession) -> int:
    """Leave patrol mode; returns how many hazards it filed."""
    await session.delete()
    await mark_awaiting(session.telegram_user_id, PATROL_EXCHANGE, waiting=False)
    return session.filed


async def add_photo(session: PatrolSession, data: bytes, *, unique_id: str, rules: PatrolRules, now: datetime) -> Reply:
    """A photo starts the next hazard (or replaces the photo of the one not filed yet)."""
    try:
        photo = await store_photo(
            data,
            owner_id=session.telegram_user_id,
            limits=rules.photo_limits,
            storage=rules.storage,
            telegram_file_unique_id=unique_id,
            now=now,
        )
    except PhotoRejectedError as rejected:
        return Reply(Said.BAD_PHOTO, session, problem=rejected.reason)
    session.photo_id, session.lat, session.lon = photo.id, None, None
    return await _advance(session, Step.LOCATION, Said.ASK_LOCATION, now)


async def set_location(session: PatrolSession, lat: float, lon: float, *, rules: PatrolRules, now: datetime) -> Reply:
    if session.step == Step.PHOTO:
        return Reply(Said.NEED_PHOTO, session)
    problem = check_position(lat, lon, rules.area)
    if problem is not None:
        return Reply(Said.BAD_LOCATION, session, problem=problem)
    session.lat, session.lon = lat, lon
    return await _advance(session, Step.CATEGORY, Said.ASK_CATEGORY, now)


async def choose_category(session: PatrolSession, key: str, *, rules: PatrolRules, now: datetime) -> Reply:
    """The last tap: file the hazard and wait for the next photo."""
    if session.step != Step.CATEGORY or session.lat is None or session.lon is None:
        return wrong_input(session)
    if by_key(rules.categories, key) is None:
        return Reply(Said.NEED_CATEGORY, session)
    report = await _file(session, key, rules=rules, now=now)
    session.photo_id, session.lat, session.lon, session.filed = None, None, None, session.filed + 1
    reply = await _advance(session, Step.PHOTO, Said.FILED, now)
    return Reply(Said.FILED, reply.session, report=report)


def wrong_input(session: PatrolSession) -> Reply:
    """Say what this step needs."""
    needed = {Step.PHOTO: Said.NEED_PHOTO, Step.LOCATION: Said.NEED_LOCATION, Step.CATEGORY: Said.NEED_CATEGORY}
    return Reply(needed[Step(session.step)], session)


async def _file(session: PatrolSession, category: str, *, rules: PatrolRules, now: datetime) -> Report:
    assert session.lat is not None and session.lon is not None
    staff = await StaffUser.get(id=session.staff_id)
    async with in_transaction():
        report = Report(
            reporter_id=session.telegram_user_id,
            category=category,
            lat=session.lat,
            lon=session.lon,
            location_source="shared",
            description="",
            language=staff.language,
            source=SOURCE,
        )
        place_report(report, rules.grid)
        await transition(report, Status.SUBMITTED, actor=staff_actor(staff.id), reason=SOURCE, sla=rules.sla, now=now)
        if session.photo_id is not None:
            await Photo.filter(id=session.photo_id).update(report_id=report.id, position=0)
        await flag_report(report, rules.dedup, now)
        await record(staff_actor(staff.id), EventTag.REPORT_PATROL, now=now, report=report)
    return report


async def _advance(session: PatrolSession, step: Step, said: Said, now: datetime) -> Reply:
    session.step, session.touched_at = step, now
    await session.save()
    return Reply(said, session)
