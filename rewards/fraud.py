"""Fraud signals that hold a reward for an official's review instead of paying it.

A signal is evidence, not a verdict: the held rewards page shows each one, and an official
releases or rejects the grant. The checks mirror how real bounty schemes are gamed (reused photos,
report bursts, a few "professional" reporters taking a queue, old photos passed off as new).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.reports.dedup import is_informative
from bot.reports.models import Photo, Report
from bot.reports.photo_index import near_photos
from bot.reports.photos import phash_distance
from bot.reports.spatial import Filter
from rewards import sql
from rewards.rules import FraudRules, month_bounds


class SignalKind(StrEnum):
    PHOTO_REUSE = "photo_reuse"  # a photo matches another reporter's, or an earlier report's
    BURST = "burst"  # more reports within an hour than anyone files honestly
    QUEUE_SHARE = "queue_share"  # one reporter holds most of a queue's verified reports this month
    EXIF_GAP = "exif_gap"  # the photo was taken long before (or after) the report


@dataclass(frozen=True)
class PhotoRow:
    report_id: int
    reporter_id: int | None  #: None: a partner system filed that report (no resident)
    phash: str
    filed_at: datetime


def signal(kind: SignalKind, **detail: Any) -> dict[str, Any]:
    return {"kind": str(kind), "detail": detail}


def informative(phash: str, rules: FraudRules) -> bool:
    return phash not in rules.ignored_phashes and is_informative(phash)


def reused_photos(
    phashes: Iterable[str], reporter_id: int, filed_at: datetime, others: Iterable[PhotoRow], rules: FraudRules
) -> list[dict[str, Any]]:
    """Matches against photos outside the hazard: any earlier report, or another reporter's at any time."""
    mine = [phash for phash in set(phashes) if informative(phash, rules)]
    best: dict[int, dict[str, Any]] = {}
    for other in others:
        if not informative(other.phash, rules):
            continue
        if other.filed_at >= filed_at and other.reporter_id == reporter_id:
            continue  # the reporter's own later report: that one is checked when it is rewarded
        bits = min((phash_distance(phash, other.phash) for phash in mine), default=65)
        if bits <= rules.phash_max_distance and bits < best.get(other.report_id, {}).get("distance", 65):
            best[other.report_id] = {
                "report_id": other.report_id,
                "distance": bits,
                "same_reporter": other.reporter_id == reporter_id,
            }
    return [signal(SignalKind.PHOTO_REUSE, **match) for match in sorted(best.values(), key=lambda m: m["distance"])]


def exif_gaps(taken: Sequence[datetime], filed_at: datetime, rules: FraudRules) -> list[dict[str, Any]]:
    limit = timedelta(days=rules.exif_max_gap_days)
    gaps = [abs(filed_at - taken_at) for taken_at in taken]
    worst = max(gaps, default=timedelta(0))
    if worst <= limit:
        return []
    return [signal(SignalKind.EXIF_GAP, days=worst.days, limit_days=rules.exif_max_gap_days)]


@dataclass(frozen=True)
class Evidence:
    """The report that earns the reward (the hazard's first, filed by a resident), as the checks need it."""

    report_id: int
    reporter_id: int
    filed_at: datetime
    category: str
    area: str | None
    photos: tuple[tuple[str, datetime | None], ...]  #: (pHash, when the EXIF says it was taken) of each photo


async def evidence_of(report: Report) -> Evidence:
    """`report` as evidence, its photos read (a decision reads them with the rest of its case instead)."""
    assert report.reporter_id is not None, "only a resident's report earns a reward"
    photos = await Photo.filter(report_id=report.id).values_list("phash", "exif_taken_at")
    return Evidence(
        report.id,
        report.reporter_id,
        report.created_at,
        report.category,
        report.area,
        tuple((str(phash), taken) for phash, taken in photos),
    )


@dataclass(frozen=True)
class Counts:
    """What the burst and queue-share checks count around the evidence."""

    filed_in_hour: int  #: reports the reporter filed in the hour up to the evidence
    queue_total: int  #: verified reports of its queue (category and area) in its filing month
    queue_mine: int  #: of those, the reporter's


async def signals_for(
    evidence: Evidence,
    hazard_report_ids: Sequence[int],
    rules: FraudRules,
    zone: ZoneInfo,
    now: datetime,
    counts: Counts | None = None,
) -> list[dict[str, Any]]:
    """Every signal for the report that earns the reward (`counts`: read with the caller's own statement, see
    `counts_table`, else here).

    Photos of the hazard's other reports (merged duplicates) are expected to look alike and are
    left out of the photo comparison."""
    phashes = [phash for phash, _ in evidence.photos]
    since = now - timedelta(days=rules.photo_lookback_days)
    candidates = await _near_photos(phashes, hazard_report_ids, since, rules)
    found = reused_photos(phashes, evidence.reporter_id, evidence.filed_at, candidates, rules)
    found += exif_gaps([taken for _, taken in evidence.photos if taken is not None], evidence.filed_at, rules)
    if counts is None:
        table, params = counts_table(evidence.reporter_id, evidence.filed_at, evidence.category, evidence.area, zone)
        [row] = await sql.rows(Report, f"SELECT {COUNTS_COLUMNS} FROM {table}", params)
        counts = counts_from(row)
    found += burst(counts.filed_in_hour, rules)
    found += queue_share(evidence, counts.queue_total, counts.queue_mine, rules)
    return found


async def _near_photos(
    phashes: Sequence[str], excluded_report_ids: Sequence[int], since: datetime, rules: FraudRules
) -> list[PhotoRow]:
    """Every photo of the other reports that have a photo close to one of `phashes`, filed since `since`.

    The pHash band indexes (bot.reports.photo_index) return the few photos that can be close, checked
    exactly; one more query reads those reports' photos, with the filing times the window needs."""
    mine = [phash for phash in set(phashes) if informative(phash, rules)]
    excluded = list(excluded_report_ids) or [0]
    not_excluded: Filter = (f"p.report_id NOT IN ({', '.join('?' * len(excluded))})", excluded)
    near = await near_photos(mine, rules.phash_max_distance, [not_excluded]) if mine else []
    close_phashes = {(photo.report_id, photo.phash) for photo in near if informative(photo.phash, rules)}
    if not close_phashes:
        return []
    photos = await Photo.filter(report_id__in=sorted({report_id for report_id, _ in close_phashes})).values_list(
        "report_id", "phash", "created_at", "report__reporter_id", "report__created_at"
    )
    in_window = {(int(report_id), str(phash)) for report_id, phash, taken_in, _, _ in photos if taken_in >= since}
    close = {report_id for report_id, phash in close_phashes & in_window}
    return [
        PhotoRow(int(report_id), None if reporter is None else int(reporter), str(phash), filed)
        for report_id, phash, _, reporter, filed in photos
        if report_id in close
    ]


#: The columns of `counts_table` a statement selects.
COUNTS_COLUMNS = "counts.filed AS filed, counts.total AS total, counts.mine AS mine"


def counts_table(
    reporter_id: int, filed_at: datetime, category: str, area: str | None, zone: ZoneInfo
) -> tuple[str, list[object]]:
    """For the evidence (its reporter, filing time, category and area): a one-row derived table `counts`
    (filed, total, mine) with its parameters, for a statement that reads more of the decision with it."""
    start, end = month_bounds(filed_at, zone)
    same_area = "area = ?" if area is not None else "area IS NULL"
    table = (
        "(SELECT burst.filed AS filed, queue.total AS total, queue.mine AS mine FROM"
        " (SELECT COUNT(*) AS filed FROM report WHERE reporter_id = ? AND created_at > ? AND created_at <= ?) AS burst,"
        " (SELECT COUNT(*) AS total, COUNT(CASE WHEN reporter_id = ? THEN 1 END) AS mine FROM report"
        # `verified AND duplicate_of_id IS NULL` spelled as the covering index's condition (rewards/0003).
        " WHERE verified AND duplicate_of_id IS NULL AND category = ? AND created_at >= ? AND created_at < ?"
        f" AND {same_area}) AS queue) AS counts"
    )
    params: list[object] = [
        reporter_id,
        sql.utc(filed_at - timedelta(hours=1)),
        sql.utc(filed_at),
        reporter_id,
        category,
        sql.utc(start),
        sql.utc(end),
        *([area] if area is not None else []),
    ]
    return table, params


def counts_from(row: dict[str, Any]) -> Counts:
    return Counts(int(row["filed"] or 0), int(row["total"] or 0), int(row["mine"] or 0))


def burst(filed_in_hour: int, rules: FraudRules) -> list[dict[str, Any]]:
    if filed_in_hour <= rules.max_reports_per_hour:
        return []
    return [signal(SignalKind.BURST, reports_in_hour=filed_in_hour, limit=rules.max_reports_per_hour)]


def queue_share(evidence: Evidence, total: int, mine: int, rules: FraudRules) -> list[dict[str, Any]]:
    """The reporter's share of verified reports in the same category and area in the filing month."""
    if total < rules.queue_share_min_reports or mine * 100 <= rules.max_queue_share_pct * total:
        return []
    return [
        signal(
            SignalKind.QUEUE_SHARE,
            category=evidence.category,
            area=evidence.area or "",
            reports=mine,
            of=total,
            share_pct=mine * 100 // total,
            limit_pct=rules.max_queue_share_pct,
        )
    ]
