"""What the public may see of a report, and how coarsely: the one place that decides it for every public surface.

- A report is listed publicly once a moderator accepted it (a report waiting for moderation, or refused
  without ever being accepted, may hold anything: names, insults). `resolution_due_at` marks it: the SLA
  module sets it on acceptance and never clears it (bot/reports/sla.py's invariant).
- A private category (Settings.private_categories: indoor e-bike charging, rental-housing hazards) points at
  somebody's home: its reports are never listed one by one, only counted per cell.
- Nothing about the reporter ever leaves: no name, no Telegram id, no contact (no public record has a field for
  them). Positions are rounded. Photos: see `public_photo_ids`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Max

from bot.reports.models import Photo, Report, StatusChange
from bot.reports.statuses import Status

#: Decimal places of a public position: 4 is about 11 m in the API's records, 3 about 110 m on the status map.
API_DECIMALS = 4
MAP_DECIMALS = 3


@dataclass(frozen=True)
class PublicRules:
    private_categories: frozenset[str]

    def is_private(self, category: str) -> bool:
        return category in self.private_categories

    def listed(self) -> Q:
        """The reports anyone may see one by one."""
        accepted = Q(resolution_due_at__isnull=False)
        if not self.private_categories:  # a deployment may make no category private
            return accepted
        return accepted & ~Q(category__in=sorted(self.private_categories))

    def is_listed(self, report: Report) -> bool:
        return report.resolution_due_at is not None and not self.is_private(report.category)


def rounded(lat: float, lon: float, decimals: int) -> tuple[float, float]:
    return round(lat, decimals), round(lon, decimals)


async def public_photo_ids(report_ids: Sequence[int]) -> dict[int, int]:
    """The first publishable photo of each report: one a moderator had before them when they last accepted it.

    Redaction (moderation) replaces a photo's stored bytes in place, so the photo served is always its latest,
    redacted form; a photo that arrived after the last acceptance (an answer, a photo after reopening) was never
    looked at and waits for the next acceptance.
    """
    if not report_ids:
        return {}
    accepted = dict(
        await StatusChange.filter(report_id__in=list(report_ids), to_status=Status.ACCEPTED)
        .group_by("report_id")
        .annotate(last=Max("changed_at"))
        .values_list("report_id", "last")
    )
    rows = (
        await Photo.filter(report_id__in=list(accepted))
        .order_by("position", "id")
        .values_list("id", "report_id", "created_at")
    )
    first: dict[int, int] = {}
    for photo_id, report_id, created_at in rows:
        if created_at <= accepted[report_id]:
            first.setdefault(int(report_id), int(photo_id))
    return first
