"""The reward rules as pure functions: amounts, campaigns, caps, eligibility, money text, parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rewards.rules import (
    CampaignTerms,
    Ineligible,
    ReportFacts,
    RewardRules,
    RulesError,
    base_amount,
    best_campaign,
    capped_amount,
    day_bounds,
    format_money,
    ineligibility,
    month_bounds,
    multiplied,
    parse_money,
    parse_rules,
)

NOV = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def facts(**overrides: object) -> ReportFacts:
    values: dict[str, object] = {
        "status": "accepted",
        "verified": True,
        "category": "fire_exit",
        "fixed": False,
        "merged": False,
        "reporter_is_staff": False,
    }
    values.update(overrides)
    return ReportFacts(**values)  # type: ignore[arg-type]


class TestAmounts:
    def test_default_table(self, rules: RewardRules) -> None:
        """Ordinary 20 yuan, major (high/critical) 50 yuan, indoor e-bike charging 200 yuan, all in fen."""
        assert base_amount(rules, "fire_exit", "medium") == 2000
        assert base_amount(rules, "fire_exit", None) == 2000
        assert base_amount(rules, "traffic", "critical") == 5000
        assert base_amount(rules, "ebike", "low") == 20000

    def test_campaign_multiplies_in_its_period_and_categories_only(self) -> None:
        """The best running campaign for the category applies; others and other periods do not."""
        double = CampaignTerms(1, NOV - timedelta(days=1), NOV + timedelta(days=1), ("ebike",), 200)
        triple_later = CampaignTerms(2, NOV + timedelta(days=2), NOV + timedelta(days=9), (), 300)
        assert best_campaign([double, triple_later], "ebike", NOV) == double
        assert best_campaign([double, triple_later], "traffic", NOV) is None
        assert multiplied(2000, 150) == 3000 and multiplied(2001, 150) == 3001  # integer fen, rounded down


class TestCaps:
    def test_day_cap_pays_nothing(self, rules: RewardRules) -> None:
        assert capped_amount(rules, 2000, rewarded_same_day=5, granted_this_month_fen=0) == (0, Ineligible.DAY_CAP)

    def test_month_cap_clamps_to_what_is_left(self, rules: RewardRules) -> None:
        """With 1,490 yuan granted this month, a 50-yuan reward pays the last 10."""
        assert capped_amount(rules, 5000, rewarded_same_day=0, granted_this_month_fen=149_000) == (1000, None)
        assert capped_amount(rules, 5000, rewarded_same_day=0, granted_this_month_fen=150_000) == (
            0,
            Ineligible.MONTH_CAP,
        )


class TestEligibility:
    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"status": "submitted"}, Ineligible.NOT_ACCEPTED),
            ({"status": "rejected"}, Ineligible.NOT_ACCEPTED),
            ({"verified": False}, Ineligible.NOT_VERIFIED),
            ({"merged": True}, Ineligible.DUPLICATE),
            ({"reporter_is_staff": True}, Ineligible.STAFF),
            ({}, None),
            ({"status": "fixed"}, None),
        ],
    )
    def test_reasons(self, rules: RewardRules, overrides: dict[str, object], reason: Ineligible | None) -> None:
        """Accepted and verified, not merged, not staff: eligible; each missing condition names itself."""
        assert ineligibility(rules, facts(**overrides)) == reason

    def test_fixed_only_categories_wait_for_the_fix(self, rules: RewardRules) -> None:
        strict = RewardRules(amounts=rules.amounts, require_fixed=frozenset({"fire_exit"}))
        assert ineligibility(strict, facts()) == Ineligible.NOT_FIXED
        assert ineligibility(strict, facts(fixed=True)) is None


class TestCalendar:
    def test_shanghai_day_and_month(self, rules: RewardRules) -> None:
        """Days and months begin at midnight in the rules' timezone, not in UTC."""
        late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 01:00 on 1 December in Shanghai
        day_start, day_end = day_bounds(late, rules.zone)
        month_start, month_end = month_bounds(late, rules.zone)
        assert day_start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC) and day_end - day_start == timedelta(days=1)
        assert (month_start, month_end) == (
            datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
        )


class TestMoney:
    def test_format(self) -> None:
        assert format_money(2000, "CNY") == "¥20.00"
        assert format_money(150_005, "CNY") == "¥1,500.05"
        assert format_money(-2000, "USD") == "-20.00 USD"

    @pytest.mark.parametrize(("text", "fen"), [("20", 2000), ("20.5", 2050), ("1,500.00", 150_000), ("¥0.01", 1)])
    def test_parse(self, text: str, fen: int) -> None:
        assert parse_money(text) == fen

    @pytest.mark.parametrize("text", ["", "abc", "1.001", "-5", "nan", "1e400"])
    def test_parse_refuses(self, text: str) -> None:
        with pytest.raises(ValueError, match="amount"):
            parse_money(text)


class TestParsing:
    def test_bundled_file_parses(self, rules: RewardRules) -> None:
        assert rules.currency == "CNY" and rules.max_fen_per_month == 150_000 and rules.lapse_days == 90
        assert rules.fraud.phash_max_distance == 8 and "8000000000000000" in rules.fraud.ignored_phashes

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("currency = ", "TOML"),
            ('[amounts]\nfire_exit = { "*" = 2000 }', '"\\*"'),
            ('[amounts]\n"*" = { "*" = 20.5 }', "whole number"),
            ('[amounts]\n"*" = { "*" = -1 }', "whole number"),
            ('timezone = "Mars/Olympus"\n[amounts]\n"*" = { "*" = 1 }', "timezone"),
            ('[amounts]\n"*" = { "*" = 1 }\n[claims]\nlapse_days = 7\nreminder_days_before = 7', "reminder"),
        ],
    )
    def test_bad_rules_are_refused_with_the_reason(self, text: str, problem: str) -> None:
        with pytest.raises(RulesError, match=problem):
            parse_rules(text)
