"""Where the rules in force come from: the newest version saved in the admin, else the file setting."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from rewards.models import RulesVersion
from rewards.rules import RewardRules, load_rules_text, parse_rules


async def current_rules_text(settings: Settings) -> str:
    """Kept in the database (not a file) so every web and worker process sees an edit at once."""
    latest = await RulesVersion.all().order_by("-id").first()
    return latest.text if latest is not None else load_rules_text(settings.rewards_rules_file)


async def current_rules(settings: Settings) -> RewardRules:
    return parse_rules(await current_rules_text(settings))


async def save_rules(text: str, *, staff_id: int | None, now: datetime) -> RewardRules:
    """Validate, then store a new version (RulesError leaves the rules in force untouched)."""
    rules = parse_rules(text)
    await RulesVersion.create(text=text, created_by_id=staff_id, created_at=now)
    return rules
