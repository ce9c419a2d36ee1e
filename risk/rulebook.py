"""Where the risk rules in force come from: the newest version saved in the admin, else the file setting.

Kept in the database (not a file) so every web and worker process sees an edit at once, and every
version stays (who saved it, when, with which note) for the history shown beside the editor.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from risk.models import RiskRulesVersion
from risk.rules import RiskRules, load_rules_text, parse_rules


async def current_rules_text(path: Path | None) -> str:
    latest = await RiskRulesVersion.all().order_by("-id").first()
    return latest.text if latest is not None else load_rules_text(path)


async def current_rules(path: Path | None) -> RiskRules:
    return parse_rules(await current_rules_text(path))


async def save_rules(text: str, *, note: str, staff_id: int | None, now: datetime) -> RiskRulesVersion:
    """Validate, then store a new version (RiskRulesError leaves the rules in force untouched)."""
    parse_rules(text)
    return await RiskRulesVersion.create(text=text, note=note.strip()[:200], created_by_id=staff_id, created_at=now)


async def rules_history(limit: int = 50) -> list[RiskRulesVersion]:
    return list(await RiskRulesVersion.all().order_by("-id").limit(limit).prefetch_related("created_by"))
