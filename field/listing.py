"""Listed hazards (挂牌督办): an official lists a major hazard with a deadline; officials note its progress each
week; it is closed off (消号) only once its fix is verified, with an after photo, by someone other than the crew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.admin.models import StaffUser
from bot.i18n import N_
from bot.reports.lifecycle import may_confirm_fix, staff_actor
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import CLOSED_NOT_FIXED, Status
from field.models import CrewTask, Listing, ListingProgress

MAX_NOTE_CHARS = 1000

NOT_LISTABLE = N_("Only a report that is open or fixed can be listed.")
ALREADY_LISTED = N_("Report #%(id)s is already listed.")
DEADLINE_NEEDED = N_("Give a deadline: a date after today.")
NOTE_NEEDED = N_("Write the progress note.")
NOTE_TOO_LONG = N_("That note is too long (at most %(max)s characters).")


class ListingError(Exception):
    """Refused; `message` is an English msgid shown to the official, translated."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class CloseOffRefusal(StrEnum):
    CLOSED = "closed"
    NOT_VERIFIED = "not_verified"
    NO_AFTER_PHOTO = "no_after_photo"
    NOBODY_ELSE = "nobody_else"  #: verified by the window passing, or by the crew: nobody else confirmed


CLOSE_OFF_REFUSALS: dict[CloseOffRefusal, str] = {
    CloseOffRefusal.CLOSED: N_("Report #%(id)s is closed off already."),
    CloseOffRefusal.NOT_VERIFIED: N_("Report #%(id)s cannot be closed off: its fix is not verified."),
    CloseOffRefusal.NO_AFTER_PHOTO: N_("Report #%(id)s cannot be closed off: there is no after photo of the fix."),
    CloseOffRefusal.NOBODY_ELSE: N_(
        "Report #%(id)s cannot be closed off: nobody other than the crew confirmed the fix (the reporter or grid "
        "staff must)."
    ),
}


def week_start(moment: date) -> date:
    return moment - timedelta(days=moment.weekday())


def _note(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ListingError(NOTE_NEEDED)
    if len(cleaned) > MAX_NOTE_CHARS:
        raise ListingError(NOTE_TOO_LONG, max=MAX_NOTE_CHARS)
    return cleaned


async def list_hazard(
    report: Report, staff: StaffUser, deadline: date | None, note: str, *, today: date, now: datetime
) -> Listing:
    """List an open (or fixed, not yet verified) report for supervision until `deadline`."""
    if Status(report.status) in CLOSED_NOT_FIXED or report.status == Status.VERIFIED_FIXED:
        raise ListingError(NOT_LISTABLE)
    if deadline is None or deadline <= today:
        raise ListingError(DEADLINE_NEEDED)
    if len(note.strip()) > MAX_NOTE_CHARS:
        raise ListingError(NOTE_TOO_LONG, max=MAX_NOTE_CHARS)
    actor = staff_actor(staff.id)
    try:
        async with in_transaction():
            listing = await Listing.create(
                report_id=report.id, listed_by_id=staff.id, listed_at=now, deadline=deadline, note=note.strip()
            )
            await record(actor, EventTag.REPORT_LISTED, now=now, report=report, deadline=deadline.isoformat())
    except IntegrityError:
        raise ListingError(ALREADY_LISTED, id=report.id) from None
    return listing


async def note_progress(
    listing: Listing, staff: StaffUser, text: str, *, today: date, now: datetime
) -> ListingProgress:
    """This week's progress note (a second one the same week replaces the first)."""
    cleaned, week = _note(text), week_start(today)
    async with in_transaction():
        progress, created = await ListingProgress.get_or_create(
            listing_id=listing.id,
            week_start=week,
            defaults={"note": cleaned, "written_by_id": staff.id, "written_at": now},
        )
        if not created:
            await ListingProgress.filter(id=progress.id).update(note=cleaned, written_by_id=staff.id, written_at=now)
        await record(
            staff_actor(staff.id),
            EventTag.REPORT_LISTING_PROGRESS,
            now=now,
            report=await Report.get(id=listing.report_id),
            week=week.isoformat(),
        )
    return progress


async def verifying_change(report: Report) -> StatusChange | None:
    return await StatusChange.filter(report_id=report.id, to_status=Status.VERIFIED_FIXED).order_by("-id").first()


async def close_off_refusal(listing: Listing) -> CloseOffRefusal | None:
    """Why the listing cannot be closed off now, or None when it can."""
    if listing.closed_at is not None:
        return CloseOffRefusal.CLOSED
    report = await Report.get(id=listing.report_id)
    verified = await verifying_change(report)
    if report.status != Status.VERIFIED_FIXED or verified is None:
        return CloseOffRefusal.NOT_VERIFIED
    fix = (
        await CrewTask.filter(report_id=report.id, fixed_at__lte=verified.changed_at)
        .order_by("-fixed_at", "-id")
        .first()
    )
    if fix is None or fix.after_photo_id is None:
        return CloseOffRefusal.NO_AFTER_PHOTO
    if verified.actor.startswith("system:") or not await may_confirm_fix(verified.actor, report):
        return CloseOffRefusal.NOBODY_ELSE
    return None


async def close_off(listing: Listing, staff: StaffUser, *, now: datetime) -> None:
    """消号: close off a listed hazard whose fix someone other than the crew verified, with an after photo."""
    refusal = await close_off_refusal(listing)
    if refusal is not None:
        raise ListingError(CLOSE_OFF_REFUSALS[refusal], id=listing.report_id)
    async with in_transaction():
        if not await Listing.filter(id=listing.id, closed_at__isnull=True).update(closed_at=now, closed_by_id=staff.id):
            raise ListingError(CLOSE_OFF_REFUSALS[CloseOffRefusal.CLOSED], id=listing.report_id)
        await record(
            staff_actor(staff.id), EventTag.REPORT_CLOSED_OFF, now=now, report=await Report.get(id=listing.report_id)
        )
    listing.closed_at, listing.closed_by_id = now, staff.id


@dataclass(frozen=True)
class BoardRow:
    listing: Listing
    report: Report
    progress: list[ListingProgress]  #: newest week first
    refusal: CloseOffRefusal | None  #: why it cannot be closed off now (None: it can)
    overdue: bool  #: open past its listed deadline


async def board(*, today: date, closed_since: datetime | None = None) -> list[BoardRow]:
    """Every open listing (deadline first), then those closed off since `closed_since` (None: none of them)."""
    query = Listing.filter(closed_at__isnull=True)
    if closed_since is not None:
        query = Listing.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=closed_since))
    listings = await query.order_by("deadline", "id")
    reports = {r.id: r for r in await Report.filter(id__in=[listing.report_id for listing in listings])}
    notes = await ListingProgress.filter(listing_id__in=[listing.id for listing in listings]).order_by("-week_start")
    rows = []
    for listing in sorted(listings, key=lambda item: (item.closed_at is not None, item.deadline, item.id)):
        rows.append(
            BoardRow(
                listing,
                reports[listing.report_id],
                [note for note in notes if note.listing_id == listing.id],
                await close_off_refusal(listing),
                listing.closed_at is None and listing.deadline < today,
            )
        )
    return rows
