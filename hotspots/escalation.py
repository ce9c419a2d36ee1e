"""Escalation rules: which incident kinds call for a warning broadcast, to which grid scope, with which text.

Loaded from a TOML file (`hotspots/default_escalation.toml`, or ESCALATION_RULES_FILE): see that file for the
format. Everything here is pure: the rules, the scope an incident's rule gives on the grid, the texts.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.city.grid import Grid
from bot.i18n import N_, Translator

DEFAULT_RULES_FILE = Path(__file__).with_name("default_escalation.toml")
CITY = "city"  #: the scope of a city-wide warning (bot/events.py: BROADCAST_REQUESTED)
PLACEHOLDERS = frozenset({"place", "date", "time", "category"})
THE_WHOLE_CITY = N_("the whole city")
MAX_TEXT_CHARS = 4000  #: a Telegram message holds 4096; room for what an official adds


class ScopeLevel(StrEnum):
    CELL = "cell"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"


#: From the narrowest scope to the widest: where an incident has no unit of a level, the next one up is used.
WIDER = (ScopeLevel.CELL, ScopeLevel.STREET, ScopeLevel.DISTRICT, ScopeLevel.CITY)


class RulesError(ValueError):
    """The rules file cannot be used; the message names the kind and what is wrong."""


@dataclass(frozen=True)
class EscalationRule:
    kind: str
    scope: ScopeLevel
    names: dict[str, str]  #: locale -> the kind's name ("Fire alarm" / "火警")
    texts: dict[str, str]  #: locale -> the warning's template
    min_severity: float | None = None

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.kind


@dataclass(frozen=True)
class EscalationRules:
    rules: dict[str, EscalationRule]
    recent: timedelta  #: older incidents are history: no warning

    @classmethod
    def from_file(cls, path: Path | None) -> EscalationRules:
        data = tomllib.loads((path or DEFAULT_RULES_FILE).read_text(encoding="utf-8"))
        kinds = data.get("kinds") or {}
        if not isinstance(kinds, dict):
            raise RulesError("[kinds] must be a table of kinds")
        rules = {str(kind): _rule(str(kind), spec) for kind, spec in kinds.items()}
        return cls(rules, timedelta(hours=float(data.get("recent_h", 72))))

    def for_incident(self, kind: str | None, severity: float | None) -> EscalationRule | None:
        """The rule an incident of `kind` falls under (None: no warning for it)."""
        rule = self.rules.get(kind or "")
        if rule is None or (rule.min_severity is not None and (severity is None or severity < rule.min_severity)):
            return None
        return rule

    def is_recent(self, occurred_at: datetime, now: datetime) -> bool:
        return occurred_at >= now - self.recent


def _rule(kind: str, spec: Any) -> EscalationRule:
    if not isinstance(spec, dict):
        raise RulesError(f"kind {kind}: expected a table")
    try:
        scope = ScopeLevel(str(spec.get("scope", "")))
    except ValueError:
        raise RulesError(f"kind {kind}: scope must be one of cell, street, district, city") from None
    names, texts = spec.get("name") or {}, spec.get("text") or {}
    if not isinstance(names, dict) or not isinstance(texts, dict) or not texts:
        raise RulesError(f"kind {kind}: name and text must be tables of texts per language")
    for locale, text in texts.items():
        used = {field for _, field, _, _ in string.Formatter().parse(str(text)) if field is not None}
        if not used <= PLACEHOLDERS:
            unknown = ", ".join(sorted(used - PLACEHOLDERS))
            raise RulesError(f"kind {kind}: text.{locale} uses {{{unknown}}}; known: {', '.join(sorted(PLACEHOLDERS))}")
    severity = spec.get("min_severity")
    return EscalationRule(
        kind,
        scope,
        {str(k): str(v) for k, v in names.items()},
        {str(k): str(v) for k, v in texts.items()},
        float(severity) if severity is not None else None,
    )


@dataclass(frozen=True)
class Where:
    """An incident's units on the grid (as placed)."""

    district: str | None
    street: str | None
    cell: str | None


def scope_for(level: ScopeLevel, where: Where) -> tuple[str, ScopeLevel]:
    """The grid key the warning goes to, and its level: the rule's level, or the next one up that exists."""
    units = {ScopeLevel.CELL: where.cell, ScopeLevel.STREET: where.street, ScopeLevel.DISTRICT: where.district}
    for candidate in WIDER[WIDER.index(level) : -1]:
        key = units[candidate]
        if key:
            return key, candidate
    return CITY, ScopeLevel.CITY


def place_name(scope: str, grid: Grid, locale: str) -> str:
    return Translator(locale)(THE_WHOLE_CITY) if scope == CITY else grid.label(scope, locale)


def render_texts(
    rule: EscalationRule, scope: str, grid: Grid, *, occurred_at: datetime, category: str, zone: ZoneInfo
) -> dict[str, str]:
    """The warning in every language the rule has, its placeholders filled in."""
    local = occurred_at.astimezone(zone)
    return {
        locale: template.format(
            place=place_name(scope, grid, locale),
            date=local.strftime("%Y-%m-%d"),
            time=local.strftime("%H:%M"),
            category=category,
        )[:MAX_TEXT_CHARS]
        for locale, template in rule.texts.items()
    }
