"""Small helpers shared by the rewards admin pages: form parsing, money and dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.admin.pages import services_of
from bot.i18n import N_
from rewards.rulebook import current_rules
from rewards.rules import RewardRules, format_money, parse_money

BAD_AMOUNT = N_("Amounts are in yuan with at most two decimals, e.g. 1500 or 20.50.")
BAD_DATE = N_("Dates look like 2026-12-31.")


class FormError(ValueError):
    """A form field that cannot be used; the message is an English source string."""


def money_field(form: Any, name: str) -> int:
    try:
        return parse_money(str(form.get(name, "")))
    except ValueError:
        raise FormError(BAD_AMOUNT) from None


def day_field(form: Any, name: str, rules: RewardRules, *, end: bool = False) -> datetime:
    """A local date as an aware datetime: its midnight, or the next midnight for an inclusive end."""
    try:
        day = date.fromisoformat(str(form.get(name, "")).strip())
    except ValueError:
        raise FormError(BAD_DATE) from None
    start = datetime.combine(day, time(0), tzinfo=rules.zone)
    return start + timedelta(days=1) if end else start


async def page_context(request: web.Request) -> dict[str, Any]:
    """What every rewards page needs: the rules in force, money and date formatting, flashes."""
    rules = await current_rules(services_of(request).settings)

    def local_day(at: datetime | None) -> str:
        return at.astimezone(rules.zone).date().isoformat() if at else ""

    def last_day(at: datetime | None) -> str:
        """The inclusive last day of a period whose stored end is exclusive (the next midnight)."""
        return local_day(at - timedelta(microseconds=1)) if at else ""

    def local_time(at: datetime | None) -> str:
        return at.astimezone(rules.zone).strftime("%Y-%m-%d %H:%M") if at else ""

    return {
        "rules": rules,
        "money": lambda fen: format_money(int(fen), rules.currency),
        "yuan": lambda fen: f"{int(fen) // 100}.{int(fen) % 100:02d}",
        "day": local_day,
        "last_day": last_day,
        "when": local_time,
    }
