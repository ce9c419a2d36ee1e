"""A cell's score: each part worked out by hand from the simple test rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from risk.levels import RiskLevel
from risk.rules import parse_rules
from risk.score import CellFacts, OpenHazard, PastIncident, score_cell
from tests.risk.helpers import SIMPLE_RULES

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
RULES = parse_rules(SIMPLE_RULES)


def test_a_cell_with_no_facts_is_blue_at_zero() -> None:
    scored = score_cell(CellFacts(), RULES, NOW)
    assert scored.score == 0 and scored.level is RiskLevel.BLUE and scored.forced_by is None


def test_open_hazards_weigh_severity_and_add_overdue_and_reopened() -> None:
    facts = CellFacts(
        open_hazards=[
            OpenHazard("traffic", "medium"),  # 5
            OpenHazard("traffic", "low", overdue=True),  # 1 + 3
            OpenHazard("traffic", None, reopened=True),  # 2 + 2
        ]
    )
    scored = score_cell(facts, RULES, NOW)
    assert scored.parts["open"] == 8 and scored.parts["overdue"] == 3 and scored.parts["reopened"] == 2
    assert scored.score == 13 and scored.level is RiskLevel.RED


def test_incidents_halve_every_half_life_and_leave_the_window() -> None:
    facts = CellFacts(
        incidents=[
            PastIncident(NOW, None),  # 1
            PastIncident(NOW - timedelta(days=10), 2.0),  # 2 x 0.5
            PastIncident(NOW - timedelta(days=20), None),  # 0.25
            PastIncident(NOW - timedelta(days=101), 5.0),  # outside the 100-day window
            PastIncident(NOW, 9.0, outcome="duplicate"),  # ignored outcome
        ]
    )
    assert score_cell(facts, RULES, NOW).parts["incidents"] == 2.25


def test_the_forecast_adds_its_expected_count() -> None:
    scored = score_cell(CellFacts(forecast=1.5), RULES, NOW)
    assert scored.parts["forecast"] == 1.5 and scored.level is RiskLevel.YELLOW


def test_an_open_critical_fire_hazard_forces_red_below_the_threshold() -> None:
    scored = score_cell(CellFacts(open_hazards=[OpenHazard("ebike", "critical")]), RULES, NOW)
    assert scored.score == 9 and scored.level is RiskLevel.RED and scored.forced_by is not None
    assert scored.why()["forced"] == {
        "level": "red",
        "why": "an open critical fire hazard",
        "why_zh": "存在未整改的重大火灾隐患",
    }


def test_a_critical_hazard_of_another_category_is_not_forced() -> None:
    scored = score_cell(CellFacts(open_hazards=[OpenHazard("traffic", "critical")]), RULES, NOW)
    assert scored.level is RiskLevel.ORANGE and scored.forced_by is None
