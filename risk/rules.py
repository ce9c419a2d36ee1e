"""The risk rules as data: the parts of a cell's score, the thresholds, the forcing rules, who is told.

They come from a TOML text (the configured file, or the newest version an admin saved); `parse_rules`
validates all of it, so a bad edit is refused with a message naming the place instead of breaking levels.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.i18n import N_
from risk.levels import RANK, RiskLevel

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "default_rules.toml"
ANY = "*"

NOT_TOML = N_("The text is not valid TOML: %(detail)s")
NOT_A_TABLE = N_("[%(name)s] must be a table.")
NOT_A_NUMBER = N_("%(name)s must be a number of zero or more.")
NOT_POSITIVE = N_("%(name)s must be a number greater than zero.")
THRESHOLDS_ORDER = N_("The thresholds must rise from yellow to orange to red.")
UNKNOWN_LEVEL = N_("%(name)s: %(value)s is not a level (red, orange, yellow or blue).")
NOT_A_LIST = N_("%(name)s must be a list of names.")


class RiskRulesError(ValueError):
    """The rules text is not valid; `message` (an English msgid) and `params` say where, translated when shown."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class ForceRule:
    """Open confirmed hazards that force a level: any of `categories` (empty: any) at any of `severities`."""

    level: RiskLevel
    categories: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    min_count: int = 1
    why: str = ""
    why_zh: str = ""

    def matches(self, category: str, severity: str | None) -> bool:
        return (not self.categories or category in self.categories) and (
            not self.severities or (severity or "") in self.severities
        )

    def label(self, locale: str) -> str:
        return self.why_zh if locale == "zh_CN" and self.why_zh else self.why


@dataclass(frozen=True)
class Decay:
    weight: float
    half_life_d: float
    window_d: float


@dataclass(frozen=True)
class RiskRules:
    thresholds: Mapping[RiskLevel, float]  #: red, orange, yellow: the least score of each
    severity_weights: Mapping[str, float]
    unknown_severity: float
    category_weights: Mapping[str, float]
    overdue: float
    reopened: float
    history: Decay
    incidents: Decay
    forecast_weight: float
    ignore_outcomes: frozenset[str] = frozenset()
    force: tuple[ForceRule, ...] = ()
    notify_levels: frozenset[RiskLevel] = field(default_factory=lambda: frozenset({RiskLevel.RED, RiskLevel.ORANGE}))

    def hazard_weight(self, category: str, severity: str | None) -> float:
        by_category = self.category_weights.get(category, self.category_weights.get(ANY, 1.0))
        by_severity = self.severity_weights.get(severity or "", self.unknown_severity)
        return by_category * by_severity

    def level_of(self, score: float) -> RiskLevel:
        for level in (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW):
            if score >= self.thresholds[level]:
                return level
        return RiskLevel.BLUE


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise RiskRulesError(NOT_A_TABLE, name=name)
    return value


def _number(table: Mapping[str, Any], key: str, where: str, default: float, *, positive: bool = False) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
        raise RiskRulesError(NOT_POSITIVE if positive else NOT_A_NUMBER, name=f"{where}.{key}")
    return float(value)


def _weights(table: Mapping[str, Any], key: str, where: str) -> dict[str, float]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise RiskRulesError(NOT_A_TABLE, name=f"{where}.{key}")
    return {str(name): _number(value, name, f"{where}.{key}", 0.0) for name in value}


def _level(value: object, name: str) -> RiskLevel:
    try:
        return RiskLevel(str(value))
    except ValueError:
        raise RiskRulesError(UNKNOWN_LEVEL, name=name, value=value) from None


def _names(table: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RiskRulesError(NOT_A_LIST, name=f"{where}.{key}")
    return frozenset(value)


def _decay(data: Mapping[str, Any], name: str, defaults: Decay) -> Decay:
    table = _table(data, name)
    return Decay(
        _number(table, "weight", name, defaults.weight),
        _number(table, "half_life_d", name, defaults.half_life_d, positive=True),
        _number(table, "window_d", name, defaults.window_d, positive=True),
    )


def _force_rules(data: Mapping[str, Any]) -> tuple[ForceRule, ...]:
    raw = data.get("force", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise RiskRulesError(NOT_A_TABLE, name="[force]")
    rules = []
    for index, item in enumerate(raw, 1):
        where = f"force #{index}"
        rules.append(
            ForceRule(
                level=_level(item.get("level"), f"{where}.level"),
                categories=_names(item, "categories", where),
                severities=_names(item, "severities", where),
                min_count=max(1, int(_number(item, "min_count", where, 1))),
                why=str(item.get("why", "")),
                why_zh=str(item.get("why_zh", "")),
            )
        )
    return tuple(rules)


def _thresholds(data: Mapping[str, Any]) -> dict[RiskLevel, float]:
    table = _table(data, "levels")
    thresholds: dict[RiskLevel, float] = {
        level: _number(table, level.value, "levels", 0.0) for level in RANK if level is not RiskLevel.BLUE
    }
    if not 0 < thresholds[RiskLevel.YELLOW] < thresholds[RiskLevel.ORANGE] < thresholds[RiskLevel.RED]:
        raise RiskRulesError(THRESHOLDS_ORDER)
    return thresholds


def parse_rules(text: str) -> RiskRules:
    """Validate the whole text; RiskRulesError names the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RiskRulesError(NOT_TOML, detail=str(error)) from None
    hazards, incidents, notify = _table(data, "open_hazards"), _table(data, "incidents"), _table(data, "notify")
    return RiskRules(
        thresholds=_thresholds(data),
        severity_weights=_weights(hazards, "severity", "open_hazards"),
        unknown_severity=_number(hazards, "unknown_severity", "open_hazards", 1.0),
        category_weights=_weights(hazards, "category", "open_hazards"),
        overdue=_number(hazards, "overdue", "open_hazards", 0.0),
        reopened=_number(hazards, "reopened", "open_hazards", 0.0),
        history=_decay(data, "history", Decay(1.0, 60.0, 365.0)),
        incidents=_decay(data, "incidents", Decay(1.0, 30.0, 180.0)),
        forecast_weight=_number(_table(data, "forecast"), "weight", "forecast", 0.0),
        ignore_outcomes=_names(incidents, "ignore_outcomes", "incidents"),
        force=_force_rules(data),
        notify_levels=frozenset(_level(v, "notify.levels") for v in _names(notify, "levels", "notify"))
        if "levels" in notify
        else frozenset({RiskLevel.RED, RiskLevel.ORANGE}),
    )


def load_rules_text(path: Path | None) -> str:
    return (path or DEFAULT_RULES_FILE).read_text(encoding="utf-8")
