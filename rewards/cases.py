"""What a reward decision reads about its report, in two statements: the hazard (the report and the duplicates
merged into it, with their reporters' staff flags and payable accounts), then around its first report (the
evidence) its photos, the campaigns running when it was filed and what the fraud checks count. Who backed
the hazard is read only when someone follows it.

Read one model at a time through the ORM this took eleven statements, the larger part of a decision
(issue 11: a decision within 5 ms with a city's year of photos on file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports.models import Photo, Report, ReportFollower
from rewards import sql
from rewards.budget import CAMPAIGN_COLUMNS, campaign_terms, campaigns_join
from rewards.fraud import COUNTS_COLUMNS, Counts, Evidence, counts_from, counts_table
from rewards.rules import CampaignTerms


@dataclass(frozen=True)
class Member:
    """One report of the hazard, with what the decision needs of its reporter."""

    id: int
    reporter_id: int | None  #: None: a partner system filed it
    filed_at: datetime
    status: str
    verified: bool
    category: str
    severity: str | None
    area: str | None
    fixed: bool  #: verified fixed
    merged: bool  #: a duplicate merged into another report
    reporter_is_staff: bool
    payable_id: int | None  #: the reporter's payable account, once opened
    grant_id: int | None  #: the report's reward grant, once decided
    followed: bool  #: residents follow it


@dataclass(frozen=True)
class Case:
    report: Member  #: the report being decided
    evidence: Member  #: the hazard's first report, which earns the reward
    report_ids: tuple[int, ...]  #: every report of the hazard: the report, then its duplicates
    reporter_ids: tuple[int | None, ...]  #: who filed each of them
    followed: bool  #: residents follow one of them


@dataclass(frozen=True)
class Surroundings:
    """What the rules and the fraud checks need around the evidence."""

    evidence: Evidence
    counts: Counts
    campaigns: list[CampaignTerms]  #: running when the evidence was filed


_MEMBERS = (
    "SELECT r.id, r.reporter_id, r.created_at, r.status, r.verified, r.category, r.severity, r.area,"
    " r.verified_fixed_at IS NOT NULL AS fixed, r.duplicate_of_id IS NOT NULL AS merged,"
    " (res.is_staff OR EXISTS (SELECT 1 FROM staff_user s WHERE s.telegram_user_id = r.reporter_id AND s.active))"
    " AS reporter_is_staff, a.id AS payable_id, (SELECT g.id FROM reward_grant g WHERE g.report_id = r.id) AS grant_id,"
    " EXISTS (SELECT 1 FROM report_follower f WHERE f.report_id = r.id) AS followed"
    " FROM report r LEFT JOIN resident res ON res.id = r.reporter_id"
    " LEFT JOIN ledger_account a ON a.kind = 'payable' AND a.key = CAST(r.reporter_id AS VARCHAR(32))"
    " WHERE r.id = ? OR r.duplicate_of_id = ?"
)


async def case_of(report_id: int) -> Case | None:
    """The report's case, or None when there is no such report."""
    members = [_member(row) for row in await sql.rows(Report, _MEMBERS, [report_id, report_id])]
    report = next((member for member in members if member.id == report_id), None)
    if report is None:
        return None
    members.sort(key=lambda member: (member.id != report_id, member.id))  # the report, then its duplicates
    evidence = min(members, key=lambda member: (member.filed_at, member.id))
    return Case(
        report,
        evidence,
        tuple(member.id for member in members),
        tuple(member.reporter_id for member in members),
        any(member.followed for member in members),
    )


def _member(row: dict[str, object]) -> Member:
    return Member(
        id=int(str(row["id"])),
        reporter_id=None if row["reporter_id"] is None else int(str(row["reporter_id"])),
        filed_at=sql.python_value(Report, "created_at", row["created_at"]),
        status=str(row["status"]),
        verified=bool(row["verified"]),
        category=str(row["category"]),
        severity=None if row["severity"] is None else str(row["severity"]),
        area=None if row["area"] is None else str(row["area"]),
        fixed=bool(row["fixed"]),
        merged=bool(row["merged"]),
        reporter_is_staff=bool(row["reporter_is_staff"]),
        payable_id=None if row["payable_id"] is None else int(str(row["payable_id"])),
        grant_id=None if row["grant_id"] is None else int(str(row["grant_id"])),
        followed=bool(row["followed"]),
    )


async def surroundings_of(case: Case, zone: ZoneInfo) -> Surroundings:
    """The evidence's photos, the campaigns running when it was filed and what the fraud checks count, in one
    statement: a one-row table of counts, joined to each running campaign and each photo (a few of each)."""
    first = case.evidence
    assert first.reporter_id is not None, "only a resident's report earns a reward"
    counts, counts_params = counts_table(first.reporter_id, first.filed_at, first.category, first.area, zone)
    campaigns, campaigns_params = campaigns_join(first.filed_at)
    found = await sql.rows(
        Report,
        f"SELECT {COUNTS_COLUMNS}, {CAMPAIGN_COLUMNS}, p.id AS photo_id, p.phash AS phash, p.exif_taken_at AS taken_at"
        f" FROM {counts} {campaigns} LEFT JOIN photo p ON p.report_id = ?",
        [*counts_params, *campaigns_params, first.id],
    )
    photos = {
        int(row["photo_id"]): (str(row["phash"]), sql.python_value(Photo, "exif_taken_at", row["taken_at"]))
        for row in found
        if row["photo_id"] is not None
    }
    campaign_rows = {int(row["campaign_id"]): row for row in found if row["campaign_id"] is not None}
    return Surroundings(
        Evidence(first.id, first.reporter_id, first.filed_at, first.category, first.area, tuple(photos.values())),
        counts_from(found[0]),
        campaign_terms(list(campaign_rows.values())),
    )


async def acknowledged_of(case: Case) -> dict[int, str]:
    """Who backed the hazard without being its first reporter: resident id -> "duplicate" or "follower"."""
    acknowledged = {reporter: "duplicate" for reporter in case.reporter_ids if reporter is not None}
    if case.followed:
        followers = await ReportFollower.filter(report_id__in=case.report_ids).values_list("resident_id", flat=True)
        acknowledged.update({int(str(resident_id)): "follower" for resident_id in followers})
    if case.evidence.reporter_id is not None:
        acknowledged.pop(case.evidence.reporter_id, None)
    return acknowledged
