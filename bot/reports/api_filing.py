"""Filing a report that arrives whole through an API (a partner system: a city hotline, a mini-program).

The resident's conversation (bot/reports/intake.py) builds a report step by step; a partner sends it at once.
Both end in the same flow: a position checked against the service area and placed on the grid, photos through
the same pipeline (size and pixel limits before decoding, EXIF stripped, hashes), the report written by
`lifecycle.transition` (which starts its SLA clock and is the outbox entry every feature reacts to), and the
photo-duplicate flags moderators see. Nothing is stored unless everything is usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.city.placement import place_report
from bot.reports.categories import by_key
from bot.reports.dedup import flag_report
from bot.reports.geo import check_position
from bot.reports.intake import IntakeRules
from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.photo_store import clean_photo, keep_photo
from bot.reports.photos import CleanPhoto, PhotoRejectedError
from bot.reports.statuses import Status
from bot.storage import PhotoStorage

#: Open311 GeoReport v2 limits a request's description to 4,000 characters.
MAX_API_DESCRIPTION_CHARS = 4000
#: How a partner's report was located (Report.location_source).
API_LOCATION = "api"
GEOCODED_LOCATION = "geocoded"


class ApiProblem(StrEnum):
    """Why a submission was refused; location and photo refusals carry their own enums' values instead."""

    UNKNOWN_CATEGORY = "unknown_category"
    DESCRIPTION_TOO_LONG = "description_too_long"
    TOO_MANY_PHOTOS = "too_many_photos"


class ApiFilingError(ValueError):
    """The submission cannot become a report; `reason` names why (an ApiProblem, LocationProblem or RejectReason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ApiSubmission:
    category: str
    lat: float
    lon: float
    description: str  #: plain text (the transport removed any markup)
    language: str  #: the locale moderators and the status texts use for it
    photos: tuple[bytes, ...] = ()  #: uploads as received, cleaned here
    source: str = "open311"  #: Report.source
    location_source: str = API_LOCATION


async def file_api_report(
    submission: ApiSubmission, rules: IntakeRules, storage: PhotoStorage, *, actor: str, now: datetime
) -> Report:
    """Check everything, clean every photo, then file the report in one transaction; ApiFilingError on refusal."""
    _check(submission, rules)
    cleaned = await _clean_all(submission.photos, rules, now)
    async with in_transaction():
        report = Report(
            reporter=None,  # no resident: a partner system filed it (see Report.reporter)
            category=submission.category,
            lat=submission.lat,
            lon=submission.lon,
            location_source=submission.location_source,
            description=submission.description,
            language=submission.language,
            source=submission.source,
        )
        place_report(report, rules.grid)
        await transition(report, Status.SUBMITTED, actor=actor, sla=rules.sla, now=now)
        for clean in cleaned:
            await keep_photo(clean, owner_id=None, storage=storage, now=now, report_id=report.id)
        await flag_report(report, rules.dedup, now)
    return report


def _check(submission: ApiSubmission, rules: IntakeRules) -> None:
    if by_key(rules.categories, submission.category) is None:
        raise ApiFilingError(ApiProblem.UNKNOWN_CATEGORY)
    problem = check_position(submission.lat, submission.lon, rules.area)
    if problem is not None:
        raise ApiFilingError(problem)
    if len(submission.description) > MAX_API_DESCRIPTION_CHARS:
        raise ApiFilingError(ApiProblem.DESCRIPTION_TOO_LONG)
    if len(submission.photos) > rules.max_photos:
        raise ApiFilingError(ApiProblem.TOO_MANY_PHOTOS)


async def _clean_all(uploads: tuple[bytes, ...], rules: IntakeRules, now: datetime) -> list[CleanPhoto]:
    cleaned = []
    for data in uploads:
        try:
            cleaned.append(await clean_photo(data, limits=rules.photo_limits, now=now))
        except PhotoRejectedError as rejected:
            raise ApiFilingError(rejected.reason) from rejected
    return cleaned
