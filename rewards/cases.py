"""What a reward decision reads about its report: the hazard (the report and the duplicates merged into it),
who backed it, and the first reporter's photos, staff flag and payable account, in two statements.

Read one model at a time through the ORM this took nine statements, the larger part of a decision
(issue 11: a decision within 5 ms with a city's year of photos on file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.reports.models import Photo, Report
from rewards import sql
from rewards.fraud import Evidence


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


@dataclass(frozen=True)
class Case:
    report: Member  #: the report being decided
    evidence: Member  #: the hazard's first report, which earns the reward
    report_ids: tuple[int, ...]  #: every report of the hazard: the report, then its duplicates
    reporter_ids: tuple[int | None, ...]  #: who filed each of them


@dataclass(frozen=True)
class Backing:
    evidence: Evidence
    acknowledged: dict[int, str]  #: resident id -> "follower"/"duplicate": backed the hazard, not first


_MEMBERS = (
    "SELECT r.id, r.reporter_id, r.created_at, r.status, r.verified, r.category, r.severity, r.area,"
    " r.verified_fixed_at IS NOT NULL AS fixed, r.duplicate_of_id IS NOT NULL AS merged,"
    " (res.is_staff OR EXISTS (SELECT 1 FROM staff_user s WHERE s.telegram_user_id = r.reporter_id AND s.active))"
    " AS reporter_is_staff, a.id AS payable_id, (SELECT g.id FROM reward_grant g WHERE g.report_id = r.id) AS grant_id"
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
        report, evidence, tuple(member.id for member in members), tuple(member.reporter_id for member in members)
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
    )


async def backing_of(case: Case) -> Backing:
    """The evidence's photos and the hazard's followers, in one statement."""
    evidence = case.evidence
    assert evidence.reporter_id is not None, "only a resident's report earns a reward"
    found = await sql.rows(
        Photo,
        "SELECT p.phash AS phash, p.exif_taken_at AS taken_at, NULL AS follower_id FROM photo p WHERE p.report_id = ?"
        " UNION ALL SELECT NULL, NULL, f.resident_id FROM report_follower f"
        f" WHERE f.report_id IN ({', '.join('?' * len(case.report_ids))})",
        [evidence.id, *case.report_ids],
    )
    photos = tuple(
        (str(row["phash"]), sql.python_value(Photo, "exif_taken_at", row["taken_at"]))
        for row in found
        if row["follower_id"] is None
    )
    acknowledged = {reporter: "duplicate" for reporter in case.reporter_ids if reporter is not None}
    acknowledged.update({int(str(row["follower_id"])): "follower" for row in found if row["follower_id"] is not None})
    acknowledged.pop(evidence.reporter_id, None)
    return Backing(
        Evidence(evidence.id, evidence.reporter_id, evidence.filed_at, evidence.category, evidence.area, photos),
        acknowledged,
    )
