"""Reward rules as pure functions: amounts, campaign multipliers, caps, eligibility, money text.

The rules come from a TOML text (the configured file, or the newest version saved in the admin);
`parse_rules` validates it completely, so a bad edit is refused instead of breaking grants.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "default_rules.toml"
ANY = "*"
#: Statuses of a report a moderator accepted (a later "reopened" still counts).
ACCEPTED_STATUSES = frozenset({"accepted", "dispatched", "in_progress", "fixed", "verified_fixed", "reopened"})
MINOR_UNITS = 100  # fen per yuan (and cents per dollar): every currency we pay in has two decimals
CURRENCY_SIGNS = {"CNY": "¥"}
MONEY_RE = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")  # up to a trillion yuan: a typo guard


class RulesError(ValueError):
    """The rules text is not valid; the message says where."""


class Ineligible(StrEnum):
    """Why a report earns nothing (now or ever)."""

    NOT_ACCEPTED = "not_accepted"
    NOT_VERIFIED = "not_verified"
    NOT_FIXED = "not_fixed"  # the category pays only once fixed: evaluated again later
    DUPLICATE = "duplicate"  # merged into another report: its first reporter is rewarded there
    STAFF = "staff"
    DAY_CAP = "day_cap"
    MONTH_CAP = "month_cap"
    ZERO_AMOUNT = "zero_amount"
    NO_RESIDENT = "no_resident"  # a partner system reported the hazard first (Report.reporter is None)


#: Reasons that may change later, so no decision is recorded for them.
NOT_YET = frozenset({Ineligible.NOT_ACCEPTED, Ineligible.NOT_VERIFIED, Ineligible.NOT_FIXED})


@dataclass(frozen=True)
class FraudRules:
    phash_max_distance: int = 8
    ignored_phashes: frozenset[str] = frozenset({"8000000000000000"})
    photo_lookback_days: int = 365
    max_reports_per_hour: int = 5
    max_queue_share_pct: int = 50
    queue_share_min_reports: int = 10
    exif_max_gap_days: int = 7


@dataclass(frozen=True)
class RewardRules:
    amounts: Mapping[str, Mapping[str, int]]
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    require_fixed: frozenset[str] = frozenset()
    max_rewarded_reports_per_day: int = 5
    max_fen_per_month: int = 150_000
    ack_points: int = 1
    lapse_days: int = 90
    reminder_days_before: int = 7
    min_payout_fen: int = 1000
    leaderboard_size: int = 10
    fraud: FraudRules = FraudRules()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class CampaignTerms:
    """What the rules need of a campaign (the model lives in rewards.models)."""

    id: int
    starts_at: datetime
    ends_at: datetime
    categories: tuple[str, ...]
    multiplier_pct: int


@dataclass(frozen=True)
class ReportFacts:
    """What eligibility depends on, read from the report and its first reporter."""

    status: str
    verified: bool
    category: str
    fixed: bool  #: verified fixed: someone other than the agency's crew confirmed it (or nobody objected in time)
    merged: bool
    reporter_is_staff: bool


# --- parsing ---------------------------------------------------------------------------------


def load_rules_text(path: Path | None) -> str:
    return (path or DEFAULT_RULES_FILE).read_text(encoding="utf-8")


def parse_rules(text: str) -> RewardRules:
    """Validate and build the rules; RulesError names the first problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"not valid TOML: {error}") from error
    eligibility, claims = _table(raw, "eligibility"), _table(raw, "claims")
    fraud, board = _table(raw, "fraud"), _table(raw, "leaderboard")
    rules = RewardRules(
        amounts=_amounts(raw.get("amounts")),
        currency=_currency(raw.get("currency", "CNY")),
        timezone=_timezone(raw.get("timezone", "Asia/Shanghai")),
        require_fixed=frozenset(_strings(eligibility, "require_fixed")),
        max_rewarded_reports_per_day=_count(eligibility, "max_rewarded_reports_per_day", 5),
        max_fen_per_month=_count(eligibility, "max_fen_per_month", 150_000),
        ack_points=_count(eligibility, "ack_points", 1),
        lapse_days=_count(claims, "lapse_days", 90, minimum=1),
        reminder_days_before=_count(claims, "reminder_days_before", 7),
        min_payout_fen=_count(claims, "min_payout_fen", 1000, minimum=1),
        leaderboard_size=_count(board, "size", 10, minimum=1),
        fraud=_fraud(fraud),
    )
    if rules.reminder_days_before >= rules.lapse_days:
        raise RulesError("claims.reminder_days_before must be less than claims.lapse_days")
    return rules


def _fraud(table: Mapping[str, Any]) -> FraudRules:
    ignored = _strings(table, "ignored_phashes", ["8000000000000000"])
    if any(not re.fullmatch(r"[0-9a-f]{16}", phash) for phash in ignored):
        raise RulesError("fraud.ignored_phashes must be 16 lowercase hex digits each")
    return FraudRules(
        phash_max_distance=_count(table, "phash_max_distance", 8),
        ignored_phashes=frozenset(ignored),
        photo_lookback_days=_count(table, "photo_lookback_days", 365, minimum=1),
        max_reports_per_hour=_count(table, "max_reports_per_hour", 5, minimum=1),
        max_queue_share_pct=_count(table, "max_queue_share_pct", 50, minimum=1),
        queue_share_min_reports=_count(table, "queue_share_min_reports", 10, minimum=1),
        exif_max_gap_days=_count(table, "exif_max_gap_days", 7, minimum=1),
    )


def _table(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise RulesError(f"[{name}] must be a table")
    return value


def _count(table: Mapping[str, Any], name: str, default: int, *, minimum: int = 0) -> int:
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RulesError(f"{name} must be a whole number of at least {minimum} (amounts are in fen)")
    return value


def _strings(table: Mapping[str, Any], name: str, default: Sequence[str] = ()) -> list[str]:
    value = table.get(name, list(default))
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RulesError(f"{name} must be a list of strings")
    return value


def _amounts(value: object) -> dict[str, dict[str, int]]:
    if not isinstance(value, dict) or not value:
        raise RulesError("[amounts] must map categories to {severity = fen} tables")
    amounts: dict[str, dict[str, int]] = {}
    for category, by_severity in value.items():
        if not isinstance(by_severity, dict) or not by_severity:
            raise RulesError(f"amounts.{category} must be a table like {{ ordinary = 2000 }}")
        amounts[category] = {severity: _count(by_severity, severity, 0) for severity in by_severity}
    if ANY not in amounts:
        raise RulesError('[amounts] needs a "*" entry for categories not listed')
    return amounts


def _currency(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        raise RulesError("currency must be a three-letter code such as CNY")
    return value


def _timezone(value: object) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RulesError(f"unknown timezone {value!r}") from error
    return str(value)


# --- amounts, campaigns, caps ----------------------------------------------------------------


def base_amount(rules: RewardRules, category: str, severity: str | None) -> int:
    """The table's amount: the category's severity, its "*", then the "*" category likewise."""
    severity = severity or ANY
    for table in (rules.amounts.get(category), rules.amounts[ANY]):
        if table is not None:
            for key in (severity, ANY):
                if key in table:
                    return table[key]
    return 0


def best_campaign(campaigns: Sequence[CampaignTerms], category: str, filed_at: datetime) -> CampaignTerms | None:
    """The highest multiplier among campaigns running when the report was filed (they never stack)."""
    running = [
        campaign
        for campaign in campaigns
        if campaign.starts_at <= filed_at < campaign.ends_at
        and (not campaign.categories or category in campaign.categories)
    ]
    return max(running, key=lambda campaign: (campaign.multiplier_pct, -campaign.id), default=None)


def multiplied(amount_fen: int, multiplier_pct: int) -> int:
    """Integer percent, rounded down to the fen (never a float)."""
    return amount_fen * multiplier_pct // 100


def capped_amount(
    rules: RewardRules, amount_fen: int, *, rewarded_same_day: int, granted_this_month_fen: int
) -> tuple[int, Ineligible | None]:
    """Apply the per-reporter caps: too many rewarded reports that day -> nothing, else clamp to
    what is left of the month's money."""
    if rewarded_same_day >= rules.max_rewarded_reports_per_day:
        return 0, Ineligible.DAY_CAP
    left_fen = max(0, rules.max_fen_per_month - granted_this_month_fen)
    if left_fen == 0:
        return 0, Ineligible.MONTH_CAP
    return min(amount_fen, left_fen), None


def ineligibility(rules: RewardRules, facts: ReportFacts) -> Ineligible | None:
    """Why this report earns nothing, or None when it is eligible (caps aside)."""
    if facts.merged:
        return Ineligible.DUPLICATE
    if facts.status not in ACCEPTED_STATUSES:
        return Ineligible.NOT_ACCEPTED
    if not facts.verified:
        return Ineligible.NOT_VERIFIED
    if facts.category in rules.require_fixed and not facts.fixed:
        return Ineligible.NOT_FIXED
    if facts.reporter_is_staff:
        return Ineligible.STAFF
    return None


# --- calendar --------------------------------------------------------------------------------


def day_bounds(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day containing `at`, as aware datetimes [start, end)."""
    local = at.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def month_bounds(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local calendar month containing `at`, as aware datetimes [start, end)."""
    local = at.astimezone(zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start.month == 12:
        return start, start.replace(year=start.year + 1, month=1)
    return start, start.replace(month=start.month + 1)


# --- money as text ---------------------------------------------------------------------------


def format_money(amount_fen: int, currency: str) -> str:
    """2000 -> "¥20.00" (or "20.00 USD"); exact integer arithmetic."""
    sign = "-" if amount_fen < 0 else ""
    units, minor = divmod(abs(amount_fen), MINOR_UNITS)
    number = f"{units:,}.{minor:02d}"
    symbol = CURRENCY_SIGNS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def parse_money(text: str) -> int:
    """ "20", "20.5", "1,500.00" (yuan) -> fen; ValueError for anything else or more than 2 decimals."""
    cleaned = text.strip().replace(",", "").lstrip("¥")
    match = MONEY_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not an amount in yuan with at most two decimals: {text!r}")
    units, minor = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(units) * MINOR_UNITS + int(minor)
