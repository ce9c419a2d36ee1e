"""Who is told when a cell turns red or orange, and what they read (in the deployment's language).

The agencies responsible for the cell's area (an agency's `areas` name districts, streets or cells;
an agency with no areas covers the whole city) and the supervisors' chat, each once per change.
"""

from __future__ import annotations

from typing import Any

from bot.city.grid import Grid
from bot.city.models import Agency
from bot.i18n import Translator
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES
from risk import texts
from risk.levels import LEVEL_LABELS, RiskLevel
from risk.models import LevelChange


async def agency_chats(grid: Grid, cell: str) -> list[int]:
    """Chats of the active agencies whose areas contain the cell, its street or its district."""
    keys = {cell, grid.parent(cell), grid.district_of(cell)} - {None}
    chats = set()
    for agency in await Agency.filter(active=True, telegram_chat_id__isnull=False):
        areas = set(agency.areas or [])
        if (not areas or areas & keys) and agency.telegram_chat_id is not None:
            chats.add(int(agency.telegram_chat_id))
    return sorted(chats)


def why_text(why: dict[str, Any], _: Translator) -> str:
    """A stored `CellScore.why()` in the reader's language."""
    parts = why.get("parts") or {}
    named = [f"{_(texts.PART_NAMES.get(name, name))} {value:g}" for name, value in parts.items() if value]
    text = _(texts.SCORE_WHY, score=f"{float(why.get('score', 0)):g}") + (f" ({', '.join(named)})" if named else "")
    forced = why.get("forced")
    if forced:
        rule = forced.get("why_zh") if _.locale == "zh_CN" and forced.get("why_zh") else forced.get("why")
        text += "; " + _(texts.FORCED_WHY, rule=rule or forced.get("level"))
    return text


def level_label(level: str | None, _: Translator) -> str:
    return _(LEVEL_LABELS[RiskLevel(level)]) if level else _(texts.NO_LEVEL)


async def level_change_text(change: LevelChange, grid: Grid, locale: str, public_url: str) -> str:
    _ = Translator(locale)
    open_count = await Report.filter(cell=change.cell, verified=True, status__in=sorted(OPEN_STATUSES)).count()
    link = f"{public_url.rstrip('/')}/admin/map?cell={change.cell}" if public_url else ""
    return _(
        texts.LEVEL_CHANGED,
        cell=grid.label(change.cell, locale),
        district=grid.label(change.district, locale),
        before=level_label(change.from_level, _),
        after=level_label(change.to_level, _),
        why=why_text(change.why, _),
        open=open_count,
        link=link,
    ).rstrip()
