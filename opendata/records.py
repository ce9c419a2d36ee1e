"""Open311 service request records built from reports, for the public or for the partner that filed them.

Statuses: ours map to Open311's `open`/`closed`; the FixMyStreet-style detailed status (and ours) go in the
extended attributes. `expected_datetime` is the SLA due time; `agency_responsible` the agency's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.city.grid import H3_PREFIX, Grid
from bot.city.models import Agency
from bot.i18n import Translator
from bot.reports.categories import Category, by_key
from bot.reports.models import Report, StatusChange
from bot.reports.sla import current_due
from bot.reports.statuses import OPEN_STATUSES, Status
from opendata import texts
from opendata.models import PartnerRequest
from opendata.publication import API_DECIMALS, PublicRules, public_photo_ids, rounded

#: FixMyStreet's extended statuses (its Open311 "servicerequestupdates" vocabulary), for our statuses.
DETAILED_STATUS: dict[str, str] = {
    Status.SUBMITTED: "for_triage",
    Status.NEEDS_INFO: "investigating",
    Status.ACCEPTED: "planned",
    Status.DISPATCHED: "action_scheduled",
    Status.IN_PROGRESS: "in_progress",
    Status.FIXED: "fixed",
    Status.REOPENED: "reopen",
    Status.REJECTED: "closed",
    Status.DUPLICATE: "duplicate",
    Status.NOT_RESPONSIBLE: "not_councils_responsibility",
    Status.NO_ACTION: "no_further_action",
}


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the zone, as GeoReport v2 requires (UTC: "2026-11-23T02:00:00+00:00")."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


@dataclass(frozen=True)
class Context:
    """What building records needs besides the reports."""

    categories: tuple[Category, ...]
    grid: Grid
    rules: PublicRules
    moderation_h: int
    media_url: Any  #: (photo id) -> a signed URL
    partner_key_id: int | None = None  #: the reader's own key: its own reports in full


@dataclass(frozen=True)
class Related:
    partner: dict[int, PartnerRequest]
    photos: dict[int, int]
    last_change: dict[int, StatusChange]
    agencies: dict[str, Agency]


async def related_to(reports: Sequence[Report]) -> Related:
    ids = [report.id for report in reports]
    partner = {row.report_id: row for row in await PartnerRequest.filter(report_id__in=ids)} if ids else {}
    last: dict[int, StatusChange] = {}
    for change in await StatusChange.filter(report_id__in=ids).order_by("changed_at", "id") if ids else []:
        last[change.report_id] = change
    keys = {report.agency for report in reports if report.agency}
    agencies = {a.key: a for a in await Agency.filter(key__in=sorted(keys))} if keys else {}
    return Related(partner, await public_photo_ids(ids), last, agencies)


def is_own(report: Report, related: Related, context: Context) -> bool:
    partner = related.partner.get(report.id)
    return partner is not None and context.partner_key_id is not None and partner.api_key_id == context.partner_key_id


def record(report: Report, related: Related, context: Context, _: Translator, *, extensions: bool) -> dict[str, Any]:
    """One <request>: the partner's own report in full, anyone else's as the public may see it."""
    own = is_own(report, related, context)
    category = by_key(context.categories, report.category)
    lat, lon = (report.lat, report.lon) if own else rounded(report.lat, report.lon, API_DECIMALS)
    agency = related.agencies.get(report.agency or "")
    photo_id = related.photos.get(report.id)
    entry: dict[str, Any] = {
        "service_request_id": report.id,
        "status": open_or_closed(report.status),
        "status_notes": status_notes(report, related.last_change.get(report.id), _, own=own),
        "service_name": _(category.label) if category else report.category,
        "service_code": report.category,
        "description": report.description if own or context.rules.is_listed(report) else "",
        "agency_responsible": agency.label(_.locale) if agency else None,
        "service_notice": service_notice(report, context, _),
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": w3c(current_due(report)) if report.status in OPEN_STATUSES else None,
        "address": address(report, related, context, _, own=own),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": context.media_url(photo_id) if photo_id is not None else None,
    }
    if extensions:
        entry["extended_attributes"] = {
            "detailed_status": DETAILED_STATUS.get(report.status, report.status),
            "external_status_code": report.status,
            "district": report.area,
            "cell": report.cell,
            "reopen_count": report.reopen_count,
        }
    return entry


def status_notes(report: Report, change: StatusChange | None, _: Translator, *, own: bool) -> str:
    """The latest public note, else the status in words. A question to the reporter (needs_info) is for the filer."""
    if change is not None and change.public_note and (own or change.to_status != Status.NEEDS_INFO):
        return change.public_note
    label = texts.STATUS_LABELS.get(report.status)
    if report.status == Status.DUPLICATE and report.duplicate_of_id:
        return f"{_(label or '')} #{report.duplicate_of_id}"
    return _(label) if label else report.status


def service_notice(report: Report, context: Context, _: Translator) -> str | None:
    notice = texts.NOTICES.get(report.status)
    return _(notice, hours=context.moderation_h) if notice else None


def address(report: Report, related: Related, context: Context, _: Translator, *, own: bool) -> str:
    """The partner's own address text for its own report; for the public, the street and district (never a door)."""
    partner = related.partner.get(report.id)
    if own and partner is not None and partner.address_string:
        return partner.address_string
    keys = [key for key in (report.street, report.area) if key and not key.startswith(H3_PREFIX)]  # no hex index
    return ", ".join(context.grid.label(key, _.locale) for key in keys)
