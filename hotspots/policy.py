"""The feature's policies built from Settings: the escalation rules, the local time zone, the list's size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.city.grid import Grid
from bot.config import Settings
from hotspots.escalation import EscalationRules


@cache
def _rules(path: Path | None) -> EscalationRules:
    return EscalationRules.from_file(path)


@dataclass(frozen=True)
class Escalation:
    """What proposing a warning needs: the rules, the grid the scopes come from, the local time zone."""

    rules: EscalationRules
    grid: Grid
    zone: ZoneInfo


def escalation(settings: Settings, grid: Grid) -> Escalation:
    return Escalation(_rules(settings.escalation_rules_file), grid, local_zone(settings))


def local_zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.local_timezone)
