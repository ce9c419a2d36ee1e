"""The one-click warning: an official asks for a warning broadcast to the residents subscribed in a red or
orange cell (or its street), published as `EventKind.BROADCAST_REQUESTED`; the broadcasts feature sends it.

Once per level change and scope: the event's key names the cell's latest level change, so a second click
(or a double submit) during the same red spell publishes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.city.grid import Grid
from bot.events import EventKind, publish
from bot.i18n import N_
from risk.levels import RiskLevel
from risk.models import LevelChange

NOT_OFFERED = N_("A warning can be sent only for a cell that is red or orange now.")
WRONG_SCOPE = N_("Send the warning to the cell or to the area around it.")
TEXT_MISSING = N_("Write the warning in every language (%(locales)s).")
WARNED_LEVELS = frozenset({RiskLevel.RED, RiskLevel.ORANGE})
MAX_TEXT_CHARS = 1000


class WarningError(ValueError):
    """The warning cannot be asked for; `message` is an English msgid, `params` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


def scopes_of(grid: Grid, cell: str) -> list[str]:
    """Where a cell's warning may go: the cell, and the unit one level up (its street, or its district)."""
    parent = grid.parent(cell)
    return [cell, parent] if parent else [cell]


async def request_warning(
    grid: Grid,
    cell: str,
    scope: str,
    texts: Mapping[str, str],
    title: str,
    *,
    locales: tuple[str, ...],
    staff_id: int,
    now: datetime,
) -> bool:
    """Publish the request; True if this call published it, False if it was already asked for."""
    change = await LevelChange.filter(cell=cell).order_by("-id").first()
    if change is None or RiskLevel(change.to_level) not in WARNED_LEVELS:
        raise WarningError(NOT_OFFERED)
    if scope not in scopes_of(grid, cell):
        raise WarningError(WRONG_SCOPE)
    cleaned = {locale: texts.get(locale, "").strip()[:MAX_TEXT_CHARS] for locale in locales}
    if not all(cleaned.values()):
        raise WarningError(TEXT_MISSING, locales=", ".join(locales))
    payload = {
        "scope": scope,
        "texts": cleaned,
        "title": title.strip()[:120] or cell,
        "requested_by": staff_id,
        "origin": f"risk.cell:{cell}:{change.id}",
        "urgent": change.to_level == RiskLevel.RED,
    }
    key = f"{EventKind.BROADCAST_REQUESTED}:risk:{change.id}:{scope}"
    return await publish(key, EventKind.BROADCAST_REQUESTED, payload, actor=f"staff:{staff_id}", now=now)
