"""China's four risk levels (重大 red, 较大 orange, 一般 yellow, 低 blue), highest first."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_


class RiskLevel(StrEnum):
    RED = "red"  #: 重大风险
    ORANGE = "orange"  #: 较大风险
    YELLOW = "yellow"  #: 一般风险
    BLUE = "blue"  #: 低风险


#: Highest first: a rule may raise a cell to a level, never lower it.
LEVELS_HIGH_FIRST = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW, RiskLevel.BLUE)
RANK = {level: len(LEVELS_HIGH_FIRST) - index for index, level in enumerate(LEVELS_HIGH_FIRST)}
LEVEL_LABELS = {
    RiskLevel.RED: N_("red (major risk)"),
    RiskLevel.ORANGE: N_("orange (high risk)"),
    RiskLevel.YELLOW: N_("yellow (moderate risk)"),
    RiskLevel.BLUE: N_("blue (low risk)"),
}
#: Fill colours on the map, the bulletin's PNG and the charts (same everywhere, so the legend is learnt once).
LEVEL_COLOURS = {
    RiskLevel.RED: "#d7191c",
    RiskLevel.ORANGE: "#fd8d3c",
    RiskLevel.YELLOW: "#fecc5c",
    RiskLevel.BLUE: "#6baed6",
}


def higher(a: RiskLevel, b: RiskLevel) -> RiskLevel:
    return a if RANK[a] >= RANK[b] else b
