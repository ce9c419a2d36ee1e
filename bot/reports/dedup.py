"""Duplicate detection at intake: open reports nearby, near-identical photos, and "me too" followers.

The spatial index (bot.reports.spatial) narrows a million reports to the few in a bounding box, the
pHash band indexes (bot.reports.photo_index) a million photos to the few with a similar hash; exact
haversine and Hamming distances then decide and sort. Also owns `DuplicateFlag` rows (likely photo
duplicates, for moderators) and the `ReportFollower` rows made at intake."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count

from bot.reports.geo import distance_m
from bot.reports.models import Draft, DuplicateFlag, Photo, Report, ReportFollower, Resident
from bot.reports.photo_index import candidate_ids, hash_distances, near_photos, parse_phash
from bot.reports.spatial import BoundingBox, Filter, bounding_box, in_list, placeholders_for, rows_within
from bot.reports.statuses import OPEN_STATUSES

#: A real pHash sets about half of its 64 bits (they are thresholded at the median); a blank or flat
#: picture sets almost none: every uniform image hashes to 8000000000000000. Such hashes carry no
#: information and would "match" each other, so they never count as a photo match.
MIN_INFORMATIVE_BITS = 16


@dataclass(frozen=True)
class DedupRules:
    photo_radius_m: int = 1000  # photo matches look this far, in any category
    photo_max_hamming: int = 8  # pHash distance at or below which two photos are the same scene
    max_candidates: int = 3  # open reports offered to the resident at once


@dataclass(frozen=True)
class Nearby:
    report: Report
    distance_m: float
    age: timedelta


@dataclass(frozen=True)
class PhotoMatch:
    report: Report
    distance_m: float
    phash_distance: int


class NoticeKind(StrEnum):
    SAME_PHOTO_AGAIN = "same_photo_again"  # the resident sent this photo with an earlier report
    SIMILAR_PHOTO = "similar_photo"  # someone reported a near-identical photo nearby


@dataclass(frozen=True)
class Notice:
    """Something the resident is told on top of the next prompt."""

    kind: NoticeKind
    report_ids: tuple[int, ...]


@dataclass(frozen=True)
class DuplicateCheck:
    """What intake found once location and category are known."""

    candidates: list[Nearby] = field(default_factory=list)  # open reports the resident may follow
    photo_matches: list[PhotoMatch] = field(default_factory=list)  # other residents', any status
    thumbnail_keys: dict[int, str] = field(default_factory=dict)  # report id -> first thumbnail
    supporters: dict[int, int] = field(default_factory=dict)  # report id -> followers ("me too")

    @property
    def notices(self) -> list[Notice]:
        if not self.photo_matches:
            return []
        return [Notice(NoticeKind.SIMILAR_PHOTO, tuple(match.report.id for match in self.photo_matches))]


class FlagKind(StrEnum):
    PHOTO = "photo"  # another resident's report has a near-identical photo
    SAME_REPORTER_PHOTO = "same_reporter_photo"  # the same resident sent the same picture before


class FollowOutcome(StrEnum):
    FOLLOWING = "following"
    ALREADY_FOLLOWING = "already_following"
    OWN_REPORT = "own_report"


def is_informative(phash: str) -> bool:
    """False for the hashes of blank, flat or tiny images, which match each other meaninglessly."""
    return int(phash, 16).bit_count() >= MIN_INFORMATIVE_BITS


# --- nearby open reports ---------------------------------------------------------------------


async def nearby_open_reports(
    lat: float,
    lon: float,
    category: str,
    radius_m: float,
    *,
    now: datetime,
    limit: int = 3,
    exclude_reporter_id: int | None = None,
    exclude_report_id: int | None = None,
) -> list[Nearby]:
    """Open reports of `category` within `radius_m`, nearest first (the newer first on a tie)."""
    filters: list[Filter] = [("r.category = ?", [category]), in_list("r.status", OPEN_STATUSES)]
    if exclude_reporter_id is not None:
        filters.append(("r.reporter_id <> ?", [exclude_reporter_id]))
    if exclude_report_id is not None:
        filters.append(("r.id <> ?", [exclude_report_id]))
    rows = await rows_within(lat, lon, radius_m, "r.id, r.lat, r.lon", filters, open_only=True)
    hits = [(distance_m(lat, lon, row["lat"], row["lon"]), int(row["id"])) for row in rows]
    ranked = sorted((hit for hit in hits if hit[0] <= radius_m), key=lambda hit: (hit[0], -hit[1]))[:limit]
    reports = await _reports_by_id(report_id for _, report_id in ranked)
    return [
        Nearby(reports[report_id], metres, now - reports[report_id].created_at)
        for metres, report_id in ranked
        if report_id in reports
    ]


async def _reports_by_id(ids: Iterable[int]) -> dict[int, Report]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {report.id: report for report in await Report.filter(id__in=wanted)}


# --- photo matches ---------------------------------------------------------------------------


async def photo_matches(
    phashes: Iterable[str],
    lat: float,
    lon: float,
    *,
    within_m: float = 1000,
    max_distance: int = 8,
    exclude_report_id: int | None = None,
    exclude_reporter_id: int | None = None,
) -> list[PhotoMatch]:
    """Reports within `within_m`, of any category and status, with a photo at most `max_distance` bits
    from one of `phashes` (a report has up to three), each with its closest photo; closest first.
    Blank-image hashes match nothing. The process's pHash index names the few photos that can be close
    (bot.reports.photo_index), one query reads them with their reports, then exact bits and metres."""
    wanted = [phash for phash in set(phashes) if is_informative(phash)]
    box = bounding_box(lat, lon, within_m)
    found = await _photo_reports(wanted, max_distance, box, exclude_report_id)
    matches = []
    for report, bits in found.values():
        metres = distance_m(lat, lon, report.lat, report.lon)
        excluded = report.id == exclude_report_id or (
            exclude_reporter_id is not None and report.reporter_id == exclude_reporter_id
        )  # partner reports have no reporter: None is nobody's, not the same as another None
        if metres <= within_m and not excluded:
            matches.append(PhotoMatch(report, metres, bits))
    return sorted(matches, key=lambda match: (match.phash_distance, match.distance_m, -match.report.id))


async def _photo_reports(
    wanted: list[str], max_distance: int, box: BoundingBox, exclude_report_id: int | None
) -> dict[int, tuple[Report, int]]:
    """Reports inside `box` with an informative photo at most `max_distance` bits from one of `wanted`, each
    with the bits of its closest such photo. The process's pHash index names the candidate photos; one query
    reads them with their reports as they are now. The box in SQL keeps a hash common across the city (a
    poster, a logo) from loading every report."""
    if not wanted:
        return {}
    inside = {"lat__gte": box.min_lat, "lat__lte": box.max_lat, "lon__gte": box.min_lon, "lon__lte": box.max_lon}
    queries = [value for value in map(parse_phash, wanted) if value is not None]
    ids = await candidate_ids(Photo._meta.db, queries, max_distance, exclude_report_id)
    if ids is None:  # memory cannot answer: the band indexes, then the reports
        near = await near_photos(wanted, max_distance)
        bits = _closest_bits((photo.report_id, photo.phash, photo.phash_distance) for photo in near)
        nearby = await Report.filter(id__in=list(bits), **inside) if bits else []
        return {report.id: (report, bits[report.id]) for report in nearby}
    if not ids:
        return {}
    client = Photo._meta.db
    sql = (  # our own fragments only, values bound
        "SELECT r.*, p.phash AS matched_phash FROM photo AS p JOIN report AS r ON r.id = p.report_id"
        f" WHERE p.id IN ({', '.join('?' * len(ids))}) AND r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?"
    )
    rows = await client.execute_query_dict(
        placeholders_for(client.capabilities.dialect, sql), [*ids, box.min_lat, box.max_lat, box.min_lon, box.max_lon]
    )
    distances = hash_distances([row["matched_phash"] for row in rows], queries).tolist()
    close = [(row, bits) for row, bits in zip(rows, distances, strict=True) if bits <= max_distance]
    bits = _closest_bits((int(row["id"]), str(row["matched_phash"]), bits) for row, bits in close)
    # The report's own columns (r.*), read with its photo in one round trip: the ORM's own constructor.
    reports = {int(row["id"]): Report._init_from_db(**row) for row, _ in close}
    return {report_id: (reports[report_id], closest) for report_id, closest in bits.items()}


def _closest_bits(near: Iterable[tuple[int, str, int]]) -> dict[int, int]:
    """Report id -> bits of its closest informative photo."""
    closest: dict[int, int] = {}
    for report_id, phash, bits in near:
        if is_informative(phash) and bits < closest.get(report_id, 65):
            closest[report_id] = bits
    return closest


async def same_user_same_photo(resident_id: int, *, sha256: str, phash: str) -> Report | None:
    """The resident's latest filed report with this very photo (same bytes, or a pHash distance of 0)."""
    same = Q(sha256=sha256) | Q(phash=phash) if is_informative(phash) else Q(sha256=sha256)
    photo = await Photo.filter(same, owner_id=resident_id, report_id__isnull=False).order_by("-report_id").first()
    return None if photo is None else await Report.get_or_none(id=photo.report_id)


# --- intake ----------------------------------------------------------------------------------


async def check_draft(
    draft: Draft, radius_m: float, rules: DedupRules, now: datetime, *, phashes: Sequence[str] | None = None
) -> DuplicateCheck:
    """Open reports the resident may mean, photo matches first, then the same category nearby.

    `phashes`: the draft's photos' hashes when the caller has them (intake keeps them on the draft)."""
    assert draft.lat is not None
    assert draft.lon is not None
    assert draft.category is not None
    if phashes is None:
        phashes = [str(p) for p in await Photo.filter(draft_id=draft.id).values_list("phash", flat=True)]
    matches = await photo_matches(
        phashes,
        draft.lat,
        draft.lon,
        within_m=rules.photo_radius_m,
        max_distance=rules.photo_max_hamming,
        exclude_reporter_id=draft.resident_id,
    )
    nearby = []
    if radius_m > 0:  # a category configured with radius 0 asks for no nearby offers
        nearby = await nearby_open_reports(
            draft.lat,
            draft.lon,
            draft.category,
            radius_m,
            now=now,
            limit=rules.max_candidates,
            exclude_reporter_id=draft.resident_id,
        )
    candidates: dict[int, Nearby] = {}
    for match in matches:
        if match.report.status in OPEN_STATUSES:
            candidates[match.report.id] = Nearby(match.report, match.distance_m, now - match.report.created_at)
    for near in nearby:
        candidates.setdefault(near.report.id, near)
    offered = list(candidates.values())[: rules.max_candidates]
    offered_ids = [near.report.id for near in offered]
    return DuplicateCheck(offered, matches, await thumbnail_keys(offered_ids), await support_counts(offered_ids))


async def flag_report(
    report: Report, rules: DedupRules, now: datetime, *, phashes: Sequence[str] | None = None
) -> list[DuplicateFlag]:
    """Record, for moderators, each earlier report with a near-identical photo (idempotent).

    `phashes`: the report's photos' hashes when the caller has them (intake, from the draft)."""
    if phashes is None:
        phashes = [str(p) for p in await Photo.filter(report_id=report.id).values_list("phash", flat=True)]
    matches = await photo_matches(
        phashes,
        report.lat,
        report.lon,
        within_m=rules.photo_radius_m,
        max_distance=rules.photo_max_hamming,
        exclude_report_id=report.id,
    )
    flags = []
    for match in matches:
        # Two partner-filed reports (no resident) are not "the same reporter".
        same_reporter = report.reporter_id is not None and match.report.reporter_id == report.reporter_id
        flag, _ = await DuplicateFlag.get_or_create(
            report=report,
            similar_to=match.report,
            defaults={
                "kind": FlagKind.SAME_REPORTER_PHOTO if same_reporter else FlagKind.PHOTO,
                "phash_distance": match.phash_distance,
                "distance_m": match.distance_m,
                "created_at": now,
            },
        )
        flags.append(flag)
    return flags


async def follow(report: Report, resident: Resident) -> FollowOutcome:
    """ "Me too": the resident supports `report` and gets its updates; safe to repeat."""
    if report.reporter_id == resident.id:
        return FollowOutcome.OWN_REPORT
    try:
        _, created = await ReportFollower.get_or_create(report=report, resident=resident)
    except IntegrityError:  # a concurrent tap made the row between our read and our insert
        return FollowOutcome.ALREADY_FOLLOWING
    return FollowOutcome.FOLLOWING if created else FollowOutcome.ALREADY_FOLLOWING


async def support_counts(report_ids: Sequence[int]) -> dict[int, int]:
    """Followers ("me too") per report."""
    if not report_ids:
        return {}
    rows = (
        await ReportFollower.filter(report_id__in=list(report_ids))
        .group_by("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    return {int(report_id): int(n) for report_id, n in rows}


async def thumbnail_keys(report_ids: Sequence[int]) -> dict[int, str]:
    """The first photo's thumbnail key of each report that has a photo."""
    if not report_ids:
        return {}
    rows = (
        await Photo.filter(report_id__in=list(report_ids))
        .order_by("-position", "-id")
        .values_list("report_id", "thumbnail_key")
    )
    return {int(report_id): str(key) for report_id, key in rows}  # later rows win: position 0 last
