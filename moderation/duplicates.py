"""A report's known duplicates: reports merged into it and intake's likely-duplicate flags, either way round.

One function for the queue's "Duplicates" column and the report page's list, so the two always agree: the
column is the length of the list the page shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q

from bot.reports.models import DuplicateFlag, Report


class LinkKind(StrEnum):
    MERGED = "merged"  #: the other report was merged into this one
    SIMILAR = "similar"  #: intake flagged a near-identical photo nearby (either report may be the later one)


@dataclass(frozen=True)
class DuplicateLink:
    other_id: int
    kind: LinkKind
    phash_distance: int | None = None  #: bits between the closest photos (flags only)
    distance_m: float | None = None  #: between the two reports' positions (flags only)


async def duplicate_links(report_ids: Sequence[int]) -> dict[int, list[DuplicateLink]]:
    """Each report's duplicates, one link per other report (a merged one that was also flagged counts once),
    merged first, then flags by photo distance."""
    wanted = list(report_ids)
    if not wanted:
        return {}
    links: dict[int, dict[int, DuplicateLink]] = {report_id: {} for report_id in wanted}
    merged = await Report.filter(duplicate_of_id__in=wanted).order_by("id").values_list("duplicate_of_id", "id")
    for original_id, other_id in merged:
        links[int(original_id)][int(other_id)] = DuplicateLink(int(other_id), LinkKind.MERGED)
    flags = (
        await DuplicateFlag.filter(Q(report_id__in=wanted) | Q(similar_to_id__in=wanted))
        .order_by("phash_distance", "id")
        .values_list("report_id", "similar_to_id", "phash_distance", "distance_m")
    )
    for a, b, bits, metres in flags:
        for side, other in ((int(a), int(b)), (int(b), int(a))):
            if side in links and other != side:
                links[side].setdefault(other, DuplicateLink(other, LinkKind.SIMILAR, int(bits), float(metres)))
    return {report_id: list(found.values()) for report_id, found in links.items() if found}


async def duplicate_counts(report_ids: Sequence[int]) -> dict[int, int]:
    """How many duplicates each report has: the length of its `duplicate_links` (reports with none are left out)."""
    return {report_id: len(found) for report_id, found in (await duplicate_links(report_ids)).items()}
