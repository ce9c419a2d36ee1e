"""The risk rules file: the shipped one parses, and each kind of mistake is refused with its place named."""

from __future__ import annotations

import pytest

from risk.levels import RiskLevel
from risk.rules import DEFAULT_RULES_FILE, RiskRulesError, parse_rules
from tests.risk.helpers import SIMPLE_RULES


def test_the_shipped_rules_parse() -> None:
    rules = parse_rules(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    assert rules.thresholds[RiskLevel.RED] == 24.0 and rules.notify_levels == {RiskLevel.RED, RiskLevel.ORANGE}
    assert rules.hazard_weight("ebike", "critical") == 1.5 * 8.0
    assert rules.hazard_weight("traffic", None) == 1.0 * 2.0  # the "*" category, the unknown severity


def test_thresholds_map_scores_to_levels() -> None:
    rules = parse_rules(SIMPLE_RULES)
    assert [rules.level_of(s) for s in (0, 0.99, 1, 4.9, 5, 9.99, 10, 99)] == [
        RiskLevel.BLUE, RiskLevel.BLUE, RiskLevel.YELLOW, RiskLevel.YELLOW,
        RiskLevel.ORANGE, RiskLevel.ORANGE, RiskLevel.RED, RiskLevel.RED,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("red = 10.0", "red = 3.0"), "thresholds must rise"),
        (("overdue = 3.0", 'overdue = "a lot"'), "open_hazards.overdue"),
        (("half_life_d = 10", "half_life_d = 0"), "incidents.half_life_d"),
        (('level = "red"', 'level = "purple"'), "force #1.level"),
        (('categories = ["ebike", "fire_exit"]', 'categories = "ebike"'), "force #1.categories"),
        (("[forecast]", "[forecast"), "not valid TOML"),
    ],
)
def test_a_mistake_is_refused_and_named(change: tuple[str, str], named: str) -> None:
    assert change[0] in SIMPLE_RULES
    with pytest.raises(RiskRulesError) as refused:
        parse_rules(SIMPLE_RULES.replace(*change, 1))
    assert named in str(refused.value)
