"""Filing a report: the draft's steps, each an explicit function that answers with the next prompt.

The conversation state is the `Draft` row, so any web process, or the same one after a restart,
continues where the resident left off. Transports parse input, call one function here, and render
the returned `Reply`; nothing here knows about Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.city.grid import Grid
from bot.city.placement import place_report
from bot.reports.categories import Category, by_key
from bot.reports.dedup import (
    DedupRules,
    DuplicateCheck,
    FollowOutcome,
    Notice,
    NoticeKind,
    check_draft,
    flag_report,
    follow,
    same_user_same_photo,
)
from bot.reports.geo import ServiceArea, check_position
from bot.reports.lifecycle import transition
from bot.reports.models import Draft, Photo, Report, Resident
from bot.reports.photo_store import store_photo
from bot.reports.photos import PhotoLimits, PhotoRejectedError
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from bot.storage import PhotoStorage

#: Long enough for a paragraph, short enough for a moderator to read on a phone.
MAX_DESCRIPTION_CHARS = 1000


class Step(StrEnum):
    PHOTOS = "photos"  #: waiting for 1..max photos, "done" after the first
    EXIF_LOCATION = "exif_location"  #: a photo carried GPS: use it?
    LOCATION = "location"
    DANGER = "danger"  #: is anyone in danger right now?
    CATEGORY = "category"
    DUPLICATES = "duplicates"  #: open reports nearby: "this is it" (follow) or "mine is new"
    DESCRIPTION = "description"
    CONFIRM = "confirm"


class Prompt(StrEnum):
    """What the bot says next; the transport turns it into text and buttons."""

    ASK_PHOTO = "ask_photo"
    PHOTO_ADDED = "photo_added"
    ASK_USE_PHOTO_LOCATION = "ask_use_photo_location"
    ASK_LOCATION = "ask_location"
    ASK_DANGER = "ask_danger"
    EMERGENCY = "emergency"
    ASK_CATEGORY = "ask_category"
    ASK_DUPLICATE = "ask_duplicate"
    FOLLOWING = "following"
    ALREADY_FOLLOWING = "already_following"
    ASK_DESCRIPTION = "ask_description"
    ASK_CONFIRM = "ask_confirm"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    NOTHING_TO_CANCEL = "nothing_to_cancel"


class Problem(StrEnum):
    """Why the last input was not taken (photo and location problems use their own enums' values)."""

    WRONG_INPUT = "wrong_input"
    TOO_MANY_PHOTOS = "too_many_photos"
    UNKNOWN_CATEGORY = "unknown_category"
    DESCRIPTION_TOO_LONG = "description_too_long"
    NO_DRAFT = "no_draft"
    NOT_A_CANDIDATE = "not_a_candidate"


PROMPT_FOR_STEP = {
    Step.PHOTOS: Prompt.ASK_PHOTO,
    Step.EXIF_LOCATION: Prompt.ASK_USE_PHOTO_LOCATION,
    Step.LOCATION: Prompt.ASK_LOCATION,
    Step.DANGER: Prompt.ASK_DANGER,
    Step.CATEGORY: Prompt.ASK_CATEGORY,
    Step.DUPLICATES: Prompt.ASK_DUPLICATE,
    Step.DESCRIPTION: Prompt.ASK_DESCRIPTION,
    Step.CONFIRM: Prompt.ASK_CONFIRM,
}


@dataclass
class Reply:
    prompt: Prompt
    draft: Draft | None = None
    problem: str | None = None
    report: Report | None = None
    photo_count: int = 0
    params: dict[str, object] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)  # told on top of the prompt
    duplicates: DuplicateCheck | None = None  # what the DUPLICATES step offers


@dataclass(frozen=True)
class IntakeRules:
    categories: tuple[Category, ...]
    area: ServiceArea
    photo_limits: PhotoLimits
    grid: Grid = field(default_factory=lambda: Grid([]))
    max_photos: int = 3
    draft_ttl: timedelta = timedelta(minutes=30)
    dedup: DedupRules = field(default_factory=DedupRules)
    sla: SlaRules = field(default_factory=SlaRules)


class Intake:
    """The report-filing domain service, one per process, built from Settings at startup."""

    def __init__(self, rules: IntakeRules, storage: PhotoStorage) -> None:
        self.rules = rules
        self.storage = storage

    async def current_draft(self, resident: Resident, now: datetime) -> Draft | None:
        """The resident's live draft; an expired one is dropped first (the sweeper may be late)."""
        draft = await Draft.get_or_none(resident_id=resident.id)
        if draft is not None and draft.touched_at < now - self.rules.draft_ttl:
            await discard_draft(draft)
            return None
        return draft

    async def start(self, resident: Resident, now: datetime) -> Reply:
        """Begin a new report, replacing any unfinished one."""
        old = await Draft.get_or_none(resident_id=resident.id)
        if old is not None:
            await discard_draft(old)
        draft = await Draft.create(resident=resident, step=Step.PHOTOS, touched_at=now)
        return Reply(Prompt.ASK_PHOTO, draft)

    async def reprompt(self, draft: Draft, problem: str = Problem.WRONG_INPUT) -> Reply:
        """Ask again for what the current step needs, saying why the last input was not taken."""
        count = await Photo.filter(draft_id=draft.id).count()
        return Reply(PROMPT_FOR_STEP[Step(draft.step)], draft, problem, photo_count=count)

    async def add_photo(self, draft: Draft, data: bytes, *, telegram_file_unique_id: str, now: datetime) -> Reply:
        """Clean and store one photo; a refused file leaves the draft exactly as it was."""
        if draft.step != Step.PHOTOS:
            return await self.reprompt(draft)
        count = await Photo.filter(draft_id=draft.id).count()
        if count >= self.rules.max_photos:
            return await self.reprompt(draft, Problem.TOO_MANY_PHOTOS)
        try:
            photo = await store_photo(
                data,
                owner_id=draft.resident_id,
                limits=self.rules.photo_limits,
                storage=self.storage,
                telegram_file_unique_id=telegram_file_unique_id,
                now=now,
                draft_id=draft.id,
            )
        except PhotoRejectedError as rejected:
            return Reply(Prompt.ASK_PHOTO, draft, rejected.reason, photo_count=count)
        gps = (photo.exif_lat, photo.exif_lon) if photo.exif_lat is not None and photo.exif_lon is not None else None
        if gps and draft.proposed_lat is None and check_position(*gps, self.rules.area) is None:
            draft.proposed_lat, draft.proposed_lon = gps
        await self._touch(draft, now)
        reply = (
            await self.photos_done(draft, now)
            if count + 1 >= self.rules.max_photos
            else Reply(Prompt.PHOTO_ADDED, draft, photo_count=count + 1)
        )
        earlier = await same_user_same_photo(draft.resident_id, sha256=photo.sha256, phash=photo.phash)
        if earlier is not None:
            reply.notices.append(Notice(NoticeKind.SAME_PHOTO_AGAIN, (earlier.id,)))
        return reply

    async def photos_done(self, draft: Draft, now: datetime) -> Reply:
        """Move on to the location: propose the photo's own position when it had one."""
        if draft.step != Step.PHOTOS or not await Photo.filter(draft_id=draft.id).exists():
            return await self.reprompt(draft)
        if draft.proposed_lat is not None:
            return await self._advance(draft, Step.EXIF_LOCATION, now)
        return await self._advance(draft, Step.LOCATION, now)

    async def answer_photo_location(self, draft: Draft, use_it: bool, now: datetime) -> Reply:
        if draft.step != Step.EXIF_LOCATION or draft.proposed_lat is None or draft.proposed_lon is None:
            return await self.reprompt(draft)
        if not use_it:
            return await self._advance(draft, Step.LOCATION, now)
        return await self.set_location(draft, draft.proposed_lat, draft.proposed_lon, "exif", now)

    async def set_location(self, draft: Draft, lat: float, lon: float, source: str, now: datetime) -> Reply:
        """Take a shared, venue or typed position after checking it is usable."""
        if draft.step not in (Step.LOCATION, Step.EXIF_LOCATION):
            return await self.reprompt(draft)
        problem = check_position(lat, lon, self.rules.area)
        if problem is not None:
            await self._touch(draft, now)
            return Reply(Prompt.ASK_LOCATION, draft, problem)
        draft.lat, draft.lon, draft.location_source = lat, lon, source
        return await self._advance(draft, Step.DANGER, now)

    async def answer_danger(self, draft: Draft, in_danger: bool, now: datetime) -> Reply:
        """An emergency goes to 110/119/120, not to a queue: the draft ends here."""
        if draft.step != Step.DANGER:
            return await self.reprompt(draft)
        if in_danger:
            await discard_draft(draft)
            return Reply(Prompt.EMERGENCY)
        return await self._advance(draft, Step.CATEGORY, now)

    async def choose_category(self, draft: Draft, key: str, now: datetime) -> Reply:
        if draft.step != Step.CATEGORY:
            return await self.reprompt(draft)
        if by_key(self.rules.categories, key) is None:
            return await self.reprompt(draft, Problem.UNKNOWN_CATEGORY)
        draft.category = key
        check = await self._check_duplicates(draft, now)
        reply = await self._advance(draft, Step.DUPLICATES if check.candidates else Step.DESCRIPTION, now)
        reply.duplicates, reply.notices = check, check.notices
        return reply

    async def pick_duplicate(self, draft: Draft, resident: Resident, report_id: int, now: datetime) -> Reply:
        """ "This is it": follow that report instead of filing a new one; the draft ends here."""
        if draft.step != Step.DUPLICATES:
            return await self.reprompt(draft)
        check = await self._check_duplicates(draft, now)  # again: the offer may have closed meanwhile
        chosen = next((near.report for near in check.candidates if near.report.id == report_id), None)
        if chosen is None:
            return await self.reprompt(draft, Problem.NOT_A_CANDIDATE)
        outcome = await follow(chosen, resident)
        await discard_draft(draft)
        prompt = Prompt.FOLLOWING if outcome is FollowOutcome.FOLLOWING else Prompt.ALREADY_FOLLOWING
        return Reply(prompt, None, report=chosen)

    async def duplicate_is_new(self, draft: Draft, now: datetime) -> Reply:
        """ "Mine is new": go on with the description."""
        if draft.step != Step.DUPLICATES:
            return await self.reprompt(draft)
        return await self._advance(draft, Step.DESCRIPTION, now)

    async def _check_duplicates(self, draft: Draft, now: datetime) -> DuplicateCheck:
        category = by_key(self.rules.categories, draft.category or "")
        radius_m = category.duplicate_radius_m if category is not None else Category.duplicate_radius_m
        return await check_draft(draft, radius_m, self.rules.dedup, now)

    async def set_description(self, draft: Draft, text: str | None, now: datetime) -> Reply:
        """Take the optional description; `None` means the resident skipped it."""
        if draft.step != Step.DESCRIPTION:
            return await self.reprompt(draft)
        cleaned = (text or "").strip()
        if len(cleaned) > MAX_DESCRIPTION_CHARS:
            await self._touch(draft, now)
            return Reply(
                Prompt.ASK_DESCRIPTION, draft, Problem.DESCRIPTION_TOO_LONG, params={"max_chars": MAX_DESCRIPTION_CHARS}
            )
        draft.description = cleaned
        return await self._advance(draft, Step.CONFIRM, now)

    async def confirm(self, draft: Draft, resident: Resident, now: datetime) -> Reply:
        """File the report: one transaction creates it, moves the photos and ends the draft."""
        if draft.step != Step.CONFIRM or draft.lat is None or draft.lon is None or draft.category is None:
            return await self.reprompt(draft)
        async with in_transaction():
            report = Report(
                reporter=resident,
                category=draft.category,
                lat=draft.lat,
                lon=draft.lon,
                location_source=draft.location_source or "shared",
                description=draft.description or "",
                language=resident.language,
            )
            place_report(report, self.rules.grid)
            await transition(report, Status.SUBMITTED, actor=f"resident:{resident.id}", sla=self.rules.sla, now=now)
            await Photo.filter(draft_id=draft.id).update(report_id=report.id, draft_id=None)
            await draft.delete()
            await flag_report(report, self.rules.dedup, now)
        return Reply(Prompt.SUBMITTED, None, report=report)

    async def cancel(self, resident: Resident) -> Reply:
        draft = await Draft.get_or_none(resident_id=resident.id)
        if draft is None:
            return Reply(Prompt.NOTHING_TO_CANCEL)
        await discard_draft(draft)
        return Reply(Prompt.CANCELLED)

    async def _advance(self, draft: Draft, step: Step, now: datetime) -> Reply:
        draft.step = step
        await self._touch(draft, now)
        return Reply(PROMPT_FOR_STEP[step], draft)

    @staticmethod
    async def _touch(draft: Draft, now: datetime) -> None:
        draft.touched_at = now
        await draft.save()


async def discard_draft(draft: Draft) -> None:
    """Delete a draft and its unfiled photo rows (stored files are content-addressed and may be shared)."""
    async with in_transaction():
        await Photo.filter(draft_id=draft.id, report_id=None).delete()
        await draft.delete()


async def expire_drafts(now: datetime, ttl: timedelta) -> list[tuple[int, str]]:
    """End drafts untouched for `ttl`; return (chat_id, language) of each resident to tell."""
    stale = await Draft.filter(touched_at__lt=now - ttl).prefetch_related("resident")
    told: list[tuple[int, str]] = []
    for draft in stale:
        told.append((draft.resident.chat_id, draft.resident.language))
        await discard_draft(draft)
    return told
