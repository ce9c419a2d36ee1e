"""The reward rules as a form: each number in a field of its own, checked with a clear message per field.

The stored form stays the TOML file (`RulesVersion.text`, the file a deployer ships): a saved form edits that text
in place with tomlkit, so its comments and layout survive, and every save is a new version (the history).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.items import Table

from bot.i18n import N_
from rewards.rules import ANY, RulesError, parse_rules

SEVERITIES = (ANY, "low", "medium", "high", "critical")
NEED_WHOLE_NUMBER = N_("Give a whole number of at least %(minimum)s.")
NEED_DEFAULT_AMOUNT = N_("The amount for any category and any severity is needed.")
UNKNOWN_CATEGORY = N_("There is no such category.")
AMOUNT_PREFIX = "amount"


@dataclass(frozen=True)
class LimitField:
    table: str
    key: str
    label: str  #: English msgid
    minimum: int = 0

    @property
    def name(self) -> str:
        return f"{self.table}.{self.key}"


LIMITS = (
    LimitField("eligibility", "max_rewarded_reports_per_day", N_("Rewarded reports per reporter per day")),
    LimitField("eligibility", "max_fen_per_month", N_("Most paid to one reporter per month (fen)")),
    LimitField("eligibility", "ack_points", N_("Points for followers and later reporters")),
    LimitField("claims", "lapse_days", N_("Days before an unclaimed reward lapses"), minimum=1),
    LimitField("claims", "reminder_days_before", N_("Reminder, days before it lapses")),
    LimitField("claims", "min_payout_fen", N_("Smallest payout (fen)"), minimum=1),
    LimitField("fraud", "max_reports_per_hour", N_("Reports per hour before a reward is held"), minimum=1),
    LimitField("fraud", "exif_max_gap_days", N_("Days between photo date and report before a reward is held")),
    LimitField("fraud", "phash_max_distance", N_("Photo likeness (bits) counted as the same picture")),
    LimitField("fraud", "max_queue_share_pct", N_("One reporter's share of a queue (%) before a reward is held")),
    LimitField("fraud", "queue_share_min_reports", N_("Reports a queue needs before shares count"), minimum=1),
    LimitField("fraud", "photo_lookback_days", N_("Days of earlier photos compared"), minimum=1),
    LimitField("leaderboard", "size", N_("Places on the leaderboard"), minimum=1),
)


def amount_field(category: str, severity: str) -> str:
    return f"{AMOUNT_PREFIX}.{category}.{severity}"


def form_values(text: str) -> dict[str, str]:
    """The form's fields from the stored rules (which parse: they were checked when saved)."""
    rules = parse_rules(text)
    numbers: dict[str, Any] = {
        "eligibility.max_rewarded_reports_per_day": rules.max_rewarded_reports_per_day,
        "eligibility.max_fen_per_month": rules.max_fen_per_month,
        "eligibility.ack_points": rules.ack_points,
        "claims.lapse_days": rules.lapse_days,
        "claims.reminder_days_before": rules.reminder_days_before,
        "claims.min_payout_fen": rules.min_payout_fen,
        "leaderboard.size": rules.leaderboard_size,
        **{f"fraud.{field.key}": getattr(rules.fraud, field.key) for field in LIMITS if field.table == "fraud"},
    }
    values = {name: str(value) for name, value in numbers.items()}
    for category, by_severity in rules.amounts.items():
        values.update({amount_field(category, sev): str(fen) for sev, fen in by_severity.items()})
    return values


def _whole(raw: str, minimum: int) -> int | None:
    raw = raw.strip().replace(",", "")
    return int(raw) if raw.isdigit() and int(raw) >= minimum else None


def _amount_rows(
    fields: Mapping[str, str], categories: frozenset[str], errors: dict[str, str]
) -> dict[str, dict[str, int]]:
    """{category: {severity: fen}} from the amount cells; an empty cell is no amount (the fallbacks apply)."""
    rows: dict[str, dict[str, int]] = {}
    for name, raw in fields.items():
        prefix, _, rest = name.partition(".")
        category, _, severity = rest.rpartition(".")
        if prefix != AMOUNT_PREFIX or severity not in SEVERITIES or not raw.strip():
            continue
        if category != ANY and category not in categories:
            errors[name] = UNKNOWN_CATEGORY
        elif (fen := _whole(raw, 0)) is None:
            errors[name] = NEED_WHOLE_NUMBER
        else:
            rows.setdefault(category, {})[severity] = fen
    if ANY not in rows.get(ANY, {}) and amount_field(ANY, ANY) not in errors:
        errors[amount_field(ANY, ANY)] = NEED_DEFAULT_AMOUNT
    return rows


def apply_form(text: str, fields: Mapping[str, str], categories: frozenset[str]) -> tuple[str | None, dict[str, str]]:
    """The stored rules with the form's numbers written in (comments kept), or None and a message (an English
    msgid) per field in error; RulesError for what only the whole can tell (a reminder after the lapse)."""
    errors: dict[str, str] = {}
    document = tomlkit.parse(text)
    for field in LIMITS:
        value = _whole(fields.get(field.name, ""), field.minimum)
        if value is None:
            errors[field.name] = NEED_WHOLE_NUMBER
            continue
        table = document.setdefault(field.table, tomlkit.table())
        assert isinstance(table, Table)
        table[field.key] = value
    rows = _amount_rows(fields, categories, errors)
    if errors:
        return None, errors
    amounts = tomlkit.table()
    for category, by_severity in rows.items():
        inline = tomlkit.inline_table()
        inline.update(by_severity)
        amounts[category] = inline
    old = document.get("amounts")
    if isinstance(old, Table):
        for category in list(old):
            del old[category]
        old.update(amounts)
    else:
        document["amounts"] = amounts
    new_text = tomlkit.dumps(document)
    parse_rules(new_text)  # RulesError: the caller shows it
    return new_text, {}


__all__ = ["LIMITS", "SEVERITIES", "RulesError", "amount_field", "apply_form", "form_values"]
