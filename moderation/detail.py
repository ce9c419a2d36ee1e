"""Everything the report page shows: photos, timeline, questions, the reporter's history, candidates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from bot.admin.accounts import in_scope
from bot.admin.models import AuditEvent, StaffUser
from bot.city.models import Agency
from bot.reports.dedup import Nearby, nearby_open_reports
from bot.reports.models import Photo, Report, Resident, StatusChange
from moderation.duplicates import DuplicateLink, duplicate_links
from moderation.models import InfoRequest, PhotoRedaction
from moderation.queue import first_photo_ids, follower_counts

#: The reporter's other reports listed on the page (their record, FixMyStreet-style).
HISTORY_LIMIT = 20
#: Candidates for "merge into"; FixMyStreet's inspector view shows five within 1 km.
NEARBY_LIMIT = 5


@dataclass(frozen=True)
class ReportDetail:
    report: Report
    reporter: Resident | None  # None: a partner system filed it through the open API
    photos: list[Photo]
    redacted_photo_ids: set[int]
    timeline: list[StatusChange]
    audit: list[AuditEvent]
    questions: list[InfoRequest]
    history: list[Report]  # the reporter's other reports, newest first
    history_by_status: dict[str, int]  # over all of the reporter's reports
    nearby: list[Nearby]  # open reports of the same category nearby, in the staff member's scope (not duplicates)
    photo_ids: dict[int, int]  # report id -> first photo id, for thumbnails of related reports
    duplicates: list[DuplicateLink]  # merged into it or flagged at intake: what the queue's column counts
    followers: int
    agency: Agency | None
    agencies: list[Agency]  # active ones, for the dispatch form


async def report_detail(report: Report, staff: StaffUser, *, radius_m: float, now: datetime) -> ReportDetail:
    photos = await Photo.filter(report_id=report.id).order_by("position", "id")
    redacted = await PhotoRedaction.filter(photo_id__in=[p.id for p in photos]).values("photo_id")
    history, by_status = await _reporter_history(report)
    duplicates = (await duplicate_links([report.id])).get(report.id, [])
    known = {link.other_id for link in duplicates}
    nearby = [
        near for near in await _candidates(report, staff, radius_m=radius_m, now=now) if near.report.id not in known
    ]
    related = [near.report.id for near in nearby] + [link.other_id for link in duplicates] + [r.id for r in history]
    return ReportDetail(
        report=report,
        reporter=await Resident.get_or_none(id=report.reporter_id) if report.reporter_id is not None else None,
        photos=list(photos),
        redacted_photo_ids={int(row["photo_id"]) for row in redacted},
        timeline=list(await StatusChange.filter(report_id=report.id).order_by("changed_at", "id")),
        audit=list(await AuditEvent.filter(report_id=report.id).order_by("created_at", "id")),
        questions=list(await InfoRequest.filter(report_id=report.id).order_by("asked_at", "id")),
        history=history,
        history_by_status=by_status,
        nearby=nearby,
        photo_ids=await first_photo_ids(related),
        duplicates=duplicates,
        followers=(await follower_counts([report.id])).get(report.id, 0),
        agency=await Agency.get_or_none(key=report.agency) if report.agency else None,
        agencies=list(await Agency.filter(active=True).order_by("name")),
    )


async def _reporter_history(report: Report) -> tuple[list[Report], dict[str, int]]:
    """The reporter's other reports (newest first) and how all of theirs ended up, by status (none for a partner's)."""
    if report.reporter_id is None:
        return [], {}
    mine = Report.filter(reporter_id=report.reporter_id)
    history = await mine.exclude(id=report.id).order_by("-id").limit(HISTORY_LIMIT)
    by_status = await mine.group_by("status").annotate(n=Count("id")).values_list("status", "n")
    return list(history), {str(status): int(n) for status, n in by_status}


async def _candidates(report: Report, staff: StaffUser, *, radius_m: float, now: datetime) -> list[Nearby]:
    """Open reports of the same category nearby that this staff member may see (and merge into)."""
    found = await nearby_open_reports(
        report.lat, report.lon, report.category, radius_m, now=now, limit=NEARBY_LIMIT, exclude_report_id=report.id
    )
    return [near for near in found if in_scope(staff, near.report.area, near.report.category)]
