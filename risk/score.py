"""A cell's risk score from its facts, as pure arithmetic: named parts, a level, and why.

Parts (each documented in risk/default_rules.toml, weighted by the rules in force):
- "open": every open confirmed hazard, category weight x severity weight;
- "overdue", "reopened": a fixed amount for each open hazard past its deadline / that came back;
- "history": every confirmed hazard of the window, halved every `half_life_d` days of age;
- "incidents": imported incidents likewise, times their severity (1 when the source gives none);
- "forecast": the hotspot forecast's expected count for the current week.
The thresholds map the sum to a level; a forcing rule may raise it (never lower it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from risk.levels import RiskLevel, higher
from risk.rules import Decay, ForceRule, RiskRules

PARTS = ("open", "overdue", "reopened", "history", "incidents", "forecast")
S_PER_DAY = 86_400.0


@dataclass(frozen=True)
class OpenHazard:
    category: str
    severity: str | None
    overdue: bool = False
    reopened: bool = False


@dataclass(frozen=True)
class PastIncident:
    occurred_at: datetime
    severity: float | None = None
    outcome: str = "open"


@dataclass
class CellFacts:
    """What the database knows about one cell (risk/facts.py gathers it)."""

    open_hazards: list[OpenHazard] = field(default_factory=list)
    confirmed_at: list[datetime] = field(default_factory=list)  #: when each confirmed hazard was filed
    incidents: list[PastIncident] = field(default_factory=list)
    forecast: float | None = None


@dataclass(frozen=True)
class CellScore:
    score: float
    level: RiskLevel
    parts: dict[str, float]
    forced_by: ForceRule | None = None

    def why(self) -> dict[str, object]:
        """Stored with each level change and shown (translated) on the cell's panel."""
        forced = None
        if self.forced_by is not None:
            forced = {"level": self.forced_by.level.value, "why": self.forced_by.why, "why_zh": self.forced_by.why_zh}
        return {"score": round(self.score, 2), "parts": self.parts, "forced": forced}

    def summary(self) -> str:
        """One English line (the domain event's payload)."""
        parts = ", ".join(f"{name} {value:g}" for name, value in self.parts.items() if value)
        text = f"score {self.score:.2f}" + (f" ({parts})" if parts else "")
        if self.forced_by is not None:
            text += f"; forced to {self.forced_by.level}: {self.forced_by.why}"
        return text


def decayed(ages_d: Iterable[float], decay: Decay, weights: Iterable[float] | None = None) -> float:
    """Sum of weight x 0.5^(age / half-life) over the ages inside the window (ages in days, >= 0)."""
    total = 0.0
    for age_d, weight in zip(ages_d, weights if weights is not None else _ones(), strict=False):
        if 0 <= age_d <= decay.window_d:
            total += weight * 0.5 ** (age_d / decay.half_life_d)
    return decay.weight * total


def _ones() -> Iterable[float]:
    while True:
        yield 1.0


def _age_d(then: datetime, now: datetime) -> float:
    return max(0.0, (now - then).total_seconds() / S_PER_DAY)


def forced_level(hazards: Sequence[OpenHazard], force: Sequence[ForceRule]) -> ForceRule | None:
    """The forcing rule with the highest level that the open hazards meet, if any."""
    met = [rule for rule in force if sum(rule.matches(h.category, h.severity) for h in hazards) >= rule.min_count]
    best: ForceRule | None = None
    for rule in met:
        if best is None or higher(rule.level, best.level) is not best.level:
            best = rule
    return best


def score_cell(facts: CellFacts, rules: RiskRules, now: datetime) -> CellScore:
    hazards = facts.open_hazards
    counted = [i for i in facts.incidents if i.outcome not in rules.ignore_outcomes]
    parts = {
        "open": sum(rules.hazard_weight(h.category, h.severity) for h in hazards),
        "overdue": rules.overdue * sum(h.overdue for h in hazards),
        "reopened": rules.reopened * sum(h.reopened for h in hazards),
        "history": decayed((_age_d(t, now) for t in facts.confirmed_at), rules.history),
        "incidents": decayed(
            (_age_d(i.occurred_at, now) for i in counted),
            rules.incidents,
            (i.severity if i.severity is not None else 1.0 for i in counted),
        ),
        "forecast": rules.forecast_weight * (facts.forecast or 0.0),
    }
    parts = {name: round(value, 4) for name, value in parts.items()}
    score = sum(parts.values())
    level, forced = rules.level_of(score), forced_level(hazards, rules.force)
    if forced is not None and higher(forced.level, level) is not level:
        return CellScore(score, forced.level, parts, forced)
    return CellScore(score, level, parts)
