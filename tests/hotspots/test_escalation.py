"""Escalation rules: the built-in kinds, a deployer's own file, the scope an incident's rule gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotspots.escalation import CITY, EscalationRules, RulesError, ScopeLevel, Where, scope_for

RULE_FILE = """\
recent_h = 6
[kinds.gas_leak]
scope = "cell"
min_severity = 3
name = { en = "Gas leak", zh_CN = "燃气泄漏" }
text = { en = "Gas leak near {place} at {time}.", zh_CN = "{place}附近{time}发生燃气泄漏。" }
"""


def test_the_built_in_rules_escalate_from_street_to_district_to_city() -> None:
    rules = EscalationRules.from_file(None)
    assert {kind: rule.scope for kind, rule in rules.rules.items()} == {
        "fire_alarm": ScopeLevel.STREET,
        "fire": ScopeLevel.DISTRICT,
        "casualty": ScopeLevel.CITY,
    }
    assert all(set(rule.texts) == {"en", "zh_CN"} for rule in rules.rules.values())
    assert rules.recent.total_seconds() == 72 * 3600


def test_a_deployers_file_adds_kinds_scopes_severities_and_texts(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULE_FILE, encoding="utf-8")
    rules = EscalationRules.from_file(path)
    assert rules.for_incident("gas_leak", 4.0) is not None
    assert rules.for_incident("gas_leak", 2.0) is None and rules.for_incident("gas_leak", None) is None
    assert rules.for_incident("fire", 9.0) is None  # this file knows no fires
    assert rules.rules["gas_leak"].name("zh_CN") == "燃气泄漏" and rules.recent.total_seconds() == 6 * 3600


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('scope = "town"\ntext = { en = "x" }', "scope must be one of"),
        ('scope = "cell"\ntext = { en = "Fire at {address}" }', "uses {address}"),
        ('scope = "cell"', "name and text must be tables"),
    ],
)
def test_a_broken_rule_is_refused_by_kind(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(f"[kinds.smoke]\n{text}\n", encoding="utf-8")
    with pytest.raises(RulesError, match=f"kind smoke: .*{complaint}"):
        EscalationRules.from_file(path)


def test_the_scope_is_the_rules_level_or_the_next_one_up_that_exists() -> None:
    placed = Where("jingan", "jingan-nanjingxilu", "jingan-0302")
    assert scope_for(ScopeLevel.STREET, placed) == ("jingan-nanjingxilu", ScopeLevel.STREET)
    assert scope_for(ScopeLevel.DISTRICT, placed) == ("jingan", ScopeLevel.DISTRICT)
    assert scope_for(ScopeLevel.CITY, placed) == (CITY, ScopeLevel.CITY)
    no_street = Where("jingan", None, "jingan-0302")  # a cell drawn straight under its district
    assert scope_for(ScopeLevel.STREET, no_street) == ("jingan", ScopeLevel.DISTRICT)
    assert scope_for(ScopeLevel.DISTRICT, Where(None, None, "h3:x")) == (CITY, ScopeLevel.CITY)
