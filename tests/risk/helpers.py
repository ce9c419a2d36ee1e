"""Simple rules for risk tests, so expected scores can be worked out by hand."""

from __future__ import annotations

from datetime import datetime

from risk.models import RiskRulesVersion

#: One open medium hazard scores 5 (orange), two score 10 (red); history, incidents and forecast count 1
#: each when fresh; a critical fire hazard forces red.
SIMPLE_RULES = """
[levels]
red = 10.0
orange = 5.0
yellow = 1.0

[open_hazards]
severity = { low = 1.0, medium = 5.0, high = 8.0, critical = 9.0 }
unknown_severity = 2.0
category = { "*" = 1.0 }
overdue = 3.0
reopened = 2.0

[history]
weight = 0.0
half_life_d = 30
window_d = 365

[incidents]
weight = 1.0
half_life_d = 10
window_d = 100
ignore_outcomes = ["duplicate"]

[forecast]
weight = 1.0

[[force]]
level = "red"
categories = ["ebike", "fire_exit"]
severities = ["critical"]
why = "an open critical fire hazard"
why_zh = "存在未整改的重大火灾隐患"

[notify]
levels = ["red", "orange"]
"""


async def use_simple_rules(now: datetime) -> None:
    await RiskRulesVersion.create(text=SIMPLE_RULES, note="tests", created_at=now)
