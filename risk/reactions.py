"""Risk's reactions (run by the kernel's outbox, at least once).

A status change recomputes the report's cell (a level change is recorded once: risk/recompute.py);
a level change to a notifying level queues one message per chat under a key naming the change, so a
reaction that runs twice sends nothing twice.
"""

from __future__ import annotations

from bot.events import DomainEvent, EventKind
from bot.features import EventReaction, Reaction
from bot.jobs import queue_text
from bot.reports.models import Report, StatusChange
from bot.services import Services
from risk.levels import RiskLevel
from risk.models import LevelChange
from risk.notify import agency_chats, level_change_text
from risk.recompute import recompute
from risk.rulebook import current_rules

RECOMPUTE_ACTOR = "system:risk.recompute"


async def recompute_cell(services: Services, change: StatusChange, report: Report) -> None:
    if not report.cell:
        return
    rules = await current_rules(services.settings.risk_rules_file)
    await recompute([report.cell], rules, services.grid, actor=RECOMPUTE_ACTOR, now=services.clock())


async def notify_level_change(services: Services, event: DomainEvent) -> None:
    """Tell the area's agencies and the supervisors' chat about a cell turning to a notifying level."""
    change = await LevelChange.get_or_none(id=int(event.payload.get("change_id", 0)))
    rules = await current_rules(services.settings.risk_rules_file)
    if change is None or RiskLevel(change.to_level) not in rules.notify_levels:
        return
    settings = services.settings
    chats = await agency_chats(services.grid, change.cell)
    if settings.supervisors_chat_id is not None:
        chats.append(settings.supervisors_chat_id)
    text = await level_change_text(change, services.grid, settings.default_locale, settings.public_url)
    for chat_id in sorted(set(chats)):
        await queue_text(services, f"risk:level:{change.id}:{chat_id}", chat_id, text)


REACTIONS = (Reaction("risk.recompute", recompute_cell),)
EVENT_REACTIONS = (EventReaction(EventKind.CELL_LEVEL_CHANGED, "risk.notify", notify_level_change),)
