"""Filing a report: the draft's steps, each an explicit function that answers with the next prompt.

The conversation state is the `Draft` row, so any web process, or the same one after a restart,
continues where the resident left off. Transports parse input, call one function here, and render
the returned `Reply`; nothing here knows about Telegram.

Every step is safe against a concurrent or repeated step (bot/reports/drafts.py): its write is guarded by
the draft's version, and an update handled again (a replay after a crash) finds its own id on the draft
and answers with where the conversation stands, changing nothing twice. A "Submit" that finds its draft
gone files nothing and says the report was already submitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
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
from bot.reports.drafts import (
    DraftChangedError,
    Turn,
    delete_draft_as_read,
    end_draft,
    is_expired,
    replace_draft,
    save_draft,
)
from bot.reports.geo import ServiceArea, check_position
from bot.reports.lifecycle import transition
from bot.reports.models import Draft, Photo, Report, Resident
from bot.reports.photo_store import clean_photo, record_photo, write_files
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
    ALREADY_SUBMITTED = "already_submitted"  #: a second "Submit" (a double tap): nothing filed again
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
    """The report-filing domain service, one per process, built from Settings at startup.

    Steps take the draft the transport loaded with the resident (once per update) and the `Turn`."""

    def __init__(self, rules: IntakeRules, storage: PhotoStorage) -> None:
        self.rules = rules
        self.storage = storage

    async def live(self, draft: Draft | None, turn: Turn) -> Draft | None:
        """The draft if it is still live; an expired one is ended first (the sweeper may be late)."""
        if draft is not None and is_expired(draft, turn.now, self.rules.draft_ttl):
            await end_draft(draft)
            return None
        return draft

    async def current_draft(self, resident: Resident, turn: Turn) -> Draft | None:
        """The resident's live draft, read afresh (transports use the one loaded with the resident)."""
        return await self.live(await Draft.get_or_none(resident_id=resident.id), turn)

    async def replayed(self, draft: Draft, turn: Turn) -> Reply | None:
        """This update changed the draft already (it is handled again): where the conversation stands."""
        if turn.update_id is None or draft.last_update_id != turn.update_id:
            return None
        if draft.step == Step.PHOTOS and draft.photo_count:
            return Reply(Prompt.PHOTO_ADDED, draft, photo_count=draft.photo_count)
        if draft.step == Step.DUPLICATES:
            check = await self._check_duplicates(draft, turn)
            return Reply(Prompt.ASK_DUPLICATE, draft, duplicates=check, notices=check.notices)
        return await self.reprompt(draft, None)

    async def start(self, resident: Resident, draft: Draft | None, turn: Turn) -> Reply:
        """Begin a new report, replacing any unfinished one."""
        if draft is not None and draft.last_update_id == turn.update_id:
            return Reply(Prompt.ASK_PHOTO, draft)  # this very update started it
        return Reply(Prompt.ASK_PHOTO, await replace_draft(resident, draft, turn, step=Step.PHOTOS))

    async def reprompt(self, draft: Draft, problem: str | None = Problem.WRONG_INPUT) -> Reply:
        """Ask again for what the current step needs, saying why the last input was not taken."""
        return Reply(PROMPT_FOR_STEP[Step(draft.step)], draft, problem, photo_count=draft.photo_count)

    async def add_photo(
        self, resident: Resident, draft: Draft | None, data: bytes, *, telegram_file_unique_id: str, turn: Turn
    ) -> Reply:
        """Clean and store one photo (a new draft when there is none: "snap and report"); a refused file
        leaves the draft exactly as it was."""
        if draft is not None and draft.step != Step.PHOTOS:
            return await self.reprompt(draft)
        count = draft.photo_count if draft is not None else 0
        if count >= self.rules.max_photos:
            assert draft is not None
            return await self.reprompt(draft, Problem.TOO_MANY_PHOTOS)
        try:
            draft, photo = await self._store(resident, draft, data, telegram_file_unique_id, turn)
        except PhotoRejectedError as rejected:
            return Reply(Prompt.ASK_PHOTO, draft, rejected.reason, photo_count=count)
        reply = (
            await self.photos_done(draft, turn)
            if draft.photo_count >= self.rules.max_photos
            else Reply(Prompt.PHOTO_ADDED, draft, photo_count=draft.photo_count)
        )
        earlier = await same_user_same_photo(draft.resident_id, sha256=photo.sha256, phash=photo.phash)
        if earlier is not None:
            reply.notices.append(Notice(NoticeKind.SAME_PHOTO_AGAIN, (earlier.id,)))
        return reply

    async def _store(
        self, resident: Resident, draft: Draft | None, data: bytes, unique_id: str, turn: Turn
    ) -> tuple[Draft, Photo]:
        """The photo row and the draft's count (and its proposed position, from the photo's GPS) in one
        transaction: a replay finds both or neither."""
        clean = await clean_photo(data, limits=self.rules.photo_limits, now=turn.now)
        await write_files(clean, self.storage)
        gps = clean.gps if clean.gps and check_position(*clean.gps, self.rules.area) is None else None
        async with in_transaction():
            position = draft.photo_count if draft is not None else 0
            earlier = draft.phashes.split(",") if draft is not None and draft.phashes else []
            changes: dict[str, object] = {"photo_count": position + 1, "phashes": ",".join([*earlier, clean.phash])}
            if gps and (draft is None or draft.proposed_lat is None):
                changes.update(proposed_lat=gps[0], proposed_lon=gps[1])
            if draft is None:
                draft = await replace_draft(resident, None, turn, step=Step.PHOTOS, **changes)
            else:
                await save_draft(draft, turn, **changes)
            photo = await record_photo(
                clean, owner_id=resident.id, unique_id=unique_id, draft_id=draft.id, position=position, now=turn.now
            )
        return draft, photo

    async def photos_done(self, draft: Draft, turn: Turn) -> Reply:
        """Move on to the location: propose the photo's own position when it had one."""
        if draft.step != Step.PHOTOS or not draft.photo_count:
            return await self.reprompt(draft)
        if draft.proposed_lat is not None:
            return await self._advance(draft, Step.EXIF_LOCATION, turn)
        return await self._advance(draft, Step.LOCATION, turn)

    async def answer_photo_location(self, draft: Draft, use_it: bool, turn: Turn) -> Reply:
        if draft.step != Step.EXIF_LOCATION or draft.proposed_lat is None or draft.proposed_lon is None:
            return await self.reprompt(draft)
        if not use_it:
            return await self._advance(draft, Step.LOCATION, turn)
        return await self.set_location(draft, draft.proposed_lat, draft.proposed_lon, "exif", turn)

    async def set_location(self, draft: Draft, lat: float, lon: float, source: str, turn: Turn) -> Reply:
        """Take a shared, venue or typed position after checking it is usable."""
        if draft.step not in (Step.LOCATION, Step.EXIF_LOCATION):
            return await self.reprompt(draft)
        problem = check_position(lat, lon, self.rules.area)
        if problem is not None:
            return Reply(Prompt.ASK_LOCATION, draft, problem)
        return await self._advance(draft, Step.DANGER, turn, lat=lat, lon=lon, location_source=source)

    async def answer_danger(self, draft: Draft, in_danger: bool, turn: Turn) -> Reply:
        """An emergency goes to 110/119/120, not to a queue: the draft ends here."""
        if draft.step != Step.DANGER:
            return await self.reprompt(draft)
        if in_danger:
            await end_draft(draft)
            return Reply(Prompt.EMERGENCY)
        return await self._advance(draft, Step.CATEGORY, turn)

    async def choose_category(self, draft: Draft, key: str, turn: Turn) -> Reply:
        if draft.step != Step.CATEGORY:
            return await self.reprompt(draft)
        if by_key(self.rules.categories, key) is None:
            return await self.reprompt(draft, Problem.UNKNOWN_CATEGORY)
        draft.category = key
        check = await self._check_duplicates(draft, turn)
        step = Step.DUPLICATES if check.candidates else Step.DESCRIPTION
        reply = await self._advance(draft, step, turn, category=key)
        reply.duplicates, reply.notices = check, check.notices
        return reply

    async def pick_duplicate(self, draft: Draft, resident: Resident, report_id: int, turn: Turn) -> Reply:
        """ "This is it": follow that report instead of filing a new one; the draft ends here."""
        if draft.step != Step.DUPLICATES:
            return await self.reprompt(draft)
        check = await self._check_duplicates(draft, turn)  # again: the offer may have closed meanwhile
        chosen = next((near.report for near in check.candidates if near.report.id == report_id), None)
        if chosen is None:
            return await self.reprompt(draft, Problem.NOT_A_CANDIDATE)
        if not await end_draft(draft):
            raise DraftChangedError
        outcome = await follow(chosen, resident)
        prompt = Prompt.FOLLOWING if outcome is FollowOutcome.FOLLOWING else Prompt.ALREADY_FOLLOWING
        return Reply(prompt, None, report=chosen)

    async def duplicate_is_new(self, draft: Draft, turn: Turn) -> Reply:
        """ "Mine is new": go on with the description."""
        if draft.step != Step.DUPLICATES:
            return await self.reprompt(draft)
        return await self._advance(draft, Step.DESCRIPTION, turn)

    async def _check_duplicates(self, draft: Draft, turn: Turn) -> DuplicateCheck:
        category = by_key(self.rules.categories, draft.category or "")
        radius_m = category.duplicate_radius_m if category is not None else Category.duplicate_radius_m
        return await check_draft(draft, radius_m, self.rules.dedup, turn.now, phashes=known_phashes(draft))

    async def set_description(self, draft: Draft, text: str | None, turn: Turn) -> Reply:
        """Take the optional description; `None` means the resident skipped it."""
        if draft.step != Step.DESCRIPTION:
            return await self.reprompt(draft)
        cleaned = (text or "").strip()
        if len(cleaned) > MAX_DESCRIPTION_CHARS:
            return Reply(
                Prompt.ASK_DESCRIPTION, draft, Problem.DESCRIPTION_TOO_LONG, params={"max_chars": MAX_DESCRIPTION_CHARS}
            )
        return await self._advance(draft, Step.CONFIRM, turn, description=cleaned)

    async def confirm(self, draft: Draft | None, resident: Resident, turn: Turn) -> Reply:
        """File the report: one transaction ends the draft (if it is still as read: a second tap, here or in
        another process, finds it gone and files nothing), creates the report and moves the photos."""
        if draft is None:
            filed = await Report.get_or_none(source_update_id=turn.update_id) if turn.update_id else None
            return Reply(Prompt.SUBMITTED, report=filed) if filed else Reply(Prompt.ALREADY_SUBMITTED)
        if draft.step != Step.CONFIRM or draft.lat is None or draft.lon is None or draft.category is None:
            return await self.reprompt(draft)
        try:
            report = await self._file(draft, resident, turn)
        except DraftChangedError:  # the other tap (or process) filed it first: this one rolled back
            return Reply(Prompt.ALREADY_SUBMITTED)
        return Reply(Prompt.SUBMITTED, None, report=report)

    async def _file(self, draft: Draft, resident: Resident, turn: Turn) -> Report:
        assert draft.lat is not None and draft.lon is not None and draft.category is not None
        async with in_transaction():
            report = Report(
                reporter=resident,
                category=draft.category,
                lat=draft.lat,
                lon=draft.lon,
                location_source=draft.location_source or "shared",
                description=draft.description or "",
                language=resident.language,
                source_update_id=turn.update_id,
            )
            place_report(report, self.rules.grid)
            await transition(
                report, Status.SUBMITTED, actor=f"resident:{resident.id}", sla=self.rules.sla, now=turn.now
            )
            await Photo.filter(draft_id=draft.id).update(report_id=report.id, draft_id=None)
            await delete_draft_as_read(draft)  # last: the photos' link to it is ON DELETE SET NULL
            await flag_report(report, self.rules.dedup, turn.now, phashes=known_phashes(draft))
        return report

    async def cancel(self, draft: Draft | None) -> Reply:
        if draft is None or not await end_draft(draft):
            return Reply(Prompt.NOTHING_TO_CANCEL)
        return Reply(Prompt.CANCELLED)

    async def _advance(self, draft: Draft, step: Step, turn: Turn, **changes: object) -> Reply:
        await save_draft(draft, turn, step=step, **changes)
        return Reply(PROMPT_FOR_STEP[step], draft, photo_count=draft.photo_count)


def known_phashes(draft: Draft) -> list[str] | None:
    """The draft's photos' hashes as it keeps them (None: a draft from before it did; read the photos)."""
    phashes = draft.phashes.split(",") if draft.phashes else []
    return phashes if len(phashes) == draft.photo_count else None
