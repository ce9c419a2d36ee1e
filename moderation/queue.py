"""The moderation queue (category x area, filtered and paginated, due first) and who may see what.

Moderators see only their areas and categories: asking for another area is refused (`OutOfScopeError`),
and the unfiltered queue is narrowed to their scope. Officials and admins see everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tortoise.expressions import F, Q, Subquery
from tortoise.functions import Coalesce, Count
from tortoise.queryset import QuerySet

from bot.admin.accounts import Role, has_role, in_scope
from bot.admin.models import StaffUser
from bot.reports.models import DuplicateFlag, Photo, Report, ReportFollower
from bot.reports.statuses import AWAITING_MODERATION, OPEN_STATUSES, Status
from moderation.duplicates import duplicate_counts


class View(StrEnum):
    """Status choices besides the single statuses."""

    QUEUE = "queue"  #: awaiting a moderator (submitted or reopened)
    OPEN = "open"  #: every open status
    ALL = "all"


VIEW_STATUSES: dict[str, frozenset[Status] | None] = {
    View.QUEUE: AWAITING_MODERATION,
    View.OPEN: OPEN_STATUSES,
    View.ALL: None,
    **{status.value: frozenset({status}) for status in Status},
}


class OutOfScopeError(Exception):
    """A moderator asked for another area's or category's reports."""


@dataclass(frozen=True)
class QueueFilter:
    status: str = View.QUEUE
    category: str = ""
    area: str = ""
    overdue: bool = False
    has_duplicates: bool = False
    page: int = 1
    # What the dashboard's numbers link to: the agency, reopened reports, the local days they were filed.
    agency: str = ""
    reopened: bool = False
    since: date | None = None  #: filed on or after this local day
    until: date | None = None  #: filed on or before this local day
    zone: str = "UTC"  #: the city's zone, where those days begin

    @classmethod
    def parse(cls, query: Mapping[str, str], zone: str = "UTC") -> QueueFilter:
        """Read the query string; unknown values fall back to the defaults instead of failing."""
        status = query.get("status", View.QUEUE)
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            status=status if status in VIEW_STATUSES else View.QUEUE,
            category=query.get("category", "").strip(),
            area=query.get("area", "").strip(),
            overdue=query.get("overdue") == "1",
            has_duplicates=query.get("has_duplicates") == "1",
            page=page,
            agency=query.get("agency", "").strip(),
            reopened=query.get("reopened") == "1",
            since=_day(query.get("since", "")),
            until=_day(query.get("until", "")),
            zone=zone,
        )

    def context_query(self) -> str:
        """This view as the query string a report page carries (where its next and previous lead); "" for the
        moderation queue itself, the default."""
        return "" if replace(self, page=1) == QueueFilter(zone=self.zone) else self.query_string(page=1)

    def query_string(self, page: int) -> str:
        """This filter as a query string for another page (the pagination links)."""
        changed = replace(self, page=page)
        pairs = {
            "status": changed.status,
            "category": changed.category,
            "area": changed.area,
            "overdue": "1" if changed.overdue else "",
            "has_duplicates": "1" if changed.has_duplicates else "",
            "page": str(changed.page) if changed.page > 1 else "",
            "agency": changed.agency,
            "reopened": "1" if changed.reopened else "",
            "since": changed.since.isoformat() if changed.since else "",
            "until": changed.until.isoformat() if changed.until else "",
        }
        return urlencode({key: value for key, value in pairs.items() if value})


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _local_midnight(day: date, zone: str) -> datetime:
    # In UTC: SQLite compares the stored UTC text, so a bound value in another offset would compare wrong.
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass(frozen=True)
class QueueRow:
    report: Report
    photo_id: int | None  # the first photo, shown as a thumbnail
    followers: int
    duplicates: int  # moderation.duplicates: reports merged into it or flagged at intake, as its page lists them


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    filter: QueueFilter
    by_due: bool  # sorted by due time (open reports), else newest first


def check_filter_scope(staff: StaffUser, wanted: QueueFilter) -> None:
    """Refuse a moderator's explicit request for an area or category outside their scope."""
    if has_role(staff, Role.OFFICIAL):
        return
    if wanted.area and staff.areas and wanted.area not in staff.areas:
        raise OutOfScopeError(wanted.area)
    if wanted.category and staff.categories and wanted.category not in staff.categories:
        raise OutOfScopeError(wanted.category)


def scoped(query: QuerySet[Report], staff: StaffUser) -> QuerySet[Report]:
    if has_role(staff, Role.OFFICIAL):
        return query
    if staff.areas:
        query = query.filter(area__in=list(staff.areas))
    if staff.categories:
        query = query.filter(category__in=list(staff.categories))
    return query


def _filtered(staff: StaffUser, wanted: QueueFilter) -> QuerySet[Report]:
    query = scoped(Report.all(), staff)
    statuses = VIEW_STATUSES[wanted.status]
    if statuses is not None:
        query = (
            query.filter(status__in=sorted(statuses))
            if len(statuses) > 1
            else query.filter(status=next(iter(statuses)))
        )
    if wanted.category:
        query = query.filter(category=wanted.category)
    if wanted.area:
        query = query.filter(area=wanted.area)
    if wanted.overdue:
        query = query.filter(overdue=True)
    if wanted.agency:
        query = query.filter(agency=wanted.agency)
    if wanted.reopened:
        query = query.filter(reopen_count__gt=0)
    if wanted.since:
        query = query.filter(created_at__gte=_local_midnight(wanted.since, wanted.zone))
    if wanted.until:
        query = query.filter(created_at__lt=_local_midnight(wanted.until + timedelta(days=1), wanted.zone))
    if wanted.has_duplicates:
        query = query.filter(
            Q(id__in=Subquery(Report.filter(duplicate_of_id__isnull=False).values("duplicate_of_id")))
            | Q(id__in=Subquery(DuplicateFlag.all().values("report_id")))
            | Q(id__in=Subquery(DuplicateFlag.all().values("similar_to_id")))
        )
    return query


def sorts_by_due(statuses: frozenset[Status] | None) -> bool:
    """Views with open reports sort by due time; closed-only and "all" views show the newest first."""
    return statuses is not None and not statuses.isdisjoint(OPEN_STATUSES)


def _ordered(query: QuerySet[Report], statuses: frozenset[Status] | None) -> QuerySet[Report]:
    """Due first, on the expression the queue indexes hold (migration moderation/0002): by the SLA
    invariant it is the moderation due time while a report awaits moderation, else the resolution one."""
    if not sorts_by_due(statuses):
        return query.order_by("-id")
    return query.annotate(due=Coalesce("moderation_due_at", F("resolution_due_at"))).order_by("due", "id")


async def queue_page(staff: StaffUser, wanted: QueueFilter, *, page_size: int) -> QueuePage:
    """One page of the queue the staff member may see."""
    check_filter_scope(staff, wanted)
    query = _filtered(staff, wanted)
    total = await query.count()
    pages = max(1, -(-total // page_size))
    page = min(wanted.page, pages)
    reports = await _ordered(query, VIEW_STATUSES[wanted.status]).offset((page - 1) * page_size).limit(page_size)
    ids = [report.id for report in reports]
    photos, followers, duplicates = await first_photo_ids(ids), await follower_counts(ids), await duplicate_counts(ids)
    rows = [QueueRow(r, photos.get(r.id), followers.get(r.id, 0), duplicates.get(r.id, 0)) for r in reports]
    return QueuePage(rows, total, page, pages, replace(wanted, page=page), sorts_by_due(VIEW_STATUSES[wanted.status]))


@dataclass(frozen=True)
class Position:
    """Where a report stands in a queue view's order (due time, then id; or newest first), kept across a decision:
    the decided report leaves the view, the next one is found from where it stood."""

    due: datetime | None
    report_id: int

    @classmethod
    def of(cls, report: Report) -> Position:
        return cls(due_at(report), report.id)


async def neighbour(
    staff: StaffUser, wanted: QueueFilter, position: Position | None, *, forward: bool = True
) -> int | None:
    """The report after (or before) `position` in the view, in the queue's own order; with no position, the view's
    first report. None at the end of the view."""
    check_filter_scope(staff, wanted)
    query = _filtered(staff, wanted)
    if position is not None:
        query = query.exclude(id=position.report_id)
    if not sorts_by_due(VIEW_STATUSES[wanted.status]):  # newest first: "after" is an older report
        if position is not None:
            query = query.filter(id__lt=position.report_id) if forward else query.filter(id__gt=position.report_id)
        return await _first_id(query.order_by("-id" if forward else "id"))
    query = query.annotate(due=Coalesce("moderation_due_at", F("resolution_due_at")))
    if position is not None and position.due is not None:
        due, report_id = position.due, position.report_id
        later = Q(due__gt=due) | (Q(due=due) & Q(id__gt=report_id))
        earlier = Q(due__lt=due) | (Q(due=due) & Q(id__lt=report_id))
        query = query.filter(later if forward else earlier)
    elif position is not None and not forward:
        return None
    return await _first_id(query.order_by(*(("due", "id") if forward else ("-due", "-id"))))


async def _first_id(query: QuerySet[Report]) -> int | None:
    row = await query.limit(1).values("id")
    return int(row[0]["id"]) if row else None


async def count_in_view(staff: StaffUser, wanted: QueueFilter) -> int:
    """How many reports the staff member would find in this queue view (the start page's figures)."""
    check_filter_scope(staff, wanted)
    return await _filtered(staff, wanted).count()


async def report_for(staff: StaffUser, report_id: int) -> Report:
    """The report, if it exists (LookupError) and the staff member may see it (OutOfScopeError)."""
    report = await Report.get_or_none(id=report_id)
    if report is None:
        raise LookupError(report_id)
    if not in_scope(staff, report.area, report.category):
        raise OutOfScopeError(report_id)
    return report


async def first_photo_ids(report_ids: Sequence[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = (
        await Photo.filter(report_id__in=list(report_ids)).order_by("-position", "-id").values_list("report_id", "id")
    )
    return {int(report_id): int(photo_id) for report_id, photo_id in rows}  # position 0 comes last and wins


async def follower_counts(report_ids: Sequence[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = (
        await ReportFollower.filter(report_id__in=list(report_ids))
        .group_by("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    return {int(report_id): int(n) for report_id, n in rows}


def due_at(report: Report) -> datetime | None:
    return report.moderation_due_at or report.resolution_due_at
